"""Service Improvement Plans: one per service and financial year (see DOMAIN.md)."""
