"""Ad hoc exception reports: for a board or a set of indicators and a chosen period, requested by the
hub or the board's members, through the same draft → sign-off → publish workflow, frozen."""

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied

from indicators.models import Indicator, Period, Result
from indicators.services.assessments import recompute
from indicators.services.periods import ensure_periods
from organisation.models import Board, Role
from reporting.reports import services
from reporting.reports.models import Report
from reporting.reports.services import ReportRefused

pytestmark = pytest.mark.django_db
ARTICLE = re.compile(r'<article class="kpi-report">.*?</article>', re.S)


def keys(report):
    return [s["key"] for s in report.data["sections"]]


def _publish(report, users, write_all, writer="hub"):
    write_all(report, users[writer])
    services.submit_for_review(users[writer], report)
    services.sign_off(users["director"], report)
    services.publish(users["hub"], report, confirmed=True, is_public=False)
    report.refresh_from_db()
    return report


def test_the_hub_asks_for_a_boards_exception_report_and_it_is_published_frozen(
    report_council, users, q3, org, write_all, client
):
    indicators = report_council()
    outsider = Indicator.objects.create(
        reference="OUT01", title="Not the board's", service=org["waste"], polarity="up_is_good"
    )
    report = services.start_generation(users["hub"], "exception", q3.id, board_id=org["board"].id)
    assert report.kind == "exception" and report.board == org["board"] and report.generation == "done"
    assert report.title == "Exception report: Health and Wellbeing Board, Q3 2015/16"
    assert keys(report) == ["exceptions", "scope-indicators", "remedial-plans"]
    exceptions = report.data["sections"][0]
    board_refs = {i.reference for i in indicators}
    assert exceptions["rows"] and {r[0] for r in exceptions["rows"]} <= board_refs
    assert outsider.reference not in {r[0] for s in report.data["sections"] for r in s["rows"]}
    slots = [slot for slot, _ in services.narrative_slots(report)]
    assert "section:scope-indicators" not in slots  # context for the exceptions, no narrative of its own
    assert any(slot.startswith("exception:") for slot in slots)

    published = _publish(report, users, write_all)
    assert published.is_published and published.digest and published.files.count() == 4
    client.force_login(users["hub"])
    before = ARTICLE.search(client.get(f"/reports/{report.id}/").content.decode()).group(0)
    pdf = client.get(f"/reports/{report.id}/report.pdf").content
    result = (
        Result.objects.filter(indicator__reference=exceptions["rows"][0][0])
        .order_by("-period__start")
        .first()
    )
    Result.objects.filter(pk=result.pk).update(value=result.value + 50)
    recompute()
    assert ARTICLE.search(client.get(f"/reports/{report.id}/").content.decode()).group(0) == before
    assert client.get(f"/reports/{report.id}/report.pdf").content == pdf
    with pytest.raises(ReportRefused, match="issue a new"):
        services.start_generation(users["hub"], "exception", q3.id, board_id=org["board"].id)


def test_an_exception_report_for_a_set_of_indicators_and_any_period(report_council, users, q3, write_all):
    indicators = report_council()
    first, second = indicators[0].reference, indicators[1].reference
    december = Period.objects.get(kind="month", start=datetime.date(2015, 12, 1))
    report = services.start_generation(
        users["hub"], "exception", december.id, indicators=f"{first}, {second}"
    )
    assert sorted(report.indicator_set) == sorted([indicators[0].id, indicators[1].id])
    assert report.title == "Exception report: 2 indicators, Dec 2015"
    scope = next(s for s in report.data["sections"] if s["key"] == "scope-indicators")
    assert [r[0] for r in scope["rows"]] == sorted([first, second])
    services.save_narrative(users["hub"], report, "summary", "Kept.")
    again = services.start_generation(users["hub"], "exception", december.id, indicators=f"{second}\n{first}")
    assert again.id == report.id and again.narrative.get(slot="summary").text == "Kept."  # the same set
    other = services.start_generation(users["hub"], "exception", december.id, indicators=first)
    assert other.id != report.id
    year = ensure_periods([("year", datetime.date(2015, 4, 1))])[("year", datetime.date(2015, 4, 1))]
    assert (
        services.start_generation(users["hub"], "exception", year.id, indicators=first).generation == "done"
    )
    new = services.start_generation(users["hub"], "exception", q3.id, indicators=first)
    _publish(new, users, write_all)
    draft = services.new_version(users["hub"], new, "Corrects a figure.")
    assert (
        draft.indicator_set == new.indicator_set and draft.version == 2 and draft.scope_key == new.scope_key
    )


@pytest.mark.parametrize(
    "scope, message",
    [
        ({}, "Choose the board the exception report is for, or list its indicators"),
        ({"indicators": "NOPE1, GEN001"}, "No indicator has the reference NOPE1"),
        ({"indicators": "GEN001", "board_id": "board"}, "not both"),
        ({"indicators": " ".join(f"X{n}" for n in range(201))}, "at most 200"),
    ],
)
def test_bad_exception_requests_are_refused_with_a_message(report_council, users, q3, org, scope, message):
    report_council()
    if scope.get("board_id") == "board":
        scope["board_id"] = org["board"].id
    with pytest.raises(ReportRefused, match=message):
        services.start_generation(users["hub"], "exception", q3.id, **scope)
    assert not Report.objects.exists()


def test_a_boards_member_requests_and_writes_its_exception_report(
    report_council, users, q3, org, client, make_user
):
    report_council()
    member = users["scrutiny"]
    client.force_login(member)
    page = client.get("/reports/").content.decode()
    assert "Request an exception report" in page and "Generate a report" not in page
    response = client.post(
        "/reports/generate/", {"kind": "exception", "period": q3.id, "board": org["board"].id}
    )
    report = Report.objects.get()
    assert response.status_code == 302 and report.board == org["board"]
    assert client.get(f"/reports/{report.id}/").status_code == 200  # its draft, to write it
    assert (
        client.post(f"/reports/{report.id}/narrative/summary/", {"text": "The board's view."}).status_code
        == 302
    )
    assert report.narrative.get(slot="summary").author == member
    # Not another board's, not a set of indicators, not another kind; never sign-off or publishing.
    other = Board.objects.create(name="Safer York Partnership", slug="syp")
    for post in (
        {"kind": "exception", "period": q3.id, "board": other.id},
        {"kind": "exception", "period": q3.id, "indicators": "GEN001"},
        {"kind": "board", "period": q3.id, "board": org["board"].id},
    ):
        assert client.post("/reports/generate/", post).status_code == 403
    assert Report.objects.count() == 1
    services.submit_for_review(member, report)
    with pytest.raises(PermissionDenied):
        services.sign_off(member, report)
    assert client.post(f"/reports/{report.id}/step/sign-off/").status_code == 403
    assert client.get(f"/reports/{report.id}/publish/").status_code == 403
    outsider = make_user(Role.SCRUTINY, "outsider", board=other)
    for user in (outsider, users["councillor"], users["officer"], users["head"]):
        client.force_login(user)
        assert client.get(f"/reports/{report.id}/").status_code == 403
        assert client.post(f"/reports/{report.id}/narrative/summary/", {"text": "x"}).status_code == 403
    client.force_login(users["auditor"])
    assert client.get(f"/reports/{report.id}/").status_code == 200
    assert (
        client.post(
            "/reports/generate/", {"kind": "exception", "period": q3.id, "board": org["board"].id}
        ).status_code
        == 403
    )
    client.logout()
    assert client.get(f"/reports/{report.id}/").status_code == 302
    assert report.narrative.get(slot="summary").text == "The board's view."
