"""Writes to results: save a draft, submit, approve, return for changes, restore a version.

Every write here
* checks the user's right to it (DOMAIN.md "Who uses it") before touching anything;
* validates the value by the indicator's unit (`validity_errors`, pure, shared with the
  data-quality dashboard);
* refuses a stale edit: the caller passes the `version` it showed the user, and a result that has
  moved on since raises `ResultConflict` carrying the other person's change (optimistic
  concurrency, never a silent overwrite);
* is idempotent when given a form's one-time `key` (`SubmissionReceipt`): the same form sent
  twice changes nothing the second time;
* writes a `ResultChange` history row with the whole result before and after, in the same
  transaction. Saving the result fires the on-commit recompute signal (`indicators.signals`),
  so an approval updates RAG and direction of travel at once.

Product decisions (what a council would expect where the framework is silent), and why:
* Anyone with entry rights may edit a result in any status; editing a submitted or approved
  result takes it back to draft (it must be submitted and approved again) and the history says
  so — "changed after approval" is the data-quality accuracy measure.
* An approver may approve a result they entered themselves: the demo council's heads of service
  enter and approve the indicators that have no data officer.
* Restoring a version is for approvers only, and brings back that version's values and status;
  if the version was approved, the restorer is recorded as approving it now.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from indicators.access import can_approve_results, can_enter_results
from indicators.analytics import constants as c
from indicators.analytics.rag import rag_status
from indicators.analytics.sense import meaningful_commentary, sense_check
from indicators.analytics.series import SeriesPoint, target_for
from indicators.data_entry.services.notifications import queue_result_notice
from indicators.formatting import decimal_text, format_value
from indicators.models import Assessment, Indicator, Period, Result, ResultChange, SubmissionReceipt, Target
from indicators.periods import result_period_error
from indicators.services.bulk_writes import insert_rows, update_rows
from indicators.services.validity import validity_errors
from organisation.calendar import reporting_date

SNAPSHOT_FIELDS = ("value", "numerator", "denominator", "commentary", "status", "is_provisional", "is_proxy")
ENTRY_FIELDS = ("value", "numerator", "denominator", "commentary", "is_provisional", "is_proxy")


class ResultConflict(Exception):
    """Someone else changed the result after this user opened it."""

    def __init__(self, current: Result, change: ResultChange | None):
        self.current = current
        self.change = change
        who = _name(change.changed_by) if change and change.changed_by else "someone else"
        when = timezone.localtime(change.changed_at).strftime("%d %b %Y %H:%M") if change else ""
        super().__init__(
            f"{who} changed this result{' at ' + when if when else ''} after you opened it. "
            "Their version is shown below; check it and make your change again."
        )


@dataclass
class ResultOutcome:
    result: Result
    repeated: bool = False  # the same form was already applied: nothing written this time
    rag: str | None = None


def _name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else "unknown"


# --- Validation (pure; the rules themselves in `indicators.services.validity`) ----------------


def indicator_validity_errors(
    indicator: Indicator, value, numerator=None, denominator=None
) -> dict[str, str]:
    return validity_errors(
        unit=indicator.unit,
        decimal_places=indicator.decimal_places,
        plausible_min=indicator.plausible_min,
        plausible_max=indicator.plausible_max,
        value=value,
        numerator=numerator,
        denominator=denominator,
    )


def period_refusal(indicator: Indicator, period: Period, as_of=None) -> str | None:
    """Why no result is accepted for ``period`` (wrong kind, or not ended by the reporting date)."""
    return result_period_error(
        reference=indicator.reference,
        frequency=indicator.frequency,
        kind=period.kind,
        end=period.end,
        label=period.label,
        as_of=as_of or reporting_date(),
    )


UNUSUAL_VALUE = "unusual_value"


def unusual_value_reason(indicator: Indicator, period: Period, value: Decimal) -> str | None:
    """The sense check (`indicators.analytics.sense`) against this indicator's approved history and
    its current process limits (where the chart plots the values themselves)."""
    earlier = list(
        Result.objects.filter(indicator=indicator, status=Result.Status.APPROVED)
        .exclude(period=period.pk)
        .values_list("value", flat=True)
    )
    limits = (
        Assessment.objects.filter(indicator=indicator, is_latest=True)
        .values_list("lower_limit", "upper_limit")
        .first()
    )
    return unusual_reason_from(indicator, value, earlier, limits)


def unusual_reason_from(indicator: Indicator, value: Decimal, earlier, limits) -> str | None:
    """The one sense-check rule, given what it reads: used at entry and on /approvals/ alike.

    ``earlier``: the indicator's approved values for other periods; ``limits``: (lower, upper) of
    its latest assessment, or None. Limits count only where the chart plots the values themselves
    (not the amounts added to an accumulating year-to-date measure)."""
    lower, upper = limits if limits and indicator.variation_basis == "value" else (None, None)
    return sense_check(
        value,
        earlier,
        lower,
        upper,
        shown=lambda n: format_value(n, indicator.decimal_places, indicator.unit),
    )


def targets_by_indicator(indicator_ids) -> dict[int, dict]:
    """Every target of these indicators, {indicator id: {(kind, start): value}}, in one query."""
    found: dict[int, dict] = {indicator_id: {} for indicator_id in indicator_ids}
    for indicator_id, kind, start, target_value in Target.objects.filter(indicator_id__in=found).values_list(
        "indicator_id", "period__kind", "period__start", "value"
    ):
        found[indicator_id][(kind, start)] = target_value
    return found


def would_be_rag(
    indicator: Indicator, period: Period, value: Decimal, *, targets: dict | None = None
) -> str | None:
    """The RAG this value would get once approved, with the target the assessment would use.

    `targets` ({(kind, start): value}, from `targets_by_indicator`) saves a query per value.
    """
    from indicators.services.assessments import rules_for

    if targets is None:
        targets = targets_by_indicator([indicator.id])[indicator.id]
    rules = rules_for(indicator)
    target = target_for(SeriesPoint(period.kind, period.start, period.end, value), targets, rules)
    return rag_status(value, target, rules.polarity, rules.tolerance, rules.tolerance_kind)


def to_decimal_or_none(raw) -> Decimal | None:
    if raw is None or raw == "":
        return None
    try:
        number = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


# --- History ---------------------------------------------------------------------------------


def snapshot(result: Result | None) -> dict:
    if result is None or result.pk is None:
        return {}
    data = {}
    for name in SNAPSHOT_FIELDS:
        field_value = getattr(result, name)
        data[name] = decimal_text(field_value) if isinstance(field_value, Decimal) else field_value
    return data


def _record(
    *, result: Result, before: dict, action: str, user, reason: str = "", now: datetime.datetime
) -> ResultChange:
    change = _change(result=result, before=before, action=action, user=user, reason=reason, now=now)
    change.save()
    # Every one-by-one write records its change here, so forms, the grid, the API and restores all
    # mail (the bulk import writer does not: an import is its author's own act, said on its page).
    queue_result_notice(change)
    return change


def _change(
    *, result: Result, before: dict, action: str, user, reason: str = "", now: datetime.datetime
) -> ResultChange:
    """The history row of one change, not yet saved (bulk writers save many at once)."""
    after = snapshot(result)
    return ResultChange(
        result=result,
        indicator_id=result.indicator_id,
        period_id=result.period_id,
        action=action,
        old_value=before.get("value"),
        new_value=result.value,
        old_status=before.get("status", ""),
        new_status=result.status,
        reason=reason,
        before=before,
        after=after,
        version=result.version,
        changed_by=user if user is not None and user.is_authenticated else None,
        changed_at=now,
    )


def _latest_change(result: Result) -> ResultChange | None:
    return ResultChange.objects.filter(result=result).select_related("changed_by").first()


def _check_version(result: Result | None, expected_version: int | None) -> None:
    """`expected_version` None skips the check (imports); 0 means "I saw no result yet"."""
    if expected_version is None:
        return
    current = result.version if result is not None else 0
    if current != expected_version:
        raise ResultConflict(result, _latest_change(result) if result else None)


def _claim_key(key: str | None, user) -> SubmissionReceipt | None:
    """Record the form's key; None when no key. Raises _Repeat when it was already used."""
    if not key:
        return None
    try:
        with transaction.atomic():
            return SubmissionReceipt.objects.create(key=key[:64], user=user)
    except IntegrityError:
        receipt = SubmissionReceipt.objects.select_related("result").get(key=key[:64])
        raise _Repeat(receipt) from None


