"""Clinic invitations: an email to every attendee with an .ics calendar file (RFC 5545, `icalendar`).

The first invitation is a REQUEST at SEQUENCE 0; a moved clinic sends a REQUEST with the same UID
and a higher SEQUENCE (calendar clients update the meeting in place); a cancelled one a CANCEL.
"""

import datetime
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone

REQUEST = "REQUEST"
CANCEL = "CANCEL"
DEFAULT_LENGTH = datetime.timedelta(hours=1)


def _local(day: datetime.date, time: datetime.time) -> datetime.datetime:
    return datetime.datetime.combine(day, time, tzinfo=ZoneInfo(settings.TIME_ZONE))


def clinic_summary(clinic, references: list[str]) -> str:
    return f"Performance clinic: {', '.join(references)}"


def build_ics(clinic, attendees, references: list[str], method: str = REQUEST) -> bytes:
    """The clinic as an iCalendar file (one VEVENT), for `method` REQUEST or CANCEL."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//City of York Council//KPI Machine//EN")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = icalendar.Event()
    event.add("uid", f"clinic-{clinic.uid}@kpi-machine")
    event.add("sequence", clinic.sequence)
    event.add("dtstamp", timezone.now())
    start = _local(clinic.date, clinic.start_time)
    end = _local(clinic.date, clinic.end_time) if clinic.end_time else start + DEFAULT_LENGTH
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", clinic_summary(clinic, references))
    event.add("location", clinic.place)
    event.add("description", clinic.reason)
    event.add("status", "CANCELLED" if method == CANCEL else "CONFIRMED")
    from_address = settings.DEFAULT_FROM_EMAIL
    organizer = icalendar.vCalAddress(f"mailto:{_bare(from_address)}")
    organizer.params["cn"] = icalendar.vText("Strategic Intelligence Hub")
    event.add("organizer", organizer)
    for attendee in attendees:
        if not attendee.address:
            continue
        address = icalendar.vCalAddress(f"mailto:{attendee.address}")
        address.params["cn"] = icalendar.vText(attendee.display_name)
        address.params["role"] = icalendar.vText("CHAIR" if attendee.role == "chair" else "REQ-PARTICIPANT")
        address.params["partstat"] = icalendar.vText("NEEDS-ACTION")
        event.add("attendee", address, encode=0)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _bare(address: str) -> str:
    return address.rsplit("<", 1)[-1].rstrip(">").strip()


def send_invitations(clinic, attendees, references: list[str], *, method: str, note: str = "") -> int:
    """Email each attendee who has an address; returns how many were sent."""
    ics = build_ics(clinic, attendees, references, method)
    subject = clinic_summary(clinic, references)
    if method == CANCEL:
        subject = f"Cancelled: {subject}"
    elif clinic.sequence:
        subject = f"Moved: {subject}"
    when = f"{_local(clinic.date, clinic.start_time):%A %-d %B %Y at %H:%M}"
    sent = 0
    for attendee in attendees:
        if not attendee.address:
            continue
        lines = [
            f"Dear {attendee.display_name},",
            "",
            (
                f"The performance clinic on {when} at {clinic.place} has been cancelled."
                if method == CANCEL
                else f"You are invited to a performance clinic on {when} at {clinic.place}, "
                f"as {attendee.get_role_display().lower()}."
            ),
            f"Indicators: {', '.join(references)}.",
        ]
        if note:
            lines += ["", note]
        message = EmailMessage(subject=subject, body="\n".join(lines), to=[attendee.address])
        message.attach("clinic.ics", ics, f"text/calendar; method={method}; charset=utf-8")
        message.send()
        sent += 1
    return sent
