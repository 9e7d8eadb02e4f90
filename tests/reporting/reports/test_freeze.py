"""Acceptance: a published report is frozen. Change a Q3 result and a target after publishing:
the published page, PDF and .xlsx are byte-for-byte what they were; a new version shows the new
figures; version 1 stays readable with its digest, and the pages say which version is current."""

import datetime
import re
from decimal import Decimal

import pytest

from indicators.models import Result, Target
from indicators.services.assessments import recompute_assessments
from reporting.reports import services
from reporting.reports.models import Report

pytestmark = pytest.mark.django_db
ARTICLE = re.compile(r'<article class="kpi-report">.*?</article>', re.S)


def _article(response) -> str:
    assert response.status_code == 200
    return ARTICLE.search(response.content.decode()).group(0)


def _everything(client, report) -> dict:
    return {
        "page": _article(client.get(f"/reports/{report.id}/")),
        "pdf": client.get(f"/reports/{report.id}/report.pdf").content,
        "xlsx": client.get(f"/reports/{report.id}/report.xlsx").content,
        "public_page": _article(client.get(f"/public/reports/{report.id}/")),
        "public_pdf": client.get(f"/public/reports/{report.id}/report.pdf").content,
        "public_xlsx": client.get(f"/public/reports/{report.id}/report.xlsx").content,
        "public_json": client.get(f"/public/reports/{report.id}/data.json").content,
    }


def _gen000_row(sections):
    theme = next(s for s in sections if s["key"] == "theme-listens")
    return next(r for r in theme["rows"] if r[0] == "GEN000")


def test_later_data_changes_never_alter_a_published_version(published_q3, client, users, write_all):
    report = published_q3
    client.force_login(users["hub"])
    before = _everything(client, report)
    assert report.digest in before["page"] and before["pdf"].startswith(b"%PDF")
    old_row = _gen000_row(report.snapshot["sections"])

    # Change a Q3 result (December 2015) and the year's target, and recompute.
    result = Result.objects.get(indicator__reference="GEN000", period__start=datetime.date(2015, 12, 1))
    result.value = Decimal("12.5")
    result.save()
    target = Target.objects.get(indicator__reference="GEN000", period__kind="year")
    target.value = Decimal("90")
    target.save()
    recompute_assessments()

    after = _everything(client, report)
    assert after == before
    report.refresh_from_db()
    assert _gen000_row(report.snapshot["sections"]) == old_row

    # A correction: version 2 shows the new figures; version 1 stays as it was.
    v2 = services.new_version(users["hub"], report, "December result for GEN000 corrected.")
    assert v2.version == 2 and v2.supersedes == report and v2.status == Report.Status.DRAFT
    new_row = _gen000_row(v2.data["sections"])
    assert new_row[3] == "12.5%" and new_row[4] == "90.0%" and new_row != old_row
    assert v2.narrative.count() == report.narrative.count()  # the narrative carried over
    v1_page = client.get(f"/reports/{report.id}/").content.decode()
    assert "Current version" in v1_page and report.digest in v1_page

    write_all(v2, users["hub"])
    services.submit_for_review(users["hub"], v2)
    services.sign_off(users["cmt"], v2)
    services.publish(users["hub"], v2, confirmed=True, is_public=True)
    assert v2.digest != report.digest
    assert _everything(client, report) == before  # version 1 unchanged, still readable
    v1_page = client.get(f"/reports/{report.id}/").content.decode()
    assert "This is not the current version" in v1_page and f"/reports/{v2.id}/" in v1_page
    v2_page = client.get(f"/reports/{v2.id}/").content.decode()
    assert "Current version" in v2_page and "December result for GEN000 corrected." in v2_page
    public_v1 = client.get(f"/public/reports/{report.id}/").content.decode()
    assert "This is not the current version" in public_v1
    assert "12.5%" in v2_page and "12.5%" not in before["page"]


def test_a_version_can_be_superseded_once_and_needs_a_change_note(published_q3, users):
    from reporting.reports.services import ReportRefused

    with pytest.raises(ReportRefused, match="change note"):
        services.new_version(users["hub"], published_q3, "  ")
    services.new_version(users["hub"], published_q3, "Fix")
    with pytest.raises(ReportRefused, match="already been superseded"):
        services.new_version(users["hub"], published_q3, "Fix again")


def test_the_page_shows_the_digest_and_as_at_date(published_q3, client, users):
    client.force_login(users["cmt"])
    page = client.get(f"/reports/{published_q3.id}/").content.decode()
    assert published_q3.digest in page and "2016-01-20" in page
    public = client.get(f"/public/reports/{published_q3.id}/").content.decode()
    assert published_q3.public_digest in public
    from reporting.reports import snapshot

    assert snapshot.digest(published_q3.snapshot) == published_q3.digest
    assert snapshot.digest(published_q3.public_snapshot) == published_q3.public_digest