def _holds(result: Result, before: dict, status: str, fields: dict) -> bool:
    """True when the stored result already has this status and these values."""
    return (
        result.pk is not None
        and result.status == status
        and all(
            before.get(name) == (decimal_text(v) if isinstance(v, Decimal) else v)
            for name, v in fields.items()
        )
    )


class _Repeat(Exception):
    def __init__(self, receipt):
        self.receipt = receipt


# --- Services --------------------------------------------------------------------------------


def _entry(
    *,
    user,
    indicator: Indicator,
    period: Period,
    submit: bool,
    value,
    numerator=None,
    denominator=None,
    commentary: str = "",
    is_provisional: bool = False,
    is_proxy: bool = False,
    confirm_unusual: bool = False,
    expected_version: int | None = None,
    key: str | None = None,
    action: str | None = None,
    reason: str = "",
) -> ResultOutcome:
    if not can_enter_results(user, indicator):
        raise PermissionDenied("You can only enter results for indicators assigned to you.")
    commentary = (commentary or "").strip()
    new_status = Result.Status.SUBMITTED if submit else Result.Status.DRAFT
    fields = {
        "value": value,
        "numerator": numerator,
        "denominator": denominator,
        "commentary": commentary,
        "is_provisional": bool(is_provisional),
        "is_proxy": bool(is_proxy),
    }
    try:
        receipt = _claim_key(key, user)
    except _Repeat as repeat:
        if repeat.receipt.user_id != user.id or repeat.receipt.result is None:
            raise PermissionDenied("This form has already been used.") from None
        stored = Result.objects.select_for_update().get(pk=repeat.receipt.result_id)
        if _holds(stored, snapshot(stored), new_status, fields):
            # The same form sent again with the same values: already applied.
            return ResultOutcome(result=stored, repeated=True)
        # The same form sent again with different values (Back, edit, save): not a repeat.
        # It goes through the version check like any form, so a stale form gets a conflict.
        receipt = None

    period_error = period_refusal(indicator, period)
    errors = (
        {"value": period_error}
        if period_error
        else indicator_validity_errors(indicator, value, numerator, denominator)
    )
    rag = None
    unusual = ""
    if not errors:
        rag = would_be_rag(indicator, period, value)
        if submit and rag == c.RED and not meaningful_commentary(commentary):
            errors["commentary"] = (
                "This result is red against its target: add commentary saying what happened "
                "and what is being done before you submit it (a sentence of at least 10 characters)"
            )
        unusual = unusual_value_reason(indicator, period, value) or ""
        if unusual and not confirm_unusual:
            raise ValidationError(
                {
                    "value": [
                        ValidationError(
                            f"{unusual}. Check the value; if it is right, tick “I have checked this unusual "
                            "value and it is right” and save again",
                            code=UNUSUAL_VALUE,
                        )
                    ],
                    **{name: [message] for name, message in errors.items()},
                }
            )
    if errors:
        raise ValidationError({name: [message] for name, message in errors.items()})
    unusual = unusual[:300]

    result = Result.objects.select_for_update().filter(indicator=indicator, period=period).first()
    _check_version(result, expected_version)
    now = timezone.now()
    before = snapshot(result)
    if result is None:
        result = Result(indicator=indicator, period=period, version=0)
    if _holds(result, before, new_status, fields) and result.unusual_reason == unusual:
        # Saving exactly what is stored is not a change: no version bump, no history row.
        if receipt:
            receipt.result = result
            receipt.save(update_fields=["result"])
        return ResultOutcome(result=result, rag=rag)
    old_status = result.status if result.pk else ""
    result.value = value
    result.numerator = numerator
    result.denominator = denominator
    result.commentary = commentary
    result.is_provisional = bool(is_provisional)
    result.is_proxy = bool(is_proxy)
    result.unusual_reason = unusual
    result.status = new_status
    result.entered_by = user
    result.entered_at = now
    result.approved_by = None
    result.approved_at = None
    result.returned_reason = ""
    if submit:
        result.submitted_by = user
        result.submitted_at = now
    result.version += 1
    try:
        with transaction.atomic():
            result.save()
    except IntegrityError:
        # Someone created this result between our read and our insert.
        raise ResultConflict(
            Result.objects.get(indicator=indicator, period=period),
            None,
        ) from None
    if action is None:
        action = "submit" if submit else ("create" if not old_status else "edit")
        if old_status == Result.Status.APPROVED:
            action = "edit_after_approval"
    _record(result=result, before=before, action=action, user=user, reason=reason, now=now)
    if receipt:
        receipt.result = result
        receipt.save(update_fields=["result"])
    return ResultOutcome(result=result, rag=rag)


