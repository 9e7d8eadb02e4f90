"""A scorecard row's year columns and sparkline, from the indicator's assessments: pure, no Django.

One function for both places that need it, so they cannot drift apart: the recompute, which
stores the figures in `IndicatorSummary` for the scorecards to read one row per indicator, and
the scorecard's own fallback (`reporting.scorecards.rows`), which works them out from the window
query where the stored summary does not answer the period asked for.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from indicators.analytics.constants import MONTH, QUARTER, YEAR
from indicators.formatting import format_value
from indicators.sparklines import sparkline_description, sparkline_svg

SPARKLINE_POINTS = 12
SPARKLINE_WIDTH = 120  # the scorecard tables' compact sparkline


def short_period_label(kind: str, label: str) -> str:
    """A period within its financial year's column, as Table 3.3 marks it: "Q3", "Dec"."""
    if kind == QUARTER:
        return label.split()[0]
    if kind == MONTH:
        return label[:3]
    return label


def window_start(financial_year: int) -> datetime.date:
    """The first day a scorecard of `financial_year` reads: its year columns go back two years."""
    return datetime.date(financial_year - 2, 4, 1)


@dataclass(frozen=True, slots=True)
class RowFigures:
    years: list[Decimal | None]  # the three year columns, oldest first
    years_notes: list[str]  # "" for a year result, else the period of an in-year one ("Q3")
    years_display: list[str]
    sparkline: str  # the SVG, "" without points
    sparkline_text: str


def row_figures(
    points: Sequence[tuple[str, int, str, Decimal]],
    own_kind: str,
    financial_year: int,
    *,
    reference: str,
    decimal_places: int,
    unit: str,
    sparkline_width: int = SPARKLINE_WIDTH,
    compact: bool = True,
) -> RowFigures:
    """The year columns and sparkline of one row as at `financial_year`.

    `points`: (kind, financial year, label, value) of the indicator's assessments in date order,
    those the scorecard reads (from `window_start` to the chosen period's end). Any superset of
    "the latest SPARKLINE_POINTS of each kind and every year result" gives the same figures.
    """
    by_year = {}
    own_values, own_labels = [], []
    for kind, fin_year, label, value in points:
        if kind == YEAR:
            by_year[fin_year] = value
        if kind == own_kind:
            own_values.append(value)
            own_labels.append(label)
    if len(own_values) >= 2:
        values, labels = own_values[-SPARKLINE_POINTS:], own_labels[-SPARKLINE_POINTS:]
    else:
        chart = points[-SPARKLINE_POINTS:]
        values, labels = [p[3] for p in chart], [p[2] for p in chart]
    fy = financial_year
    year_values = [by_year.get(y) for y in (fy - 2, fy - 1, fy)]
    year_notes = ["", "", ""]
    if year_values[2] is None and own_values:
        # The chosen year has no year result yet: as Table 3.3 prints "1,918 (Q3)", its column
        # shows the latest result of the year so far, marked with the period it is for.
        for kind, fin_year, label, value in reversed(points):
            if kind == own_kind and fin_year == fy:
                year_values[2], year_notes[2] = value, short_period_label(kind, label)
                break
    if values:
        text = sparkline_description(values, labels, lambda v: format_value(v, decimal_places, unit))
        sparkline = sparkline_svg(
            values, labels, width=sparkline_width, title=reference, description=text, compact=compact
        )
    else:
        text, sparkline = "", ""
    return RowFigures(
        years=year_values,
        years_notes=year_notes,
        years_display=[
            f"{format_value(v, decimal_places, unit)} ({note})"
            if note
            else format_value(v, decimal_places, unit)
            for v, note in zip(year_values, year_notes, strict=True)
        ],
        sparkline=sparkline,
        sparkline_text=text,
    )
