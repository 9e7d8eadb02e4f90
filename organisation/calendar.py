"""The council's reporting date: the one definition every app measures "due" and "late" against."""

import datetime

from django.utils import timezone

from organisation.models import ReportingCalendar


def reporting_date() -> datetime.date:
    """The hub's fixed reporting date, else today in the council's time zone (Europe/London).

    Always `timezone.localdate()`, never `date.today()`: between 00:00 and 01:00 BST the two
    disagree, and a return would be due on one page and not yet due on the next.
    """
    calendar = ReportingCalendar.objects.filter(id=1).first()
    return (calendar.as_of if calendar and calendar.as_of else None) or timezone.localdate()
