"""The council's calendar: financial years (1 April – 31 March), quarters and months.

Pure date arithmetic and the period key for URLs; no Django. (`indicators.services.periods`
gets-or-creates Period rows.)
"""

import datetime
import re

from indicators.analytics.constants import MONTH, QUARTER, YEAR

# The range of years a council plan's period can plausibly fall in. Anything outside it (year 0,
# "9999/00", "Jan 0001") is a typo or a probe, refused wherever a period is read: URL keys, form
# fields, import headers and value notes.
MIN_YEAR = 1990
MAX_YEAR = 2100


def plausible_year(year: int) -> bool:
    return MIN_YEAR <= year <= MAX_YEAR


MONTH_ABBR = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def financial_year_of(day: datetime.date) -> int:
    """The starting calendar year of the financial year containing `day` (2015 for 2015/16)."""
    return day.year if day.month >= 4 else day.year - 1


def year_label(fy: int) -> str:
    return f"{fy}/{(fy + 1) % 100:02d}"


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


FREQUENCY_KINDS = {"monthly": MONTH, "quarterly": QUARTER, "annual": YEAR}
KIND_WORDS = {
    MONTH: ("month", "months"),
    QUARTER: ("quarter", "quarters"),
    YEAR: ("financial year", "financial years"),
}


def result_period_error(
    *, reference: str, frequency: str, kind: str, end: datetime.date, label: str, as_of: datetime.date
) -> str | None:
    """Why a result cannot be accepted for this period, or None (DOMAIN.md "Results and targets").

    A result is of the indicator's own period kind, or a financial year (an outturn), and only for
    a period that has ended by the reporting date ``as_of``. The same words in forms, the bulk grid
    and imports.
    """
    own = FREQUENCY_KINDS.get(frequency)
    if own is not None and kind not in (own, YEAR):
        article = "an" if frequency[:1] in "aeiou" else "a"
        takes = KIND_WORDS[YEAR][1] if own == YEAR else f"{KIND_WORDS[own][1]} or {KIND_WORDS[YEAR][1]}"
        return f"{reference} is {article} {frequency} indicator: it takes results for {takes}, not for a {KIND_WORDS[kind][0]}"
    if end > as_of:
        return (
            f"{label} has not ended by the reporting date, {as_of.day} {MONTH_ABBR[as_of.month - 1]} {as_of.year}: "
            "a result can only be entered for a period that has ended"
        )
    return None


def target_period_error(*, start: datetime.date, label: str, as_of: datetime.date) -> str | None:
    """Why no target is taken for this period, or None (issue 10 item 1).

    Targets for future years stay allowed, but only as far as the financial year after the one the
    reporting date ``as_of`` falls in (the year being planned): a target for 2030/31 typed by
    mistake would otherwise sit in the library as a period nobody reports.
    """
    last = financial_year_of(as_of) + 1
    if financial_year_of(start) > last:
        return (
            f"Targets can be set up to {year_label(last)}, the year after the reporting date's "
            f"({as_of.day} {MONTH_ABBR[as_of.month - 1]} {as_of.year}): {label} is further ahead"
        )
    return None


def period_bounds(kind: str, start: datetime.date) -> tuple[datetime.date, datetime.date, str, int]:
    """(start, end, label, financial year) of the period of `kind` that starts on `start`.

    Raises ValueError when `start` is not the first day of such a period.
    """
    if not plausible_year(start.year):
        raise ValueError(f"Periods must fall between {MIN_YEAR} and {MAX_YEAR}, not in {start.year}.")
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


# --- The period key: how a period is written in URLs -----------------------------------------
# One form for every page: a month is its ISO year-month ("2015-12"), a quarter and a financial
# year are marked "fy" ("fy2015-16-q3", "fy2015-16"), so the two can never be read as each other
# (a bare "2011-12" would be both December 2011 and 2011/12). Earlier forms are still read by
# `canonical_period_key`, so old bookmarks redirect to the new form.


def period_key(kind: str, start: datetime.date) -> str:
    """ "2015-12" · "fy2015-16-q3" · "fy2015-16" for the period of `kind` starting on `start`."""
    if kind == MONTH:
        return f"{start:%Y-%m}"
    fy = financial_year_of(start)
    year = f"fy{fy}-{(fy + 1) % 100:02d}"
    if kind == QUARTER:
        return f"{year}-q{ {4: 1, 7: 2, 10: 3, 1: 4}[start.month] }"
    if kind == YEAR:
        return year
    raise ValueError(f"Unknown period kind {kind!r}.")


_MONTH_KEY = re.compile(r"(\d{4})-(\d{2})")
_FY_KEY = re.compile(r"fy(\d{4})-(\d{2})(?:-q([1-4]))?")
_QUARTER_START_MONTH = {1: 4, 2: 7, 3: 10, 4: 1}


def _fy_start(fy: int, quarter: int | None) -> tuple[str, datetime.date]:
    if quarter is None:
        return YEAR, datetime.date(fy, 4, 1)
    month = _QUARTER_START_MONTH[quarter]
    return QUARTER, datetime.date(fy + (1 if month == 1 else 0), month, 1)


def parse_period_key(key: str | None) -> tuple[str, datetime.date] | None:
    """(kind, start) from a period key in the one current form; None for anything else."""
    key = (key or "").strip().lower()
    if m := _MONTH_KEY.fullmatch(key):
        year, month = int(m[1]), int(m[2])
        return (MONTH, datetime.date(year, month, 1)) if 1 <= month <= 12 and plausible_year(year) else None
    if m := _FY_KEY.fullmatch(key):
        fy = int(m[1])
        if not plausible_year(fy) or (fy + 1) % 100 != int(m[2]):
            return None
        return _fy_start(fy, int(m[3]) if m[3] else None)
    return None


_LEGACY_ISO = re.compile(
    r"(month|quarter|year)-(\d{4})-(\d{2})(?:-(\d{2}))?"
)  # month-2015-12-01, month-2015-12
_LEGACY_MONTH = re.compile(r"([a-z]{3})-(\d{4})")  # dec-2015
_LEGACY_FY = re.compile(r"(?:q([1-4])-)?(\d{4})-(\d{2})")  # q3-2015-16, 2015-16


def canonical_period_key(raw: str | None) -> str | None:
    """The current key for `raw`, whether it is already current or one of the earlier forms
    (returns' "month-2015-12-01", exception lists' "month-2015-12", scorecards' "dec-2015",
    "q3-2015-16" and "2015-16"); None when it names no period."""
    raw = (raw or "").strip().lower()
    if parsed := parse_period_key(raw):
        return period_key(*parsed)
    years = re.findall(r"\d{4}", raw)
    if not years or not all(plausible_year(int(y)) for y in years):
        return None
    try:
        if m := _LEGACY_ISO.fullmatch(raw):
            start = datetime.date(int(m[2]), int(m[3]), int(m[4] or 1))
            period_bounds(m[1], start)
            return period_key(m[1], start)
        if (m := _LEGACY_MONTH.fullmatch(raw)) and m[1].title() in MONTH_ABBR:
            return period_key(MONTH, datetime.date(int(m[2]), MONTH_ABBR.index(m[1].title()) + 1, 1))
        if (m := _LEGACY_FY.fullmatch(raw)) and (int(m[2]) + 1) % 100 == int(m[3]):
            return period_key(*_fy_start(int(m[2]), int(m[1]) if m[1] else None))
    except ValueError:
        return None
    return None
