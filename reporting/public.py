"""The public pages and open data: published indicators only, for anyone without signing in."""

from decimal import Decimal

from django.db.models import (
    QuerySet,
)
from django.http import Http404
from django.utils.safestring import SafeString, mark_safe

from indicators.analytics import constants as c
from indicators.analytics.series import FREQUENCY_KIND
from indicators.formatting import format_value, rounded
from indicators.models import Assessment, Indicator
from organisation.calendar import reporting_date
from reporting.public_chart import public_chart_svg
from reporting.scorecards.rows import Count, Group, build_rows, group_by_category, summarise


def published_indicators() -> QuerySet[Indicator]:
    return Indicator.objects.filter(published=True, is_active=True)


def public_overview() -> tuple[list[Group], dict[str, list[Count]]]:
    """Every published indicator with its latest result, grouped by category."""
    rows, _ = build_rows(published_indicators(), None, reporting_date())
    for row in rows:
        row.responsible_officer = ""  # officers' names are not part of the published data
    return group_by_category(rows, keep_empty=False), summarise(rows)


def public_indicator(reference: str) -> tuple[Indicator, list[Assessment], SafeString]:
    """A published indicator and its assessed (approved) results; anything else is a 404."""
    indicator = published_indicators().filter(reference=reference).first()
    if indicator is None:
        raise Http404("No such published indicator.")
    assessments = list(
        Assessment.objects.filter(indicator=indicator)
        .select_related("period")
        .order_by("period__end", "period__kind", "period__start")
    )
    own = [a for a in assessments if a.period.kind == FREQUENCY_KIND[indicator.frequency]]
    chart = own if len(own) >= 2 else assessments
    svg = public_chart_svg(
        [a.value for a in chart],
        [a.period.label for a in chart],
        [a.target for a in chart],
        title=f"{indicator.reference}: results against target",
        fmt=lambda v: format_value(Decimal(str(v)), indicator.decimal_places, indicator.unit),
    )
    return indicator, assessments, mark_safe(svg)  # noqa: S308 — escaped by public_chart_svg


OPEN_DATA_FIELDS = [
    "Id",
    "Indicator",
    "Period",
    "Polarity",
    "Total",
    "Target",
    "RAG",
    "Direction of travel",
    "Unit",
]


def open_data_rows() -> list[dict]:
    """The long format York publishes: one row per published indicator and assessed period."""
    assessments = (
        Assessment.objects.filter(indicator__in=published_indicators())
        .select_related("indicator", "period")
        .order_by("indicator__reference", "period__end", "period__kind", "period__start")
    )
    return [
        {
            "Id": a.indicator.reference,
            "Indicator": a.indicator.title,
            "Period": a.period.label,
            "Polarity": a.indicator.polarity_label,
            # To the indicator's decimal places, as the pages show them ("227", not "227.0000").
            "Total": rounded(a.value, a.indicator.decimal_places),
            "Target": rounded(a.target, a.indicator.decimal_places),
            "RAG": c.RAG_LABELS.get(a.rag, ""),
            "Direction of travel": c.DIRECTION_LABELS.get(a.direction, ""),
            "Unit": a.indicator.get_unit_display(),
        }
        for a in assessments
    ]
