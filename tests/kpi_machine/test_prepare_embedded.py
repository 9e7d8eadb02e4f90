"""`manage.py prepare_embedded` (what `make run` runs first): the demo's past periods show as reported.

The embedded mode has no beat, so the exception lists that have fallen due are built at start;
a second start builds nothing.
"""

from io import StringIO

import pytest
from django.core.management import call_command

from indicators.models import Period
from reporting.models import ExceptionList, ReportedAssessment
from reporting.scorecards import scorecard

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def embedded(db, settings):
    settings.DEBUG = True  # load_demo is for development databases only
    settings.PASSWORD_HASHERS = FAST_HASHERS


def test_first_start_builds_the_due_lists_and_a_second_builds_none(embedded, django_user_model):
    out = StringIO()
    call_command("prepare_embedded", stdout=out)
    assert "Loaded the demo council" in out.getvalue()
    assert "exception lists that had fallen due" in out.getvalue()
    # The demo's reporting date is 20 Jan 2016: Dec 2015's returns were due, Jan 2016's were not.
    reported = set(ExceptionList.objects.values_list("period__label", flat=True))
    assert {"Dec 2015", "Q3 2015/16", "Apr 2012"} <= reported
    assert not reported & {"Jan 2016", "Q4 2015/16"}
    december = Period.objects.get(kind="month", label="Dec 2015")
    assert ReportedAssessment.objects.filter(period=december).exists()

    card = scorecard(
        django_user_model.objects.get(username="director"), "directorate", "oce", period="2015-12"
    )
    assert card.as_reported and card.reported_on is not None
    assert not card.notices

    again = StringIO()
    lists = ExceptionList.objects.count()
    call_command("prepare_embedded", stdout=again)
    assert "left it as it is" in again.getvalue()
    assert "fallen due" not in again.getvalue()
    assert ExceptionList.objects.count() == lists