@transaction.atomic
def result_save_draft(*, user, indicator: Indicator, period: Period, **fields) -> ResultOutcome:
    """Save a result as a draft: validated by unit, not yet seen by scorecards."""
    return _entry(user=user, indicator=indicator, period=period, submit=False, **fields)


@transaction.atomic
def result_submit(*, user, indicator: Indicator, period: Period, **fields) -> ResultOutcome:
    """Submit a result for approval; a red result needs commentary."""
    return _entry(user=user, indicator=indicator, period=period, submit=True, **fields)


def _locked(result: Result) -> Result:
    return Result.objects.select_for_update().select_related("indicator", "period").get(pk=result.pk)


@transaction.atomic
def result_approve(
    *, user, result: Result, expected_version: int | None, key: str | None = None
) -> ResultOutcome:
    """Approve a submitted result: from now on scorecards, exceptions and reports count it."""
    if not can_approve_results(user, result.indicator):
        raise PermissionDenied("Only the responsible officer or head of service can approve this result.")
    try:
        _claim_key(key, user)
    except _Repeat as repeat:
        return ResultOutcome(result=repeat.receipt.result or result, repeated=True)
    result = _locked(result)
    _check_version(result, expected_version)
    if result.status != Result.Status.SUBMITTED:
        raise ValidationError(
            {
                "status": [
                    f"Only a submitted result can be approved; this one is {result.get_status_display().lower()}."
                ]
            }
        )
    before = snapshot(result)
    now = timezone.now()
    result.status = Result.Status.APPROVED
    result.approved_by = user
    result.approved_at = now
    result.version += 1
    result.save()
    _record(result=result, before=before, action="approve", user=user, now=now)
    return ResultOutcome(result=result)


