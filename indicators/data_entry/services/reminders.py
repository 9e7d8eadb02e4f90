"""Reminder digests: each officer gets one email a day listing returns due within 5 days and overdue.

Computed in bulk (a fixed number of queries whatever the number of officers and indicators).
`ReminderLog` is unique per (officer, day): a second run the same day — the beat schedule, the
command, a retried task — sends nobody the same digest twice.

Product decisions (what a council would expect where the framework is silent), and why: the digest goes to an indicator's data officers, or
to its responsible officer when it has none; returns already submitted or approved are not
chased; officers without an email address are skipped (and counted).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from indicators.data_entry.services.returns import LOOKAHEAD_DAYS, Return, due_date, return_period_keys
from indicators.models import Indicator, Period, ReminderLog, Result
from organisation.calendar import reporting_date

CHASED = {None, Result.Status.DRAFT, Result.Status.RETURNED}


@dataclass
class ReminderRun:
    sent: int = 0
    already_sent: int = 0
    no_email: int = 0


def reminder_digests(*, as_of: datetime.date | None = None) -> dict[int, list[Return]]:
    """{user id: returns due within LOOKAHEAD_DAYS or overdue} for every officer who has some."""
    as_of = as_of or reporting_date()
    indicators = list(Indicator.objects.filter(is_active=True).order_by("reference"))
    officers = defaultdict(set)
    for indicator_id, user_id in Indicator.data_entry_officers.through.objects.filter(
        indicator__is_active=True
    ).values_list("indicator_id", "user_id"):
        officers[indicator_id].add(user_id)
    keys = {}
    for indicator in indicators:
        keys[indicator.id] = return_period_keys(
            indicator.frequency, as_of, lag_days=indicator.submission_lag_days
        )
    starts = {k[1] for ks in keys.values() for k in ks}
    periods = {(p.kind, p.start): p.id for p in Period.objects.filter(start__in=starts)} if starts else {}
    status = {
        (indicator_id, period_id): s
        for indicator_id, period_id, s in Result.objects.filter(period_id__in=periods.values()).values_list(
            "indicator_id", "period_id", "status"
        )
    }
    digests = defaultdict(list)
    horizon = as_of + datetime.timedelta(days=LOOKAHEAD_DAYS)
    for indicator in indicators:
        recipients = officers[indicator.id] or ({indicator.responsible_officer_id} - {None})
        for kind, start, end, label in keys[indicator.id]:
            due = due_date(end, indicator.submission_lag_days)
            if due > horizon or status.get((indicator.id, periods.get((kind, start)))) not in CHASED:
                continue
            ret = Return(indicator, kind, start, end, label, due, None, as_of)
            for user_id in recipients:
                digests[user_id].append(ret)
    for rows in digests.values():
        rows.sort(key=lambda r: (r.due, r.indicator.reference))
    return dict(digests)


def reminders_send(*, as_of: datetime.date | None = None, today: datetime.date | None = None) -> ReminderRun:
    """Email each officer their digest, at most once per day."""
    as_of = as_of or reporting_date()
    today = today or timezone.localdate()
    digests = reminder_digests(as_of=as_of)
    users = get_user_model().objects.in_bulk(list(digests))
    already = set(
        ReminderLog.objects.filter(day=today, user_id__in=list(digests)).values_list("user_id", flat=True)
    )
    run = ReminderRun()
    for user_id, rows in digests.items():
        user = users[user_id]
        if user_id in already:
            run.already_sent += 1
            continue
        if not user.email or not user.is_active:
            run.no_email += 1
            continue
        overdue = [r for r in rows if r.due < as_of]
        due_soon = [r for r in rows if r.due >= as_of]
        try:
            with transaction.atomic():
                # The log row first: a concurrent run fails here, not after sending a duplicate.
                ReminderLog.objects.create(user=user, day=today, returns_count=len(rows))
                context = {"user": user, "overdue": overdue, "due_soon": due_soon, "as_of": as_of}
                send_mail(
                    subject=f"KPI Machine: {len(overdue)} overdue and {len(due_soon)} due returns",
                    message=render_to_string("indicators/returns/reminder_email.txt", context),
                    from_email=None,
                    recipient_list=[user.email],
                )
        except IntegrityError:
            run.already_sent += 1
            continue
        run.sent += 1
    return run
