"""Benchmarking: comparator organisations, groups, their published values, and their import."""
