"""Plan reminders: an accountable officer is emailed when an action update or a risk review falls due.

The same mechanism as the returns reminders (a digest per officer, a log row written before the
mail so a concurrent run cannot send twice), but once a month: an action needs an update when it
has none for the current month (monthly actions) or quarter (quarterly), a risk when its review
date has arrived. Run by `manage.py send_plan_reminders` or the task `service_plans.tasks.
send_plan_reminders` (to schedule with Celery beat).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string

from organisation.calendar import reporting_date
from service_plans import progress
from service_plans.models import Action, Plan, PlanReminderLog, Risk


@dataclass
class PlanReminderRun:
    sent: int = 0
    already_sent: int = 0
    no_email: int = 0


# A plan in its annual review is still this year's plan: its actions run to the end of March.
LIVE = tuple(Plan.Status.values)


def plan_reminder_digests(*, as_of: datetime.date) -> dict[int, tuple[list, list]]:
    """{user id: (actions needing an update, risks needing a review)}; three queries."""
    digests: dict[int, tuple[list, list]] = defaultdict(lambda: ([], []))
    actions = (
        Action.objects.filter(plan__status__in=LIVE, accountable_officer__isnull=False, start_date__lte=as_of)
        .exclude(status__in=progress.CLOSED)
        .select_related("plan__service")
        .prefetch_related("updates")
    )
    for action in actions:
        months = [u.month for u in action.updates.all()]
        if progress.update_due(
            frequency=action.frequency,
            last_update=max(months) if months else None,
            today=as_of,
            status=action.status,
        ):
            digests[action.accountable_officer_id][0].append(action)
    risks = Risk.objects.filter(
        plan__status__in=LIVE, responsible_officer__isnull=False, is_closed=False, review_date__lte=as_of
    ).select_related("plan__service")
    for risk in risks:
        digests[risk.responsible_officer_id][1].append(risk)
    return dict(digests)


def plan_reminders_send(*, as_of: datetime.date | None = None) -> PlanReminderRun:
    as_of = as_of or reporting_date()
    month = as_of.replace(day=1)
    digests = plan_reminder_digests(as_of=as_of)
    users = get_user_model().objects.in_bulk(list(digests))
    already = set(
        PlanReminderLog.objects.filter(month=month, user_id__in=list(digests)).values_list(
            "user_id", flat=True
        )
    )
    run = PlanReminderRun()
    for user_id, (actions, risks) in digests.items():
        user = users[user_id]
        if user_id in already:
            run.already_sent += 1
            continue
        if not user.email or not user.is_active:
            run.no_email += 1
            continue
        try:
            with transaction.atomic():
                PlanReminderLog.objects.create(
                    user=user, month=month, actions_count=len(actions), risks_count=len(risks)
                )
                send_mail(
                    subject=f"KPI Machine: {len(actions)} plan actions to update and {len(risks)} risks to review",
                    message=render_to_string(
                        "service_plans/reminder_email.txt",
                        {"user": user, "actions": actions, "risks": risks, "as_of": as_of},
                    ),
                    from_email=None,
                    recipient_list=[user.email],
                )
        except IntegrityError:
            run.already_sent += 1
            continue
        run.sent += 1
    return run
