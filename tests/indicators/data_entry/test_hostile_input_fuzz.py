"""Hypothesis drives query parameters and form fields with hostile values: no 5xx, and a refused
form writes nothing (issue 11, item 9). Kept small enough for every CI run."""

import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicators.models import Result, Target, TargetChange

pytestmark = pytest.mark.django_db

HOSTILE = st.one_of(
    st.text(max_size=60),
    st.sampled_from(
        [
            "\x00",
            "Dec 0000",
            "9999/00",
            "Q4 9999/00",
            "fy9999-00",
            "0000-12",
            "1" * 40,
            "1e400",
            "NaN",
            "-0",
            "\r\nSet-Cookie: a=1",
            "'; DROP TABLE x;--",
            "<script>alert(1)</script>",
            "\uff1dSUM(A1)",
            "%00",
            "../../etc/passwd",
            "\x01\x02\x7f",
        ]
    ),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
)
GET_PAGES = [
    "/returns/",
    "/returns/bulk/",
    "/scorecards/cmt/",
    "/exceptions/",
    "/indicators/",
    "/exports/results.csv",
    "/exports/template.xlsx",
    "/audit/",
    "/data-quality/",
    "/public/",
]
PARAMS = ["period", "indicator", "directorate", "service", "rag", "sort", "page", "q", "format", "figures"]
FUZZ = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(page=st.sampled_from(GET_PAGES), params=st.dictionaries(st.sampled_from(PARAMS), HOSTILE, max_size=3))
def test_query_parameters_never_give_a_server_error(client, users, pdr, page, params):
    client.force_login(users["hub"])
    response = client.get(page, params)
    assert response.status_code < 500, (page, params)


@FUZZ
@given(period=HOSTILE, value=HOSTILE, reason=HOSTILE)
def test_the_target_form_refuses_hostile_values_and_writes_nothing(client, users, pdr, period, value, reason):
    client.force_login(users["hub"])
    before = (Target.objects.count(), TargetChange.objects.count())
    response = client.post("/targets/STF90/", {"period": period, "value": value, "reason": reason})
    assert response.status_code < 500
    if response.status_code != 302:
        assert (Target.objects.count(), TargetChange.objects.count()) == before


@FUZZ
@given(value=HOSTILE, numerator=HOSTILE, denominator=HOSTILE, commentary=HOSTILE)
def test_the_return_form_refuses_hostile_values_and_writes_nothing(
    client, users, pdr, value, numerator, denominator, commentary
):
    from organisation.models import ReportingCalendar

    ReportingCalendar.objects.update_or_create(id=1, defaults={"as_of": datetime.date(2016, 1, 25)})
    client.force_login(users["officer"])
    before = Result.objects.count()
    form = {
        "value": value,
        "numerator": numerator,
        "denominator": denominator,
        "commentary": commentary,
        "version": "0",
        "key": "",
        "action": "draft",
    }
    response = client.post("/returns/STF90/2015-12/", form)
    assert response.status_code < 500
    if response.status_code != 302:
        assert Result.objects.count() == before
    Result.objects.all().delete()
