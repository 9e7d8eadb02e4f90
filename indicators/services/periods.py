"""Period rows: got or created in bulk for the (kind, start) keys a write needs."""

from indicators.models import Period
from indicators.periods import period_bounds


def ensure_periods(keys):
    """Get or create Period rows for (kind, start) keys in a fixed number of queries.

    Returns {(kind, start): Period}.
    """
    keys = set(keys)
    if not keys:
        return {}
    starts = {start for _, start in keys}
    found = {(p.kind, p.start): p for p in Period.objects.filter(start__in=starts)}
    missing = []
    for kind, start in sorted(keys - found.keys()):
        begin, end, label, fy = period_bounds(kind, start)
        missing.append(Period(kind=kind, start=begin, end=end, label=label, financial_year=fy))
    if missing:
        Period.objects.bulk_create(missing, ignore_conflicts=True)
        found = {(p.kind, p.start): p for p in Period.objects.filter(start__in=starts)}
    return {key: found[key] for key in keys}
