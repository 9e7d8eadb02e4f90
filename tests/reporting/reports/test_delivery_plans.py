"""Boards' annual delivery plans: kept by the hub or the board's members with history, shown in the
board report beside the changes agreed by remedial plans; every denied path and bad input."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicators.services.periods import ensure_periods
from organisation.models import Board, Role
from reporting.reports import delivery_plans, services
from reporting.reports.models import DeliveryPlan, DeliveryPlanChange, DeliveryPlanItem

pytestmark = pytest.mark.django_db

ITEM = {
    "title": "Scrutinise sickness absence",
    "owner": "Head of HR",
    "due_date": "2016-01-31",
    "status": "on_track",
    "progress_note": "Task group set up.",
}


@pytest.fixture
def year(db):
    start = datetime.date(2015, 4, 1)
    return ensure_periods([("year", start)])[("year", start)]


@pytest.fixture
def plan(org, users, year):
    plan = delivery_plans.create_plan(users["hub"], org["board"].id, year.id, "The board's year.")
    delivery_plans.save_item(users["hub"], plan, ITEM)
    return plan


def test_the_hub_starts_a_plan_and_the_boards_member_keeps_it_with_history(org, users, year, client):
    client.force_login(users["hub"])
    response = client.post(
        "/reports/delivery-plans/", {"board": org["board"].id, "year": year.id, "summary": "Our year."}
    )
    plan = DeliveryPlan.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/reports/delivery-plans/{plan.id}/"
    client.force_login(users["scrutiny"])
    new = f"/reports/delivery-plans/{plan.id}/priorities/new/"
    assert client.get(new).status_code == 200
    assert client.post(new, ITEM).status_code == 302
    item = DeliveryPlanItem.objects.get()
    assert (item.owner, item.due_date, item.status) == ("Head of HR", datetime.date(2016, 1, 31), "on_track")

    edit = f"/reports/delivery-plans/{plan.id}/priorities/{item.id}/"
    refused = client.post(edit, ITEM | {"status": "at_risk"})  # a change needs its reason
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "govuk-error-summary" in page and 'href="#reason"' in page and 'id="reason-error"' in page
    assert DeliveryPlanItem.objects.get().status == "on_track"
    assert (
        client.post(edit, ITEM | {"status": "at_risk", "reason": "Q3 absence above target."}).status_code
        == 302
    )

    change = DeliveryPlanChange.objects.filter(action="changed").get()
    assert change.by == users["scrutiny"] and change.changes == {"status": ["On track", "At risk"]}
    assert change.reason == "Q3 absence above target."
    detail = client.get(f"/reports/delivery-plans/{plan.id}/").content.decode()
    assert (
        "At risk" in detail
        and "Why: Q3 absence above target." in detail
        and "“On track” → “At risk”" in detail
    )
    assert [c.action for c in DeliveryPlanChange.objects.order_by("at", "id")] == [
        "created",
        "added",
        "changed",
    ]


def test_bad_input_is_refused_by_the_field_and_writes_nothing(plan, org, users, year, client):
    client.force_login(users["hub"])
    new = f"/reports/delivery-plans/{plan.id}/priorities/new/"
    bad = {
        "title": "",
        "owner": "x" * 201,
        "due_date": "31/02/2016",
        "status": "finished",
        "progress_note": "",
    }
    response = client.post(new, bad)
    assert response.status_code == 400
    page = response.content.decode()
    for field in ("title", "owner", "due_date", "status"):
        assert f'id="{field}-error"' in page and f'href="#{field}"' in page
    assert DeliveryPlanItem.objects.count() == 1
    # The same board and year twice, an unknown board, a period that is not a year.
    again = client.post("/reports/delivery-plans/", {"board": org["board"].id, "year": year.id})
    assert again.status_code == 400 and "already has a delivery plan" in again.content.decode()
    quarter = ensure_periods([("quarter", datetime.date(2015, 10, 1))])[
        ("quarter", datetime.date(2015, 10, 1))
    ]
    odd = client.post("/reports/delivery-plans/", {"board": "999", "year": quarter.id})
    assert odd.status_code == 400 and "Choose the financial year" in odd.content.decode()
    # Digits int() cannot read (a superscript) and an id no column holds: messages, not a 500.
    for board, year_id in (("¹", "²"), (str(2**70), str(2**70)), ("٣", year.id)):
        refused = client.post("/reports/delivery-plans/", {"board": board, "year": year_id})
        assert refused.status_code in (400, 403), (board, year_id)
    assert DeliveryPlan.objects.count() == 1
    item = plan.items.get()
    unchanged = client.post(
        f"/reports/delivery-plans/{plan.id}/priorities/{item.id}/", ITEM | {"reason": "No"}
    )
    assert unchanged.status_code == 400 and "Nothing has changed" in unchanged.content.decode()
    hostile = ITEM | {"title": "<script>alert(1)</script>"}
    client.post(new, hostile)
    assert (
        "<script>alert(1)</script>" not in client.get(f"/reports/delivery-plans/{plan.id}/").content.decode()
    )


def test_denied_paths(plan, org, users, make_user, client):
    detail = f"/reports/delivery-plans/{plan.id}/"
    item = plan.items.get()
    edit = f"/reports/delivery-plans/{plan.id}/priorities/{item.id}/"
    new = f"/reports/delivery-plans/{plan.id}/priorities/new/"
    for url in ("/reports/delivery-plans/", detail, new, edit):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]  # anonymous
    for role in ("officer", "head", "councillor"):
        client.force_login(users[role])
        assert client.get("/reports/delivery-plans/").status_code == 403
        assert client.get(detail).status_code == 403
        assert client.post(new, ITEM).status_code == 403
    for role in ("auditor", "cmt", "director"):  # readers, not keepers
        client.force_login(users[role])
        assert client.get(detail).status_code == 200
        assert client.post(new, ITEM).status_code == 403
        assert client.post(edit, ITEM | {"status": "complete", "reason": "x"}).status_code == 403
        assert (
            client.post(
                "/reports/delivery-plans/", {"board": org["board"].id, "year": plan.year_id}
            ).status_code
            == 403
        )
    other_board = Board.objects.create(name="Safer York Partnership", slug="syp")
    outsider = make_user(Role.SCRUTINY, "outsider", board=other_board)
    client.force_login(outsider)
    assert client.get(detail).status_code == 403 and client.post(new, ITEM).status_code == 403
    listing = client.get("/reports/delivery-plans/").content.decode()
    assert "Health and Wellbeing Board" not in listing  # only its own board to start a plan for
    assert (
        client.post("/reports/delivery-plans/", {"board": org["board"].id, "year": plan.year_id}).status_code
        == 403
    )
    assert client.get(f"/reports/delivery-plans/{plan.id + 99}/").status_code == 404
    assert DeliveryPlanItem.objects.count() == 1 and DeliveryPlanItem.objects.get().status == "on_track"


def test_the_board_report_shows_the_plan_and_the_changes_remedial_plans_agreed(
    plan, report_council, users, q3, org
):
    report_council()
    delivery_plans.save_item(users["hub"], plan, ITEM | {"title": "Second", "due_date": "2016-03-31"})
    report = services.start_generation(users["hub"], "board", q3.id, board_id=org["board"].id)
    section = next(s for s in report.data["sections"] if s["key"] == "delivery-plans")
    assert section["title"] == "Annual delivery plan 2015/16" and section["available"]
    assert section["rows"] == [
        ["Scrutinise sickness absence", "Head of HR", "31 Jan 2016", "On track", "Task group set up."],
        ["Second", "Head of HR", "31 Mar 2016", "On track", "Task group set up."],
    ]
    assert section["chart"]["bars"] == [{"label": "On track", "count": 2}]
    changes = next(s for s in report.data["sections"] if s["key"] == "delivery-plans-changes")
    assert changes["rows"] == [] and "No remedial plan" in changes["message"]
    slots = dict(services.narrative_slots(report))
    assert "section:delivery-plans" in slots and "section:delivery-plans-changes" not in slots


def test_the_delivery_plan_page_runs_a_fixed_number_of_queries(plan, users, client):
    counts = []
    for extra in (0, 6):
        for n in range(extra):
            delivery_plans.save_item(users["hub"], plan, ITEM | {"title": f"Priority {n}"})
            item = plan.items.order_by("-id").first()
            delivery_plans.save_item(users["hub"], plan, ITEM | {"title": f"P{n}", "reason": "why"}, item)
        client.force_login(users["scrutiny"])
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/reports/delivery-plans/{plan.id}/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
