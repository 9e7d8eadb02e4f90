"""Write each recomputed indicator's `IndicatorSummary`: only the ones that differ from what is stored.

The recompute reads the stored summaries with its indicators (a LEFT JOIN in the query it already
makes, so no read of its own), works out every covered indicator's figures from the assessments it
has just computed, and upserts only those that changed, in its own transaction: a recompute of
unchanged data writes no summary, like no assessment.
"""

import datetime
from bisect import bisect_left
from collections import defaultdict
from decimal import Decimal

from indicators.analytics.series import FREQUENCY_KIND
from indicators.models import IndicatorSummary
from indicators.scorecard_figures import row_figures, window_start

# Read with the recompute's indicators: what `changed_summaries` needs of each besides the unit and
# frequency the recompute reads anyway.
INDICATOR_FIELDS = ("reference", "decimal_places")
STORED_FIELDS = (
    "summary__financial_year",
    "summary__latest_end",
    "summary__made_with",
    "summary__years",
    "summary__sparkline",
    "summary__sparkline_text",
    "summary__next_years",
    "summary__next_sparkline",
    "summary__next_sparkline_text",
)
SUMMARY_COLUMNS = [name.removeprefix("summary__") for name in STORED_FIELDS]
# An assessment's value as the scorecard reads it back from its numeric(18, 4) column.
FOUR_PLACES = Decimal("0.0001")


# Raised whenever `row_figures` or the compact sparkline draws differently: the summaries written
# before are then stale (their rows fall back to the window query until the next recompute
# rewrites them), never served with the old markup.
FIGURES_VERSION = 2


def made_with(reference: str, decimal_places: int, unit: str, frequency: str) -> str:
    """What a summary's figures were drawn with: a change to any of them makes it stale."""
    return f"{FIGURES_VERSION}\x1f{reference}\x1f{decimal_places}\x1f{unit}\x1f{frequency}"


def made_with_indicator(indicator: dict) -> str:
    """`made_with` of an indicator read as a dict with its reference, places, unit and frequency."""
    return made_with(
        indicator["reference"], indicator["decimal_places"], indicator["unit"], indicator["frequency"]
    )


def _figures_as_at(indicator: dict, ordered: list[tuple], fy: int | None) -> tuple:
    """(years, sparkline, text) as a scorecard of financial year `fy` ending after the latest of
    `ordered` ((start, kind, financial year, label, value) in date order) shows them."""
    window = []
    if fy is not None:
        # From the window's first day (a bisection of the dates: most of a long series is before it).
        first = bisect_left(ordered, (window_start(fy),))
        window = [p[1:] for p in ordered[first:]]
    figures = row_figures(
        window,
        # An indicator still being set up may have no frequency yet: never fail the recompute.
        FREQUENCY_KIND.get(indicator["frequency"], ""),
        fy or 0,
        reference=indicator["reference"],
        decimal_places=indicator["decimal_places"],
        unit=indicator["unit"],
    )
    years = [
        [None if v is None else str(v), note, shown]
        for v, note, shown in zip(figures.years, figures.years_notes, figures.years_display, strict=True)
    ]
    return years, figures.sparkline, figures.sparkline_text


def summary_values(indicator: dict, points: list[tuple]) -> tuple:
    """One indicator's summary, in `STORED_FIELDS` order.

    `points`: (start, end, kind, financial year, label, value) of every assessment it has. The
    figures as at the financial year of its latest assessment, and as at the year after: what a
    scorecard of the current year shows of an indicator whose latest result is last year's (an
    annual one, or a quarterly one in April).
    """
    key = made_with_indicator(indicator)
    fy = max((p[3] for p in points), default=None)
    latest_end = max((p[1] for p in points), default=None)
    # In date order, as the scorecard's window query gives them (start, then kind: one a start).
    ordered = sorted((p[0], *p[2:]) for p in points)
    following = _figures_as_at(indicator, ordered, fy + 1) if points else ([], "", "")
    return fy, latest_end, key, *_figures_as_at(indicator, ordered, fy), *following


def changed_summaries(
    indicators: list[dict],
    assessed: list,
    periods: dict[tuple[str, datetime.date], tuple],
    changed_indicator_ids: set[int] | None = None,
) -> list[IndicatorSummary]:
    """The summaries that differ from the stored ones (`indicators` read with `STORED_FIELDS`).

    `assessed`: the recompute's assessments (`indicators.analytics.bulk.Assessed`); `periods`:
    {(kind, start): (end, financial year, label)}. `changed_indicator_ids`: the indicators whose
    assessments the recompute changed (None: treat every one as changed). A summary is a function
    of its indicator's assessments, its reference, unit, decimal places and frequency, and the
    periods' labels (read-only once created): an indicator whose assessments are unchanged and
    whose stored summary was drawn with the same `made_with` key keeps the summary it has, without
    working it out again (issue 12: 0.14 s of a nightly recompute on a quiet day). A missing or
    stale summary has a different key, so it is always worked out.
    """
    wanted = [
        indicator
        for indicator in indicators
        if changed_indicator_ids is None
        or indicator["id"] in changed_indicator_ids
        or indicator["summary__made_with"] != made_with_indicator(indicator)
    ]
    if not wanted:
        return []
    wanted_ids = {indicator["id"] for indicator in wanted}
    points = defaultdict(list)
    for a in assessed:
        if a.indicator_id in wanted_ids:
            end, fin_year, label = periods[(a.kind, a.start)]
            points[a.indicator_id].append(
                (a.start, end, a.kind, fin_year, label, Decimal(a.value).quantize(FOUR_PLACES))
            )
    changed = []
    for indicator in wanted:
        values = summary_values(indicator, points.get(indicator["id"], []))
        if values != tuple(indicator[name] for name in STORED_FIELDS):
            changed.append(
                IndicatorSummary(
                    indicator_id=indicator["id"], **dict(zip(SUMMARY_COLUMNS, values, strict=True))
                )
            )
    return changed


def write_summaries(summaries: list[IndicatorSummary]) -> None:
    """Upsert the changed summaries (call inside the recompute's transaction); nothing if none."""
    if summaries:
        IndicatorSummary.objects.bulk_create(
            summaries,
            update_conflicts=True,
            unique_fields=["indicator"],
            update_fields=SUMMARY_COLUMNS,
        )
