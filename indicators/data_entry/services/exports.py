"""What the exports contain: read paths, each a fixed number of queries, scoped to the user."""

from indicators.access import visible_indicators
from indicators.data_entry.services.returns import entry_indicators
from indicators.models import Period, Result
from indicators.periods import parse_period_key, period_bounds
from indicators.workbooks.export import results_rows


def _rows_for(indicators, results) -> list[list]:
    results = list(results.select_related("period").order_by("period__end", "period__kind", "period__start"))
    # By period end, a year after its last month (issue 10 item 8).
    periods = sorted({r.period for r in results}, key=lambda p: (p.end, p.kind, p.start))
    values = {(r.indicator_id, r.period_id): r.value for r in results}
    commentary = {}
    order = {p.id: i for i, p in enumerate(periods)}
    for r in sorted(results, key=lambda r: order[r.period_id]):
        commentary[r.indicator_id] = r.commentary  # the rightmost period's wins
    return results_rows(indicators, periods, values, commentary)


def export_results_rows(user, *, period: str | None, reference: str | None) -> tuple[list[list], str]:
    """Approved results the user can see, for one period, one indicator, or everything visible."""
    indicators = visible_indicators(user).order_by("reference")
    results = Result.objects.filter(status=Result.Status.APPROVED, indicator__in=indicators)
    name = "results"
    parsed = parse_period_key(period)
    if parsed is not None:
        results = results.filter(period__kind=parsed[0], period__start=parsed[1])
        name = f"results-{period}"
    if reference:
        indicators = indicators.filter(reference=reference[:20])
        results = results.filter(indicator__reference=reference[:20])
        name = f"results-{reference[:20]}"
    indicators = list(indicators.filter(id__in=results.values("indicator_id")))
    return _rows_for(indicators, results), name


def export_template_rows(user, kind, start) -> tuple[list[list], str]:
    """The bulk template for a period: the user's indicators of that frequency, values as they stand."""
    frequency = {"month": "monthly", "quarter": "quarterly", "year": "annual"}[kind]
    indicators = list(entry_indicators(user).filter(frequency=frequency).order_by("reference"))
    period = Period.objects.filter(kind=kind, start=start).first()
    label = period_bounds(kind, start)[2]
    results = (
        Result.objects.filter(indicator__in=indicators, period=period) if period else Result.objects.none()
    )
    values = {(r.indicator_id, r.period_id): r.value for r in results}
    commentary = {r.indicator_id: r.commentary for r in results}
    stand_in = period or Period(id=0, kind=kind, start=start, label=label)
    return results_rows(indicators, [stand_in], values, commentary), f"template-{kind}-{start:%Y-%m-%d}"


LIBRARY_HEADER = [
    "Reference ID",
    "Indicator Description",
    "Category",
    "Unit",
    "Decimal places",
    "Polarity",
    "Frequency",
    "Measure type",
    "Service",
    "Directorate",
    "Responsible Officer",
    "Include",
    "Statutory",
    "Published",
    "Amber tolerance",
    "Tolerance kind",
    "Submission lag (days)",
    "Active",
]


def library_rows(user) -> list[list]:
    rows = [LIBRARY_HEADER]
    for i in (
        visible_indicators(user)
        .select_related("service__directorate", "responsible_officer")
        .order_by("reference")
    ):
        officer = i.responsible_officer
        rows.append(
            [
                i.reference,
                i.title,
                i.get_category_display(),
                i.get_unit_display(),
                i.decimal_places,
                i.polarity_label,
                i.get_frequency_display(),
                i.get_measure_type_display(),
                i.service.name,
                i.service.directorate.name,
                (officer.get_full_name() or officer.get_username()) if officer else "",
                "Y" if i.on_scorecard else "",
                "Y" if i.statutory else "",
                "Y" if i.published else "",
                i.tolerance,
                i.tolerance_kind,
                i.submission_lag_days,
                "Y" if i.is_active else "N",
            ]
        )
    return rows
