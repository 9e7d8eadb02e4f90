"""Publishing freezes the report in the request and leaves the PDFs and workbooks to a task: the
version is readable by others (and on /public/) once its files are stored; the page polls the
task's progress with htmx; a failed render is recorded and made again without changing what was
stored."""

import pytest

from reporting.reports import render, services
from reporting.reports.models import Report, ReportFile

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_off(executive_q3, users, write_all):
    write_all(executive_q3, users["hub"])
    services.submit_for_review(users["hub"], executive_q3)
    services.sign_off(users["director"], executive_q3)
    return executive_q3


@pytest.fixture
def worker_later(monkeypatch):
    """The task queued but not yet run (a worker busy elsewhere): run it with `run()`."""
    queued = []
    monkeypatch.setattr(services, "_enqueue_files", queued.append)

    def run():
        for report_id in queued:
            services.render_files(report_id)
        queued.clear()

    return run


def test_the_version_is_frozen_at_once_and_readable_when_its_files_are_stored(
    signed_off, users, client, worker_later
):
    report = signed_off
    client.force_login(users["hub"])
    response = client.post(f"/reports/{report.id}/publish/", {"confirm": "yes", "public": "yes"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "publishing" and report.digest and report.html and report.snapshot
    assert not ReportFile.objects.filter(report=report).exists()
    page = client.get(f"/reports/{report.id}/").content.decode()
    assert 'id="files-bar"' in page and 'hx-trigger="every 1s"' in page and report.digest in page
    assert "Narrative checklist" not in page  # frozen: nothing more to write
    polled = client.get(f"/reports/{report.id}/files-progress/?poll=1", headers={"HX-Request": "true"})
    assert "HX-Refresh" not in polled and "making the PDF" in polled.content.decode()
    # Not yet readable by others, nor on /public/, and no files to download.
    assert client.get(f"/reports/{report.id}/report.pdf").status_code == 404
    client.force_login(users["councillor"])
    assert client.get(f"/reports/{report.id}/").status_code == 403
    client.logout()
    assert client.get(f"/public/reports/{report.id}/").status_code == 404
    assert f"/public/reports/{report.id}/" not in client.get("/public/reports/").content.decode()
    with pytest.raises(services.ReportRefused):
        services.start_generation(users["hub"], "executive", report.period_id)  # no re-generation either

    frozen = (report.digest, report.html, report.public_html)
    worker_later()
    report.refresh_from_db()
    assert report.status == "published" and (report.digest, report.html, report.public_html) == frozen
    assert ReportFile.objects.filter(report=report).count() == 4 and report.files_progress == 100
    assert [e.action for e in report.events.order_by("at", "id")][-2:] == ["frozen", "published"]
    assert report.events.get(action="published").by == users["hub"]
    client.force_login(users["hub"])
    done = client.get(f"/reports/{report.id}/files-progress/?poll=1", headers={"HX-Request": "true"})
    assert done["HX-Refresh"] == "true"  # the page reloads once, to the published version
    assert client.get(f"/reports/{report.id}/report.pdf").content.startswith(b"%PDF")
    client.logout()
    assert client.get(f"/public/reports/{report.id}/report.pdf").status_code == 200


def test_a_failed_render_is_recorded_and_made_again_keeping_what_was_stored(
    signed_off, users, client, worker_later, monkeypatch
):
    report = signed_off
    services.publish(users["hub"], report, confirmed=True, is_public=False)
    real_xlsx = render.render_xlsx

    def broken(*args):
        raise RuntimeError("out of memory")

    monkeypatch.setattr(services, "render_xlsx", broken)
    worker_later()
    report.refresh_from_db()
    assert report.status == "publishing" and "Making the files failed: out of memory" in report.files_message
    first_pdf = ReportFile.objects.get(report=report, audience="internal", format="pdf")
    client.force_login(users["hub"])
    assert "Make the files again" in client.get(f"/reports/{report.id}/").content.decode()
    for role in ("cmt", "director", "auditor"):  # only the hub publishes
        client.force_login(users[role])
        assert client.post(f"/reports/{report.id}/make-files/").status_code == 403
    client.logout()
    assert client.post(f"/reports/{report.id}/make-files/").status_code == 302  # to sign in
    monkeypatch.setattr(services, "render_xlsx", real_xlsx)
    client.force_login(users["hub"])
    assert client.post(f"/reports/{report.id}/make-files/").status_code == 302
    worker_later()
    report.refresh_from_db()
    assert report.status == "published" and report.files.count() == 4
    again = ReportFile.objects.get(report=report, audience="internal", format="pdf")
    assert (again.id, bytes(again.content)) == (first_pdf.id, bytes(first_pdf.content))  # stored once
    # Once published there is nothing left to make.
    assert client.post(f"/reports/{report.id}/make-files/", follow=True).status_code == 200
    assert Report.objects.get(pk=report.pk).files.count() == 4


def test_the_files_progress_is_not_for_those_who_may_not_read_the_report(signed_off, users, client):
    url = f"/reports/{signed_off.id}/files-progress/"
    assert client.get(url).status_code == 302
    for role in ("councillor", "scrutiny", "officer"):
        client.force_login(users[role])
        assert client.get(url).status_code == 403
