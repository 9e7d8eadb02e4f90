"""Data-entry pages: one module per page (returns, approvals, audit, imports, exports, data quality, targets)."""
