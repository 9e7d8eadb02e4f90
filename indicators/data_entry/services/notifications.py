"""Emails about results moving through approval (issue 10, item 15).

* Returned for changes: the officer who submitted it (else who entered it), with the reason.
* Approved: the same officer.
* Submitted (by a form or an import that lands as submitted): the people who may approve it —
  its responsible officer and the head of its service — who chose "immediately" on
  /accounts/notifications/; those who chose "once a day" get one digest a day of everything
  waiting for them (`approval_digests_send`, a beat task).

Sent by a Celery task queued once the save commits (a rolled-back save sends nothing), through
`send_safely`, so a broker outage never fails the save; the notice is then lost (logged),
not retried — the approvals page and the daily digest still show what waits.

Product decisions, and why: nobody is emailed about their own action (a head of service who
enters and approves a result gets no mail from it); the hub, which may approve anything, is not
emailed about everything; users without an email address (or inactive) are skipped; mail
through Django's email backends (the console in the embedded run).
"""

import contextlib
import contextvars
import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from indicators.models import Indicator, Result, ResultChange
from indicators.services.recompute_marks import send_safely
from organisation.models import ApprovalNotice, Profile, Role

# The ResultChange actions that tell the officer something.
OFFICER_NOTICES = {"return", "approve"}


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


def _reachable(user) -> bool:
    return user is not None and user.is_active and bool(user.email)


def needs_notice(action: str, old_status: str, new_status: str) -> bool:
    """Whether a change to a result is one somebody is emailed about. Pure."""
    if action in OFFICER_NOTICES:
        return True
    return new_status == Result.Status.SUBMITTED and old_status != Result.Status.SUBMITTED


# The change ids noted inside `notices_collected()`, or None outside it (a context variable, as
# `indicators.signals.recomputes_collected`, so concurrent requests never share one list).
_collecting: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar("notices", default=None)


def _queue_on_commit(change_ids: list[int]) -> None:
    from indicators.data_entry.tasks import send_result_notices

    ids = list(change_ids)
    transaction.on_commit(lambda: send_safely(send_result_notices, ids))


def queue_result_notice(change: ResultChange) -> None:
    """Queue the change's emails for when the transaction commits; never raises."""
    if not needs_notice(change.action, change.old_status, change.new_status):
        return
    collected = _collecting.get()
    if collected is not None:
        collected.append(change.pk)
        return
    _queue_on_commit([change.pk])


@contextlib.contextmanager
def notices_collected():
    """Inside the block, result changes are noted; on leaving, one task sends them, one email per
    person (approving twelve results sends their officer one email, not twelve). Use inside the
    writer's transaction: nothing is queued if it rolls back or the block raises."""
    if _collecting.get() is not None:
        yield
        return
    collected: list[int] = []
    token = _collecting.set(collected)
    try:
        yield
    finally:
        _collecting.reset(token)
    if collected:
        _queue_on_commit(collected)


def approvers_of(indicators: list[Indicator]) -> dict[int, set[int]]:
    """{indicator id: ids of the users who may approve its results and are told of them}.

    The responsible officer and the heads of the indicator's service (`can_approve_results`
    without the hub). One query."""
    service_ids = {i.service_id for i in indicators if i.service_id}
    heads = defaultdict(set)
    for user_id, service_id in Profile.objects.filter(role=Role.HEAD, service_id__in=service_ids).values_list(
        "user_id", "service_id"
    ):
        heads[service_id].add(user_id)
    return {i.id: ({i.responsible_officer_id} - {None}) | heads.get(i.service_id, set()) for i in indicators}


def _send(user, subject: str, template: str, context: dict) -> bool:
    if not _reachable(user):
        return False
    context = {"user": user, "council": settings.KPI_COUNCIL_NAME, **context}
    send_mail(
        subject=subject,
        message=render_to_string(template, context),
        from_email=None,
        recipient_list=[user.email],
    )
    return True


@dataclass
class Notice:
    kind: str  # returned, approved, waiting
    change: ResultChange
    result: Result
    indicator: Indicator
    period: object
    actor: object

    @property
    def what(self) -> str:
        return f"{self.indicator.reference} {self.period.label}"


SINGLE = {
    "returned": ("{what} returned for changes", "indicators/returns/notice_returned.txt"),
    "approved": ("{what} approved", "indicators/returns/notice_approved.txt"),
    "waiting": ("{what} waits for your approval", "indicators/returns/notice_submitted.txt"),
}


def notices_by_recipient(changes: list[ResultChange]) -> dict[int, list[Notice]]:
    """{user id: the notices for them} for these changes, in change order. One query (approvers)."""
    by_user: dict[int, list[Notice]] = defaultdict(list)
    waiting = [ch for ch in changes if ch.action not in OFFICER_NOTICES]
    approvers = approvers_of(list({ch.result.indicator_id: ch.result.indicator for ch in waiting}.values()))
    for change in changes:
        result, actor = change.result, change.changed_by
        actor_id = actor.pk if actor else None
        if change.action in OFFICER_NOTICES:
            officer = result.submitted_by or result.entered_by
            kind = "returned" if change.action == "return" else "approved"
            recipients = [officer.pk] if officer is not None and officer.pk != actor_id else []
        else:
            kind, recipients = "waiting", sorted(approvers[result.indicator_id] - {actor_id})
        for user_id in recipients:
            by_user[user_id].append(Notice(kind, change, result, result.indicator, result.period, actor))
    return by_user


