"""Reminders to report authors: narrative falling due for a meeting, and what is still missing.

Once a day (at most one email per meeting per day): for each meeting whose narrative is due within
`REMINDER_DAYS` days (or is overdue and the meeting not yet held), every draft or in-review report
for it with missing narrative is listed to its authors — the hub's users, and for a DMT report the
directorate's director.
"""

import datetime

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db.models import Q

from organisation.models import Role
from reporting.reports import services
from reporting.reports.models import CommitteeMeeting, Report

REMINDER_DAYS = 5


def _authors(report: Report) -> list[str]:
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    who = Q(profile__role=Role.HUB)
    if report.directorate_id:
        who |= Q(profile__role=Role.DIRECTOR, profile__directorate_id=report.directorate_id)
    return sorted(set(users.filter(who).values_list("email", flat=True)))


def send_narrative_reminders(today: datetime.date) -> int:
    """Send today's reminders; returns the number of emails sent."""
    sent = 0
    meetings = CommitteeMeeting.objects.filter(
        narrative_due__lte=today + datetime.timedelta(days=REMINDER_DAYS), date__gte=today
    ).exclude(reminded_on=today)
    for meeting in meetings:
        for report in meeting.reports.filter(
            status__in=[Report.Status.DRAFT, Report.Status.IN_REVIEW]
        ).select_related("period", "directorate", "board"):
            missing = services.missing_narrative(report)
            recipients = _authors(report)
            if not missing or not recipients:
                continue
            lines = "\n".join(f"- {row['label']}" for row in missing)
            send_mail(
                f"Narrative due {meeting.narrative_due:%d %B %Y}: {report.title}",
                f"{report.title} goes to the meeting on {meeting.date:%d %B %Y}. Narrative is due by"
                f" {meeting.narrative_due:%d %B %Y} and sign-off by {meeting.sign_off_due:%d %B %Y}.\n\n"
                f"Still missing:\n{lines}\n",
                None,
                recipients,
            )
            sent += 1
        meeting.reminded_on = today
        meeting.save(update_fields=["reminded_on"])
    return sent
