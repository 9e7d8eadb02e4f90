"""/exceptions/: hub and CMT read it, by period and directorate; the hub marks entries reviewed."""

import datetime

import pytest
from django.urls import reverse

from indicators.models import Period
from organisation.models import ReportingCalendar
from reporting.exceptions import exception_lists_build_due
from reporting.models import ExceptionEntry


@pytest.fixture
def built(build_council, db):
    ReportingCalendar.objects.create(id=1, as_of=datetime.date(2016, 6, 1))
    build_council(12, months=12)  # values 50..69 against a target of 60: some red
    exception_lists_build_due()
    assert ExceptionEntry.objects.exists()
    return Period.objects.get(kind="month", start=datetime.date(2016, 3, 1))


URL = "/exceptions/"


@pytest.mark.parametrize("role", ["hub", "cmt"])
def test_hub_and_cmt_see_the_latest_list(client, users, built, role):
    client.force_login(users[role])
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["chosen"].period == built
    refs = {row.reference for row in response.context["rows"]}
    assert refs == set(
        ExceptionEntry.objects.filter(period=built).values_list("indicator__reference", flat=True)
    )
    assert b"Exceptions</strong>" in response.content  # the nav item, current


@pytest.mark.parametrize("role", ["officer", "head", "director", "councillor", "scrutiny", "auditor"])
def test_other_roles_are_refused(client, users, built, role):
    client.force_login(users[role])
    assert client.get(URL).status_code == 403
    entry = ExceptionEntry.objects.first()
    assert client.post(reverse("exceptions:review", args=[entry.id]), {"note": "x"}).status_code == 403


def test_anonymous_is_sent_to_sign_in(client, built):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_filter_by_period_and_directorate(client, users, built, org):
    client.force_login(users["cmt"])
    response = client.get(URL, {"period": "2015-06", "directorate": "place"})
    assert response.context["chosen"].period.label == "Jun 2015"
    assert {row.directorate for row in response.context["rows"]} <= {"Economy and Place"}


def test_an_unknown_period_falls_back_with_a_notice(client, users, built):
    client.force_login(users["cmt"])
    response = client.get(URL, {"period": "<script>", "directorate": "nope"})
    assert response.status_code == 200
    assert response.context["chosen"].period == built
    assert len(response.context["notices"]) == 2
    assert b"<script>" not in response.content


def test_htmx_gets_just_the_results(client, users, built):
    client.force_login(users["hub"])
    response = client.get(URL, headers={"HX-Request": "true", "HX-Target": "exception-results"})
    assert response.status_code == 200
    assert response.content.lstrip().startswith(b'<div id="exception-results"')


def test_hub_marks_an_entry_reviewed(client, users, built):
    client.force_login(users["hub"])
    entry = ExceptionEntry.objects.filter(period=built).first()
    response = client.post(
        reverse("exceptions:review", args=[entry.id]), {"note": "Clinic called.", "period": "2016-03"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/exceptions/?period=2016-03#entry-{entry.id}"
    entry.refresh_from_db()
    assert (entry.review_note, entry.reviewed_by) == ("Clinic called.", users["hub"])


def test_a_review_without_a_note_is_refused_with_a_message(client, users, built):
    client.force_login(users["hub"])
    entry = ExceptionEntry.objects.filter(period=built).first()
    response = client.post(
        reverse("exceptions:review", args=[entry.id]), {"note": " ", "period": "2016-03"}
    )
    assert response.status_code == 400
    assert b"govuk-error-summary" in response.content
    assert b"Enter a review note" in response.content
    entry.refresh_from_db()
    assert entry.reviewed_at is None


def test_reviewing_a_missing_entry_is_a_404(client, users, built):
    client.force_login(users["hub"])
    assert client.post(reverse("exceptions:review", args=[999999]), {"note": "x"}).status_code == 404


def test_review_needs_post(client, users, built):
    client.force_login(users["hub"])
    entry = ExceptionEntry.objects.first()
    assert client.get(reverse("exceptions:review", args=[entry.id])).status_code == 405


@pytest.mark.parametrize("count", [4, 16])
def test_the_page_runs_a_fixed_number_of_queries(
    client, users, build_council, django_assert_num_queries, count
):
    ReportingCalendar.objects.create(id=1, as_of=datetime.date(2016, 6, 1))
    build_council(count, months=12)
    exception_lists_build_due()
    client.force_login(users["hub"])
    client.get(URL)  # warm the session
    with django_assert_num_queries(12):
        # session, user, profile, lists, directorates, entries, assessments, as-reported,
        # clinics (issue 14, three added: the suggestions' assessments and decisions, the clinic
        # marks), the log of deliberate as-reported history rewrites
        client.get(URL)


def test_hub_rewrites_as_reported_history_with_a_reason_and_it_is_logged(client, users, built):
    from indicators.models import Indicator, Target
    from indicators.services.assessments import recompute_assessments
    from reporting.models import HistoryRecompute, ReportedAssessment

    reported = ReportedAssessment.objects.filter(period=built).exclude(rag="none").first()
    indicator = Indicator.objects.get(id=reported.indicator_id)
    # A much easier target re-colours the current assessment but not what was reported.
    Target.objects.filter(indicator=indicator).update(
        value=-1000 if indicator.polarity == "up_is_good" else 1000
    )
    recompute_assessments(indicator_ids=[indicator.id])
    assert ReportedAssessment.objects.get(id=reported.id).rag == reported.rag

    client.force_login(users["hub"])
    period = built.key
    refused = client.post(reverse("exceptions:history"), {"period": period, "reason": "  "})
    assert refused.status_code == 400
    assert "Enter why the as-reported history" in refused.content.decode()
    assert not HistoryRecompute.objects.exists()

    response = client.post(reverse("exceptions:history"), {"period": period, "reason": "Target corrected"})
    assert response.status_code == 302
    log = HistoryRecompute.objects.get()
    assert (log.period, log.reason, log.recomputed_by) == (built, "Target corrected", users["hub"])
    assert ReportedAssessment.objects.get(period=built, indicator=indicator).rag == "green"
    assert "Target corrected" in client.get(URL, {"period": period}).content.decode()


@pytest.mark.parametrize("role", ["cmt", "officer", "auditor"])
def test_only_the_hub_rewrites_history(client, users, built, role):
    from reporting.models import HistoryRecompute

    client.force_login(users[role])
    response = client.post(reverse("exceptions:history"), {"period": "2016-03", "reason": "x"})
    assert response.status_code == 403
    assert not HistoryRecompute.objects.exists()