@transaction.atomic
def result_return(
    *, user, result: Result, reason: str, expected_version: int | None, key: str | None = None
) -> ResultOutcome:
    """Return a submitted result to its officer for changes, saying why."""
    if not can_approve_results(user, result.indicator):
        raise PermissionDenied("Only the responsible officer or head of service can return this result.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {
                "reason": [
                    "Enter the reason you are returning this result, so the officer knows what to change"
                ]
            }
        )
    try:
        _claim_key(key, user)
    except _Repeat as repeat:
        return ResultOutcome(result=repeat.receipt.result or result, repeated=True)
    result = _locked(result)
    _check_version(result, expected_version)
    if result.status != Result.Status.SUBMITTED:
        raise ValidationError(
            {
                "status": [
                    f"Only a submitted result can be returned; this one is {result.get_status_display().lower()}."
                ]
            }
        )
    before = snapshot(result)
    now = timezone.now()
    result.status = Result.Status.RETURNED
    result.returned_reason = reason
    result.version += 1
    result.save()
    _record(result=result, before=before, action="return", user=user, reason=reason, now=now)
    return ResultOutcome(result=result)


@transaction.atomic
def result_restore(*, user, result: Result, change: ResultChange, reason: str = "") -> ResultOutcome:
    """Bring a result back to the state recorded by one of its history rows; the restore is recorded."""
    if not can_approve_results(user, result.indicator):
        raise PermissionDenied(
            "Only the responsible officer, head of service or the hub can restore a result."
        )
    if change.result_id != result.pk or not change.after:
        raise ValidationError({"change": ["That version does not belong to this result."]})
    result = _locked(result)
    before = snapshot(result)
    state = change.after
    now = timezone.now()
    result.value = Decimal(state["value"])
    result.numerator = to_decimal_or_none(state.get("numerator"))
    result.denominator = to_decimal_or_none(state.get("denominator"))
    result.commentary = state.get("commentary", "")
    result.is_provisional = bool(state.get("is_provisional"))
    result.is_proxy = bool(state.get("is_proxy"))
    result.status = state.get("status") or Result.Status.DRAFT
    if result.status == Result.Status.APPROVED:
        result.approved_by, result.approved_at = user, now
    else:
        result.approved_by, result.approved_at = None, None
    result.version += 1
    result.save()
    reason = (reason or "").strip() or f"Restored version {change.version}"
    _record(result=result, before=before, action="restore", user=user, reason=reason, now=now)
    return ResultOutcome(result=result)


@transaction.atomic
def result_import(
    *, user, indicator: Indicator, period: Period, value: Decimal, commentary: str | None, status: str
) -> bool:
    """Write one imported result when it differs from what is stored; True when written.

    Imports carry no version: the preview the user confirmed is the check. Permission is checked
    by the import service for the whole file.
    """
    refusal = period_refusal(indicator, period)
    if refusal:  # the preview refuses these; a plan confirmed later must not slip one through
        raise ValidationError({"value": [refusal]})
    result = Result.objects.select_for_update().filter(indicator=indicator, period=period).first()
    before = snapshot(result)
    # A blank commentary cell keeps the stored commentary rather than wiping it.
    commentary = (commentary or "").strip() or None
    if (
        result is not None
        and result.value == value
        and (commentary is None or result.commentary == commentary)
    ):
        return False
    now = timezone.now()
    if result is None:
        result = Result(indicator=indicator, period=period, version=0, status=status)
    _imported(result, value=value, commentary=commentary, status=status, user=user, now=now)
    result.save()
    _record(result=result, before=before, action="import", user=user, now=now)
    return True


