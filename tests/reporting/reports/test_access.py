"""Who may generate, write, review, sign off, publish and read each kind of report; every denied
path answers 403 (signed in) or sends to sign-in (anonymous); /public/ shows public published
versions only."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from indicators.models import Period
from organisation import roles
from reporting.reports import services
from reporting.reports.models import Report

pytestmark = pytest.mark.django_db


def _urls(report):
    rid = report.id
    return {
        "get": [f"/reports/{rid}/", f"/reports/{rid}/progress/", f"/reports/{rid}/narrative/summary/"],
        "post": [
            f"/reports/{rid}/regenerate/",
            f"/reports/{rid}/narrative/summary/",
            f"/reports/{rid}/narrative/summary/review/",
            f"/reports/{rid}/exempt/",
            f"/reports/{rid}/step/submit/",
            f"/reports/{rid}/step/sign-off/",
            f"/reports/{rid}/step/return/",
            f"/reports/{rid}/publish/",
            f"/reports/{rid}/new-version/",
        ],
    }


def test_anonymous_visitors_are_sent_to_sign_in(executive_q3, client):
    paths = ["/reports/", "/reports/calendar/", "/reports/returns/", "/reports/generate/"]
    urls = _urls(executive_q3)
    for path in paths + urls["get"] + [f"/reports/{executive_q3.id}/report.pdf"]:
        response = client.get(path)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], path
    for path in urls["post"]:
        response = client.post(path, {"text": "x", "reason": "x", "confirm": "yes"})
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], path
    assert Report.objects.get().status == Report.Status.DRAFT


@pytest.mark.parametrize("role", ["officer", "head", "councillor", "scrutiny"])
def test_roles_without_rights_get_403_on_a_draft_and_change_nothing(executive_q3, client, users, role):
    client.force_login(users[role])
    urls = _urls(executive_q3)
    for path in urls["get"]:
        assert client.get(path).status_code == 403, path
    for path in urls["post"]:
        assert client.post(path, {"text": "x", "reason": "x", "confirm": "yes"}).status_code == 403, path
    executive_q3.refresh_from_db()
    assert executive_q3.status == Report.Status.DRAFT and not executive_q3.narrative.exists()
    assert client.get("/reports/").status_code == 200
    assert executive_q3.title not in client.get("/reports/").content.decode()


@pytest.mark.parametrize("role", ["director", "cmt", "auditor", "officer", "councillor"])
def test_only_the_hub_generates(report_council, client, users, q3, role):
    report_council()
    client.force_login(users[role])
    assert client.post("/reports/generate/", {"kind": "executive", "period": q3.id}).status_code == 403
    assert not Report.objects.exists()
    with pytest.raises(PermissionDenied):
        services.start_generation(users[role], "executive", q3.id)


@pytest.mark.parametrize("role", ["cmt", "auditor"])
def test_readers_who_may_not_write_get_403_when_writing(executive_q3, client, users, role):
    client.force_login(users[role])
    assert client.get(f"/reports/{executive_q3.id}/").status_code == 200
    assert client.post(f"/reports/{executive_q3.id}/narrative/summary/", {"text": "x"}).status_code == 403
    assert client.post(f"/reports/{executive_q3.id}/publish/", {"confirm": "yes"}).status_code == 403
    assert not executive_q3.narrative.exists()


def test_auditor_may_not_review_or_sign_off(executive_q3, users):
    services.save_narrative(users["hub"], executive_q3, "summary", "Words")
    with pytest.raises(PermissionDenied):
        services.review_narrative(users["auditor"], executive_q3, "summary")
    services.submit_for_review(users["hub"], executive_q3)
    with pytest.raises(PermissionDenied):
        services.sign_off(users["auditor"], executive_q3)
    with pytest.raises(PermissionDenied):
        services.return_to_draft(users["auditor"], executive_q3, "no")


def test_cmt_may_not_publish_or_issue_versions_and_the_hub_may_not_sign_off_corporate_reports(
    executive_q3, users, write_all
):
    write_all(executive_q3, users["hub"])
    services.submit_for_review(users["hub"], executive_q3)
    with pytest.raises(PermissionDenied):
        services.sign_off(users["hub"], executive_q3)
    services.sign_off(users["cmt"], executive_q3)
    with pytest.raises(PermissionDenied):
        services.publish(users["cmt"], executive_q3, confirmed=True, is_public=True)
    services.publish(users["hub"], executive_q3, confirmed=True, is_public=True)
    with pytest.raises(PermissionDenied):
        services.new_version(users["cmt"], executive_q3, "x")


def test_published_readers_by_role(published_q3, client, users):
    report = published_q3
    for role in ("hub", "cmt", "auditor", "director", "councillor"):
        client.force_login(users[role])
        assert client.get(f"/reports/{report.id}/").status_code == 200, role
        assert client.get(f"/reports/{report.id}/report.pdf").status_code == 200, role
    for role in ("officer", "head", "scrutiny"):
        client.force_login(users[role])
        assert client.get(f"/reports/{report.id}/").status_code == 403, role
        assert client.get(f"/reports/{report.id}/report.pdf").status_code == 403, role


def test_scrutiny_reads_its_own_boards_published_report_only(
    report_council, users, q3, org, write_all, make_user
):
    from organisation.models import Board, Role

    report_council()
    report = services.start_generation(users["hub"], "board", q3.id, board_id=org["board"].id)
    other = Board.objects.create(name="Other board", slug="other")
    outsider = make_user(Role.SCRUTINY, username="outsider", board=other)
    assert not services.may_read(users["scrutiny"], report)  # a draft
    write_all(report, users["hub"])
    services.submit_for_review(users["hub"], report)
    services.sign_off(users["cmt"], report)
    services.publish(users["hub"], report, confirmed=True, is_public=False)
    assert services.may_read(users["scrutiny"], report)
    assert not services.may_read(outsider, report)


def test_dmt_reports_by_directorate(report_council, users, org, write_all, make_user):
    from organisation.models import Role

    report_council()
    december = Period.objects.get(kind="month", start=datetime.date(2015, 12, 1))
    report = services.start_generation(users["hub"], "dmt", december.id, directorate_id=org["oce"].id)
    place_director = make_user(Role.DIRECTOR, username="placedirector", directorate=org["place"])
    assert services.may_read(users["director"], report) and not services.may_read(place_director, report)
    with pytest.raises(PermissionDenied):
        services.save_narrative(place_director, report, "summary", "x")
    assert not services.may_read(users["head"], report)  # a draft
    write_all(report, users["director"])
    services.submit_for_review(users["director"], report)
    services.sign_off(users["hub"], report)
    services.publish(users["hub"], report, confirmed=True, is_public=False)
    assert services.may_read(users["head"], report) and services.may_read(users["officer"], report)
    assert not services.may_read(users["councillor"], report)


def test_public_pages_show_public_published_versions_only(
    published_q3, executive_q3, client, users, report_council
):
    report = published_q3
    listing = client.get("/public/reports/").content.decode()
    assert report.title in listing
    assert client.get(f"/public/reports/{report.id}/").status_code == 200
    assert client.get(f"/public/reports/{report.id}/report.pdf")["Content-Type"] == "application/pdf"
    assert client.get(f"/public/reports/{report.id}/data.json").json()["digest"] == report.public_digest
    # Not public: a 404 to everyone on /public/, even when published.
    Report.objects.filter(pk=report.pk).update(is_public=False)
    for path in ("", "report.pdf", "report.xlsx", "data.json"):
        assert client.get(f"/public/reports/{report.id}/{path}").status_code == 404
    assert report.title not in client.get("/public/reports/").content.decode()


def test_drafts_never_appear_on_public_pages(executive_q3, client):
    Report.objects.filter(pk=executive_q3.pk).update(is_public=True)  # public, but not published
    assert client.get(f"/public/reports/{executive_q3.id}/").status_code == 404
    assert client.get(f"/public/reports/{executive_q3.id}/report.pdf").status_code == 404
    assert executive_q3.title not in client.get("/public/reports/").content.decode()


def test_unknown_reports_and_files_are_404(published_q3, executive_q3, client, users):
    client.force_login(users["hub"])
    assert client.get("/reports/999999/").status_code == 404
    assert client.get(f"/reports/{published_q3.id}/report.docx").status_code == 404
    assert client.get(f"/public/reports/{published_q3.id}/report.docx").status_code == 404
    assert client.get(f"/reports/{published_q3.id}/narrative/nonsense/").status_code == 404


def test_command_line_acts_as_the_hub():
    assert roles.may_read_report(None, "executive", None, None, published=False)
    assert roles.may_generate_reports(None)


HOSTILE = "?q=%3Cscript%3E&period=99999&page=-1&sort=__class__&kind=%27%22"


@pytest.mark.parametrize(
    "role", [None, "officer", "head", "director", "cmt", "hub", "councillor", "scrutiny", "auditor"]
)
def test_no_report_page_gives_a_server_error_to_any_role(published_q3, client, users, role):
    if role:
        client.force_login(users[role])
    rid = published_q3.id
    for path in (
        "/reports/",
        "/reports/calendar/",
        "/reports/returns/",
        f"/reports/{rid}/",
        f"/reports/{rid}/progress/",
        f"/reports/{rid}/report.pdf",
        f"/reports/{rid}/report.xlsx",
        f"/reports/{rid}/new-version/",
        f"/reports/{rid}/publish/",
        f"/reports/{rid}/narrative/summary/",
        f"/reports/{rid}/step/nonsense/",
        "/public/reports/",
        f"/public/reports/{rid}/",
        f"/public/reports/{rid}/data.json",
    ):
        for url in (path, path + HOSTILE):
            assert client.get(url).status_code < 500, url
    for path in (f"/reports/{rid}/step/nonsense/", "/reports/generate/", f"/reports/{rid}/exempt/"):
        assert client.post(path, {"kind": "<x>", "period": "-1", "sections": ["'"]}).status_code < 500, path
