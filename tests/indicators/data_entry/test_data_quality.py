import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from indicators.data_entry.services.data_quality import data_quality
from indicators.data_entry.services.results import result_approve, result_save_draft, result_submit
from indicators.models import Indicator, Result
from organisation.models import ReportingCalendar

DEC_2015, NOV_2015 = ("month", datetime.date(2015, 12, 1)), ("month", datetime.date(2015, 11, 1))


@pytest.fixture
def as_of(db):
    ReportingCalendar.objects.create(id=1, as_of=datetime.date(2016, 1, 25))


@pytest.mark.django_db
def test_six_standards_on_a_worked_case(pdr, periods, users, org, as_of):
    # Nov 2015 submitted on time then approved, then changed after approval; Dec 2015 missing.
    first = result_submit(
        user=users["officer"], indicator=pdr, period=periods[NOV_2015], value=Decimal(90), expected_version=0
    )
    Result.objects.filter(pk=first.result.pk).update(
        submitted_at=timezone.make_aware(datetime.datetime(2015, 12, 15))
    )
    first.result.refresh_from_db()
    result_approve(user=users["head"], result=first.result, expected_version=1)
    result_save_draft(
        user=users["officer"],
        indicator=pdr,
        period=periods[NOV_2015],
        value=Decimal(91),
        is_proxy=True,
        expected_version=2,
    )
    Indicator.objects.create(
        reference="IDLE1",
        title="Idle",
        category="performance",
        polarity="neutral",
        frequency="monthly",
        service=org["hr"],
    )
    council, directorates, services = data_quality(users["hub"])
    assert council.indicators == 2
    # STF90 due Feb 2015 .. Dec 2015 in the window; only Nov is present.
    assert council.count("missing") == council.due - council.present
    assert council.present == 0  # Nov 2015 is back to draft after the change
    assert council.count("changed_after_approval") == 1
    assert council.count("proxy") == 1
    assert [r.reference for r in council.records["no_data"]] == ["IDLE1"]
    assert services[0].name == "Human Resources"


@pytest.mark.django_db
def test_timeliness_and_median_days_late(pdr, periods, users, as_of):
    for key, day in ((NOV_2015, datetime.datetime(2015, 12, 15)), (DEC_2015, datetime.datetime(2016, 1, 24))):
        outcome = result_submit(
            user=users["officer"], indicator=pdr, period=periods[key], value=Decimal(90), expected_version=0
        )
        Result.objects.filter(pk=outcome.result.pk).update(submitted_at=timezone.make_aware(day))
    council, _, _ = data_quality(users["hub"])
    assert council.present == 2 and council.on_time == 1
    assert council.median_days_late == 4  # Dec due 20 Jan, sent 24 Jan
    assert council.count("awaiting") == 2


@pytest.mark.django_db
def test_invalid_results_are_counted_as_forms_would_refuse(pdr, periods, users, as_of):
    Result.objects.create(indicator=pdr, period=periods[DEC_2015], value=Decimal(120), status="approved")
    council, _, _ = data_quality(users["hub"])
    assert council.count("invalid") == 1
    assert "between 0 and 100" in council.records["invalid"][0].detail


@pytest.mark.django_db
def test_page_links_to_records_and_is_scoped(client, pdr, users, as_of):
    client.force_login(users["hub"])
    response = client.get("/data-quality/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "kind=missing" in body and "Human Resources" in body
    group = response.context["services"][0].key
    records = client.get(f"/data-quality/records/?group={group}&kind=missing")
    assert records.status_code == 200 and "STF90" in records.content.decode()
    assert client.get("/data-quality/records/?group=nope&kind=missing").status_code == 404
    assert client.get(f"/data-quality/records/?group={group}&kind=nope").status_code == 404
    for role in ("officer", "councillor", "scrutiny"):
        client.force_login(users[role])
        assert client.get("/data-quality/").status_code == 403
    client.logout()
    assert client.get("/data-quality/").status_code == 302


@pytest.mark.django_db
def test_data_quality_page_runs_a_fixed_number_of_queries(
    client, users, build_council, django_assert_num_queries, as_of
):
    client.force_login(users["hub"])
    build_council(4, months=10, prefix="S")
    client.get("/data-quality/")  # warm the session and content types
    with CaptureQueriesContext(connection) as small:
        client.get("/data-quality/")
    build_council(60, months=10, prefix="L")
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get("/data-quality/")
    assert response.context["council"].indicators == 64