def _imported(result: Result, *, value: Decimal, commentary: str | None, status: str, user, now) -> None:
    """Set an imported value on `result` (not saved): the same fields for one row or many."""
    result.value = value
    if commentary is not None:
        result.commentary = commentary
    result.status = status
    result.entered_by, result.entered_at = user, now
    if status == Result.Status.APPROVED:
        result.approved_by, result.approved_at = user, now
    else:
        result.approved_by, result.approved_at = None, None
    result.version += 1


IMPORTED_FIELDS = [
    "value",
    "commentary",
    "status",
    "entered_by",
    "entered_at",
    "approved_by",
    "approved_at",
    "version",
]


# Rows per group of bulk statements while an import writes. The import's progress moves after
# each group (reported outside the transaction: see `import_write`), and a group is still a fixed
# number of statements, so 12,000 values are 12 groups, not 48,000 single statements.
WRITE_CHUNK = 1000


def results_import(*, user, rows, status: str, as_of: datetime.date | None = None, progress=None) -> int:
    """Write many imported results at once; the number written. Call inside the import's transaction.

    `rows` are (indicator, period, value, commentary). The same rules as `result_import`, row by
    row — period refusal, unchanged values left alone, a blank commentary keeping the stored one,
    a history row for each change, a recompute mark for each changed indicator — but in a fixed
    number of queries per `WRITE_CHUNK` rows. `progress(rows done)`, when given, is called after
    each chunk.
    """
    from indicators.signals import enqueue_recompute

    rows = list(rows)
    if not rows:
        return 0
    as_of = as_of or reporting_date()
    stored = {
        (r.indicator_id, r.period_id): r
        for r in Result.objects.select_for_update().filter(
            indicator_id__in={indicator.id for indicator, *_ in rows},
            period_id__in={period.id for _, period, *_ in rows},
        )
    }
    now = timezone.now()
    written, changed_indicators = 0, set()
    for first in range(0, len(rows), WRITE_CHUNK):
        changes = _results_import_chunk(
            rows[first : first + WRITE_CHUNK], stored=stored, user=user, status=status, as_of=as_of, now=now
        )
        written += len(changes)
        changed_indicators |= {result.indicator_id for result, _ in changes}
        if progress:
            progress(min(first + WRITE_CHUNK, len(rows)))
    # Bulk writes send no post_save: mark the changed indicators as the signal would have.
    for indicator_id in sorted(changed_indicators):
        enqueue_recompute(indicator_id)
    return written


def _results_import_chunk(rows, *, stored, user, status: str, as_of, now) -> list:
    creates, updates, changes = [], [], []
    for indicator, period, value, commentary in rows:
        refusal = period_refusal(indicator, period, as_of=as_of)
        if refusal:
            raise ValidationError({"value": [f"{indicator.reference} {period.label}: {refusal}"]})
        result = stored.get((indicator.id, period.id))
        before = snapshot(result)
        commentary = (commentary or "").strip() or None
        if (
            result is not None
            and result.value == value
            and (commentary is None or result.commentary == commentary)
        ):
            continue
        if result is None:
            result = Result(indicator=indicator, period=period, version=0, status=status)
            creates.append(result)
        else:
            updates.append(result)
        _imported(result, value=value, commentary=commentary, status=status, user=user, now=now)
        changes.append((result, before))
    insert_rows(Result, creates)
    if any(result.pk is None for result in creates):  # COPY returns no keys: read them back, once
        keys = {
            (indicator_id, period_id): pk
            for pk, indicator_id, period_id in Result.objects.filter(
                indicator_id__in={r.indicator_id for r in creates},
                period_id__in={r.period_id for r in creates},
            ).values_list("id", "indicator_id", "period_id")
        }
        for result in creates:
            result.pk = keys[(result.indicator_id, result.period_id)]
    update_rows(Result, updates, IMPORTED_FIELDS)
    insert_rows(
        ResultChange,
        [_change(result=r, before=before, action="import", user=user, now=now) for r, before in changes],
    )
    return changes
