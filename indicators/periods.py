"""The council's calendar: financial years (1 April – 31 March), quarters and months.

Pure date arithmetic plus `ensure_periods`, which gets-or-creates Period rows in bulk.
"""

import datetime

from indicators.analytics.constants import MONTH, QUARTER, YEAR

MONTH_ABBR = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def financial_year_of(day: datetime.date) -> int:
    """The starting calendar year of the financial year containing `day` (2015 for 2015/16)."""
    return day.year if day.month >= 4 else day.year - 1


def year_label(fy: int) -> str:
    return f"{fy}/{(fy + 1) % 100:02d}"


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def period_bounds(kind: str, start: datetime.date) -> tuple[datetime.date, datetime.date, str, int]:
    """(start, end, label, financial year) of the period of `kind` that starts on `start`.

    Raises ValueError when `start` is not the first day of such a period.
    """
    if start.day != 1:
        raise ValueError(f"A {kind} starts on the 1st of a month, not {start:%d %B %Y}.")
    fy = financial_year_of(start)
    if kind == MONTH:
        return (
            start,
            _add_months(start, 1) - datetime.timedelta(days=1),
            f"{MONTH_ABBR[start.month - 1]} {start.year}",
            fy,
        )
    if kind == QUARTER:
        if start.month not in (4, 7, 10, 1):
            raise ValueError("Quarters start in April, July, October or January.")
        number = {4: 1, 7: 2, 10: 3, 1: 4}[start.month]
        return start, _add_months(start, 3) - datetime.timedelta(days=1), f"Q{number} {year_label(fy)}", fy
    if kind == YEAR:
        if start.month != 4:
            raise ValueError("A financial year starts on 1 April.")
        return start, datetime.date(start.year + 1, 3, 31), year_label(fy), fy
    raise ValueError(f"Unknown period kind {kind!r}.")


def period_start_for(kind: str, day: datetime.date) -> datetime.date:
    """Start of the period of `kind` that contains `day`."""
    if kind == MONTH:
        return day.replace(day=1)
    if kind == QUARTER:
        month = ((day.month - 1) // 3) * 3 + 1  # calendar quarters line up with financial ones
        return datetime.date(day.year, month, 1)
    if kind == YEAR:
        return datetime.date(financial_year_of(day), 4, 1)
    raise ValueError(f"Unknown period kind {kind!r}.")


def period_starts_between(kind: str, first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """Starts of every period of `kind` from the one containing `first` to the one containing `last`."""
    step = {MONTH: 1, QUARTER: 3, YEAR: 12}[kind]
    start, stop, starts = period_start_for(kind, first), period_start_for(kind, last), []
    while start <= stop:
        starts.append(start)
        start = _add_months(start, step)
    return starts


def ensure_periods(keys):
    """Get or create Period rows for (kind, start) keys in a fixed number of queries.

    Returns {(kind, start): Period}.
    """
    from indicators.models import Period

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
