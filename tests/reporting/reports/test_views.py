"""The report pages: generation and its progress, the checklist, narrative forms, publishing
with a confirmation, a fixed number of SQL queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reporting.reports import services
from reporting.reports.models import Report

pytestmark = pytest.mark.django_db


def test_hub_generates_from_the_page_and_sees_progress(report_council, client, users, q3):
    report_council()
    client.force_login(users["hub"])
    page = client.get("/reports/").content.decode()
    assert "Generate a report" in page and "Q3 2015/16" in page
    response = client.post("/reports/generate/", {"kind": "executive", "period": q3.id})
    report = Report.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/reports/{report.id}/"
    detail = client.get(response["Location"]).content.decode()
    assert 'id="generation-bar"' in detail and 'value="100"' in detail
    assert "Narrative checklist" in detail and "Overall summary" in detail


def test_progress_polls_while_the_task_runs_and_stops_when_done(executive_q3, client, users):
    client.force_login(users["hub"])
    done = client.get(f"/reports/{executive_q3.id}/progress/").content.decode()
    assert "hx-trigger" not in done and "100%" in done
    Report.objects.filter(pk=executive_q3.pk).update(generation="running", generation_progress=40)
    running = client.get(
        f"/reports/{executive_q3.id}/progress/", headers={"HX-Request": "true"}
    ).content.decode()
    assert 'hx-trigger="every 1s"' in running and 'value="40"' in running
    assert "Refresh to see the report" in running  # without JavaScript
    assert "HX-Refresh" not in client.get(
        f"/reports/{executive_q3.id}/progress/?poll=1", headers={"HX-Request": "true"}
    )
    Report.objects.filter(pk=executive_q3.pk).update(generation="done", generation_progress=100)
    finished = client.get(f"/reports/{executive_q3.id}/progress/?poll=1", headers={"HX-Request": "true"})
    assert finished["HX-Refresh"] == "true"  # the page reloads once to show the generated report


def test_bad_generation_input_shows_an_error_summary(report_council, client, users, q3):
    report_council()
    client.force_login(users["hub"])
    response = client.post("/reports/generate/", {"kind": "dmt", "period": q3.id})
    assert response.status_code == 400
    page = response.content.decode()
    assert "govuk-error-summary" in page and "is for a month" in page
    assert client.post("/reports/generate/", {"kind": "executive", "period": "<script>"}).status_code == 400
    assert not Report.objects.exists()


def test_narrative_form_saves_and_refuses_with_the_message_by_the_field(executive_q3, client, users):
    client.force_login(users["hub"])
    url = f"/reports/{executive_q3.id}/narrative/summary/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"text": "x" * 20_001})
    assert response.status_code == 400 and 'id="text-error"' in response.content.decode()
    response = client.post(url, {"text": "A **good** quarter."})
    assert response.status_code == 302
    assert executive_q3.narrative.get(slot="summary").text == "A **good** quarter."
    page = client.get(f"/reports/{executive_q3.id}/").content.decode()
    assert "<strong>good</strong>" in page


def test_publish_needs_confirmation_and_lists_missing_narrative(executive_q3, client, users, write_all):
    client.force_login(users["hub"])
    client.post(f"/reports/{executive_q3.id}/step/submit/")
    client.force_login(users["director"])
    response = client.post(f"/reports/{executive_q3.id}/step/sign-off/", follow=True)
    assert (
        "some narrative is missing" in response.content.decode()
        and "Overall summary" in response.content.decode()
    )
    client.force_login(users["hub"])
    client.post(f"/reports/{executive_q3.id}/step/return/", {"reason": "Write it"})
    write_all(executive_q3, users["hub"])
    client.post(f"/reports/{executive_q3.id}/step/submit/")
    client.force_login(users["director"])
    client.post(f"/reports/{executive_q3.id}/step/sign-off/")
    client.force_login(users["hub"])
    assert "I confirm" in client.get(f"/reports/{executive_q3.id}/publish/").content.decode()
    unconfirmed = client.post(f"/reports/{executive_q3.id}/publish/", {"public": "yes"})
    assert (
        unconfirmed.status_code == 400 and "Confirm that you want to publish" in unconfirmed.content.decode()
    )
    executive_q3.refresh_from_db()
    assert executive_q3.status == Report.Status.SIGNED_OFF
    response = client.post(f"/reports/{executive_q3.id}/publish/", {"public": "yes", "confirm": "yes"})
    assert response.status_code == 302
    executive_q3.refresh_from_db()
    assert executive_q3.is_published and executive_q3.is_public


def test_new_version_form_refuses_an_empty_change_note(published_q3, client, users):
    client.force_login(users["hub"])
    response = client.post(f"/reports/{published_q3.id}/new-version/", {"change_note": ""})
    assert response.status_code == 400 and 'id="change_note-error"' in response.content.decode()
    response = client.post(f"/reports/{published_q3.id}/new-version/", {"change_note": "Corrected"})
    assert response.status_code == 302 and Report.objects.filter(version=2).exists()


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _fresh_council(report_council, size):
    from indicators.models import Indicator
    from reporting.reports.models import NarrativeItem, ReportEvent, ReportFile

    ReportFile.objects.all().delete()
    NarrativeItem.objects.all().delete()
    ReportEvent.objects.all().delete()
    Report.objects.all().delete()
    Indicator.objects.all().delete()
    report_council(size)


def _publish(users, write_all, kind, period, **scope):
    report = services.start_generation(users["hub"], kind, period.id, **scope)
    write_all(report, users["hub"])
    services.submit_for_review(users["hub"], report)
    services.sign_off(users["hub" if kind == "dmt" else "director"], report)
    services.publish(users["hub"], report, confirmed=True, is_public=True)
    return report


@pytest.mark.parametrize("path", ["/reports/{id}/", "/public/reports/{id}/", "/reports/", "/public/reports/"])
def test_report_pages_run_a_fixed_number_of_queries(report_council, users, q3, write_all, client, org, path):
    """At 4 indicators and one report, and at 12 indicators and three reports."""
    counts = []
    for size in (4, 12):
        _fresh_council(report_council, size)
        report = _publish(users, write_all, "executive", q3)
        if size == 12:
            _publish(users, write_all, "cmt", q3)
            _publish(users, write_all, "board", q3, board_id=org["board"].id)
        client.force_login(users["hub"])
        counts.append(_queries(client, path.format(id=report.id)))
    assert counts[0] == counts[1], counts


def test_draft_report_page_queries_do_not_grow_with_the_indicators(report_council, users, q3, client):
    counts = []
    for size in (4, 12):
        _fresh_council(report_council, size)
        report = services.start_generation(users["hub"], "executive", q3.id)
        client.force_login(users["hub"])
        counts.append(_queries(client, f"/reports/{report.id}/"))
    assert counts[0] == counts[1], counts


def test_exception_report_and_publishing_pages_run_a_fixed_number_of_queries(
    report_council, users, q3, write_all, client, org, monkeypatch
):
    """A board's exception report (draft, as its member reads it) and a report being published
    (its files still to make), at 4 and at 12 indicators."""
    monkeypatch.setattr(services, "_enqueue_files", lambda report_id: None)  # the worker is busy
    counts = []
    for size in (4, 12):
        _fresh_council(report_council, size)
        draft = services.start_generation(users["hub"], "exception", q3.id, board_id=org["board"].id)
        publishing = services.start_generation(users["hub"], "executive", q3.id)
        write_all(publishing, users["hub"])
        services.submit_for_review(users["hub"], publishing)
        services.sign_off(users["director"], publishing)
        services.publish(users["hub"], publishing, confirmed=True, is_public=True)
        assert Report.objects.get(pk=publishing.pk).status == "publishing"
        client.force_login(users["scrutiny"])
        member = _queries(client, f"/reports/{draft.id}/")
        client.force_login(users["hub"])
        counts.append((member, _queries(client, f"/reports/{publishing.id}/")))
    assert counts[0] == counts[1], counts