def result_notices_send(change_ids: list[int]) -> int:
    """Send the emails these result changes call for, one per person; returns how many were sent.

    Approvers are told of waiting results only if they chose "immediately"."""
    changes = list(
        ResultChange.objects.filter(pk__in=change_ids, result__isnull=False)
        .select_related(
            "changed_by",
            "result__indicator__service",
            "result__period",
            "result__submitted_by",
            "result__entered_by",
        )
        .order_by("pk")
    )
    by_user = notices_by_recipient(changes)
    users = get_user_model().objects.select_related("profile").in_bulk(list(by_user))
    sent = 0
    for user_id, notices in sorted(by_user.items()):
        user = users.get(user_id)
        profile = getattr(user, "profile", None) if user else None
        if profile is None or profile.approval_notice != ApprovalNotice.IMMEDIATE:
            notices = [n for n in notices if n.kind != "waiting"]
        if not notices:
            continue
        if len(notices) == 1:
            [notice] = notices
            subject, template = SINGLE[notice.kind]
            context = {
                "change": notice.change,
                "result": notice.result,
                "indicator": notice.indicator,
                "period": notice.period,
                "actor": notice.actor,
            }
            sent += _send(user, "KPI Machine: " + subject.format(what=notice.what), template, context)
            continue
        groups = {
            kind: [n for n in notices if n.kind == kind] for kind in ("returned", "approved", "waiting")
        }
        words = {
            "returned": "returned for changes",
            "approved": "approved",
            "waiting": "waiting for your approval",
        }
        parts = [f"{len(g)} {words[k]}" for k, g in groups.items() if g]
        subject = f"KPI Machine: {len(notices)} results: " + ", ".join(parts)
        sent += _send(user, subject, "indicators/returns/notice_batch.txt", {"groups": groups})
    return sent


@dataclass
class DigestRun:
    sent: int = 0
    already_sent: int = 0
    no_email: int = 0


def approval_digests(user_ids=None) -> dict[int, list[Result]]:
    """{approver's user id: the submitted results waiting for them, oldest first} for approvers
    who chose the daily digest. Three queries whatever the number of results."""
    waiting = list(
        Result.objects.filter(status=Result.Status.SUBMITTED)
        .select_related("indicator", "period", "submitted_by")
        .order_by("submitted_at", "id")
    )
    indicators = {r.indicator_id: r.indicator for r in waiting}
    approvers = approvers_of(list(indicators.values()))
    daily = Profile.objects.filter(approval_notice=ApprovalNotice.DAILY)
    if user_ids is not None:
        daily = daily.filter(user_id__in=user_ids)
    wanted = set(daily.values_list("user_id", flat=True))
    digests = defaultdict(list)
    for result in waiting:
        for user_id in approvers[result.indicator_id] & wanted:
            digests[user_id].append(result)
    return dict(digests)


def approval_digests_send(*, today: datetime.date | None = None) -> DigestRun:
    """Email each daily-digest approver what waits for them, at most once a day."""
    today = today or timezone.localdate()
    digests = approval_digests()
    users = get_user_model().objects.in_bulk(list(digests))
    run = DigestRun()
    for user_id, results in sorted(digests.items()):
        user = users[user_id]
        if not _reachable(user):
            run.no_email += 1
            continue
        with transaction.atomic():
            # Claim the day first: a second run (or a retried task) the same day finds it taken.
            claimed = (
                Profile.objects.filter(user_id=user_id)
                .filter(Q(approval_digest_sent_on__isnull=True) | Q(approval_digest_sent_on__lt=today))
                .update(approval_digest_sent_on=today)
            )
            if not claimed:
                run.already_sent += 1
                continue
            count = len(results)
            _send(
                user,
                f"KPI Machine: {count} result{'s' if count != 1 else ''} waiting for your approval",
                "indicators/returns/notice_digest.txt",
                {"results": results, "today": today},
            )
        run.sent += 1
    return run


def notice_preference_set(*, user, choice: str) -> Profile:
    """Record how this user hears of results waiting for their approval."""
    profile = Profile.objects.filter(user=user).first() if user.is_authenticated else None
    if profile is None:
        raise ValidationError(
            {
                "approval_notice": [
                    "Your account has no role yet: ask the Strategic Intelligence Hub to set one"
                ]
            }
        )
    if choice not in ApprovalNotice.values:
        raise ValidationError(
            {"approval_notice": ["Choose whether to get an email for each result or one email a day"]}
        )
    if profile.approval_notice != choice:
        profile.approval_notice = choice
        profile.save(update_fields=["approval_notice"])
    return profile
