"""Data entry: returns, approvals, bulk entry, targets, workbook imports, reminders, audit and restore.

Sits above the indicator core (it writes results and targets, then asks the core to recompute)
and below benchmarking, which reuses its preview/confirm import step.
"""
