"""Pure performance-management computations (no Django).

RAG status, direction of travel, XmR variation (statistical process control),
year-end forecasts and benchmarking ranks. Everything here takes plain Python
numbers (int, float or Decimal) so it can be unit-tested without a database and
reused by models, views, bulk recomputes and reports alike.
"""
