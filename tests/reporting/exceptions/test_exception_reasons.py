"""The pure exception rule and the beat task that builds due lists."""

import datetime

from indicators.analytics import constants as c
from indicators.analytics.exceptions import exception_reasons, is_overdue
from organisation.models import ReportingCalendar
from reporting.models import ExceptionList
from reporting.tasks import build_due_exception_lists


def test_every_reason_in_the_domain_order():
    reasons = exception_reasons(
        rag=c.RED,
        directions_so_far=[c.GOOD, c.BAD, c.BAD],
        variation=c.SPECIAL_CONCERNING,
        forecast_rag=c.RED,
    )
    assert reasons == ["red", "worsening", "special_concerning", "forecast_red"]


def test_one_bad_period_is_not_worsening_and_the_run_must_end_now():
    assert exception_reasons(directions_so_far=[c.GOOD, c.BAD]) == []
    assert exception_reasons(directions_so_far=[c.BAD, c.BAD, c.GOOD]) == []
    assert exception_reasons(directions_so_far=[c.BAD, c.BAD]) == ["worsening"]


def test_improving_special_cause_and_amber_are_not_exceptions():
    assert exception_reasons(rag=c.AMBER, variation=c.SPECIAL_IMPROVING, forecast_rag=c.AMBER) == []


def test_missing_from_the_due_date():
    end = datetime.date(2015, 12, 31)
    assert not is_overdue(end, 20, datetime.date(2016, 1, 19))
    assert not is_overdue(end, 20, datetime.date(2016, 1, 20))  # the due date itself: still due
    assert is_overdue(end, 20, datetime.date(2016, 1, 21))
    assert exception_reasons(missing=True) == ["missing"]


def test_the_beat_task_builds_due_lists_once(build_council):
    ReportingCalendar.objects.create(id=1, as_of=datetime.date(2016, 1, 20))
    build_council(2, months=12)  # Apr 2015 – Mar 2016
    assert build_due_exception_lists() == 9  # Apr–Dec 2015 are due by 20 Jan 2016
    assert build_due_exception_lists() == 0
    assert ExceptionList.objects.count() == 9
