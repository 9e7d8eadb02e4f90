"""What an approver needs beside each submitted result, and approving a selection in one go.

For each result awaiting approval: the target that would judge it, the RAG it would get, the
previous period's approved value, the same period last year, a sparkline of the approved series
ending with this value, and a sense-check flag when the value or its commentary looks wrong.
A fixed number of queries whatever the number of results (the results, their indicators'
targets, the indicators' approved results and their latest process limits).

The sense check (DOMAIN.md, issue 10 item 3) is the one entry applies
(`results.unusual_reason_from`, `indicators.analytics.sense`): a value more than ten times the
largest earlier value, or beyond the indicator's current process limits by more than their own
width; and commentary on a red result that is not a sentence (`meaningful_commentary`).
Four queries whatever the number of results (the three above and the latest limits).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from indicators.access import can_approve_results
from indicators.analytics.rag import rag_status
from indicators.analytics.sense import meaningful_commentary
from indicators.analytics.series import SeriesPoint, target_for
from indicators.data_entry.services.notifications import notices_collected
from indicators.data_entry.services.results import ResultConflict, result_approve, unusual_reason_from
from indicators.formatting import format_value
from indicators.models import Assessment, Result, Target
from indicators.services.assessments import rules_for
from indicators.sparklines import sparkline_svg

SPARKLINE_POINTS = 12
RED_WITHOUT_SENTENCE = "Red, but the commentary is not a sentence explaining it"


@dataclass
class ApprovalContext:
    result: Result
    value: str
    target: str
    rag: str | None
    previous: str
    previous_label: str
    last_year: str
    last_year_label: str
    sparkline: str
    flags: list[str] = field(default_factory=list)


def sense_flags(
    indicator, value: Decimal, earlier: list[Decimal], limits, rag: str | None, commentary: str
) -> list[str]:
    """Why a value (or its commentary) needs a second look, by the rule entry applies; empty when
    it looks plausible. ``limits``: (lower, upper) of the latest assessment, or None."""
    flags = []
    if reason := unusual_reason_from(indicator, value, earlier, limits):
        flags.append(reason)
    if rag == "red" and not meaningful_commentary(commentary):
        flags.append(RED_WITHOUT_SENTENCE)
    return flags


def _shift_year(day: datetime.date) -> datetime.date:
    return day.replace(year=day.year - 1)


def approval_contexts(results: list[Result]) -> list[ApprovalContext]:
    """The context of each result (in the same order): two queries for any number of results."""
    indicator_ids = {r.indicator_id for r in results}
    targets: dict[int, dict] = {}
    for indicator_id, kind, start, value in Target.objects.filter(indicator_id__in=indicator_ids).values_list(
        "indicator_id", "period__kind", "period__start", "value"
    ):
        targets.setdefault(indicator_id, {})[(kind, start)] = value
    approved: dict[tuple[int, str], list[tuple[datetime.date, str, Decimal]]] = {}
    every_approved: dict[int, list[tuple[int, Decimal]]] = {}  # all kinds, as the entry check reads
    for indicator_id, period_id, kind, start, label, value in (
        Result.objects.filter(indicator_id__in=indicator_ids, status=Result.Status.APPROVED)
        .order_by("period__start")
        .values_list("indicator_id", "period_id", "period__kind", "period__start", "period__label", "value")
    ):
        approved.setdefault((indicator_id, kind), []).append((start, label, value))
        every_approved.setdefault(indicator_id, []).append((period_id, value))
    limits = {
        indicator_id: (lower, upper)
        for indicator_id, lower, upper in Assessment.objects.filter(
            indicator_id__in=indicator_ids, is_latest=True
        ).values_list("indicator_id", "lower_limit", "upper_limit")
    }
    out = []
    for result in results:
        indicator, period = result.indicator, result.period
        places, unit = indicator.decimal_places, indicator.unit
        rules = rules_for(indicator)
        target = target_for(
            SeriesPoint(period.kind, period.start, period.end, result.value),
            targets.get(indicator.id, {}),
            rules,
        )
        rag = rag_status(result.value, target, rules.polarity, rules.tolerance, rules.tolerance_kind)
        series = [p for p in approved.get((indicator.id, period.kind), []) if p[0] < period.start]
        previous = series[-1] if series else None
        year_ago = _shift_year(period.start)
        last_year = next((p for p in series if p[0] == year_ago), None)
        values = [p[2] for p in series[-(SPARKLINE_POINTS - 1) :]] + [result.value]
        labels = [p[1] for p in series[-(SPARKLINE_POINTS - 1) :]] + [f"{period.label}, awaiting approval"]
        out.append(
            ApprovalContext(
                result=result,
                value=format_value(result.value, places, unit),
                target=format_value(target, places, unit),
                rag=rag,
                previous=format_value(previous[2], places, unit) if previous else "—",
                previous_label=previous[1] if previous else "",
                last_year=format_value(last_year[2], places, unit) if last_year else "—",
                last_year_label=last_year[1] if last_year else "",
                sparkline=sparkline_svg(
                    values,
                    labels,
                    title=f"{indicator.reference} trend",
                    shown=lambda v, places=places, unit=unit: format_value(v, places, unit),
                )
                if len(values) > 1
                else "",
                flags=sense_flags(
                    indicator,
                    result.value,
                    [v for period_id, v in every_approved.get(indicator.id, []) if period_id != period.id],
                    limits.get(indicator.id),
                    rag,
                    result.commentary,
                ),
            )
        )
    return out


@transaction.atomic
def results_approve_selected(*, user, results: list[Result], versions: dict[int, int]) -> int:
    """Approve every chosen result, each with its own history row, or none of them.

    `versions`: the version of each result the approver was shown; one that has changed since
    refuses the whole selection (nothing approved) so no one approves a value they did not see.
    """
    if not results:
        raise ValidationError({"selected": ["Select the results to approve"]})
    for result in results:
        if not can_approve_results(user, result.indicator):
            raise PermissionDenied(
                "Only the responsible officer or head of service can approve these results."
            )
    with notices_collected():  # each officer gets one email for the selection
        _approve_each(user, results, versions)
    return len(results)


def _approve_each(user, results: list[Result], versions: dict[int, int]) -> None:
    for result in results:
        try:
            result_approve(user=user, result=result, expected_version=versions.get(result.pk))
        except ResultConflict as conflict:
            raise ValidationError(
                {
                    "selected": [
                        f"{result.indicator.reference} {result.period.label}: {conflict} Nothing was approved."
                    ]
                }
            ) from None
        except ValidationError as error:
            messages = [m for m in error.messages]
            raise ValidationError(
                {
                    "selected": [
                        f"{result.indicator.reference} {result.period.label}: {' '.join(messages)} Nothing was approved."
                    ]
                }
            ) from None


@dataclass
class EntryContext:
    """What the return form shows beside the value box (issue 10 item 11)."""

    target: str
    tolerance: str
    previous: str
    previous_label: str
    last_year: str
    last_year_label: str
    rag: str | None  # the RAG the typed value would get; None until a number is typed
    has_target: bool = True


def entry_context(
    indicator, kind: str, start: datetime.date, end: datetime.date, value: Decimal | None
) -> EntryContext:
    """Target, tolerance, previous period, same period last year and the typed value's RAG.

    Two queries (the indicator's targets and its approved results of this period kind)."""
    from indicators.analytics import constants as c

    targets = {
        (k, s): v
        for k, s, v in Target.objects.filter(indicator=indicator).values_list(
            "period__kind", "period__start", "value"
        )
    }
    rules = rules_for(indicator)
    places, unit = indicator.decimal_places, indicator.unit
    target = target_for(
        SeriesPoint(kind, start, end, value if value is not None else Decimal(0)), targets, rules
    )
    series = list(
        Result.objects.filter(
            indicator=indicator, status=Result.Status.APPROVED, period__kind=kind, period__start__lt=start
        )
        .order_by("period__start")
        .values_list("period__start", "period__label", "value")
    )
    previous = series[-1] if series else None
    last_year = next((p for p in series if p[0] == _shift_year(start)), None)
    if rules.tolerance_kind == c.PERCENT:
        tolerance = f"{format_value(rules.tolerance, 1 if rules.tolerance % 1 else 0)}% of the target"
        if target is not None:
            tolerance += (
                f" (amber within {format_value(abs(target) * rules.tolerance / 100, places, unit)} of it)"
            )
    else:
        tolerance = f"{format_value(rules.tolerance, places, unit)} either side of the target"
    rag = None
    if value is not None:
        rag = rag_status(value, target, rules.polarity, rules.tolerance, rules.tolerance_kind)
    return EntryContext(
        target=format_value(target, places, unit) if target is not None else "No target set",
        tolerance=tolerance,
        previous=format_value(previous[2], places, unit) if previous else "—",
        previous_label=previous[1] if previous else "",
        last_year=format_value(last_year[2], places, unit) if last_year else "—",
        last_year_label=last_year[1] if last_year else "",
        rag=rag,
        has_target=target is not None,
    )
