"""Clinics where reporting and the indicator page show them (issue 14): the exception list's
"clinic suggested" reason and request link, the clinic marks on scorecards and the indicator
page, and the remedial plan's trajectory on the indicator chart."""

import datetime
import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from clinics import services
from clinics.models import Clinic
from indicators.charts import ChartSeries, add_series, chart_series_wanted
from indicators.models import Period
from organisation.models import ReportingCalendar
from reporting.exceptions import exception_list_build

pytestmark = pytest.mark.django_db

LIST_URL = "/exceptions/?period=2015-12"


@pytest.fixture
def december_list(red_indicator):
    ReportingCalendar.objects.update_or_create(id=1, defaults={"as_of": datetime.date(2016, 6, 1)})
    december = Period.objects.get(kind="month", start=datetime.date(2015, 12, 1))
    exception_list_build(period=december, as_of=datetime.date(2016, 6, 1))
    return december


def signed_off(plan_inputs, users):
    plan = services.remedial_plan_create(**plan_inputs)
    services.remedial_plan_sign_off(user=users["councillor"], plan=plan, stage="member")
    return services.remedial_plan_sign_off(user=users["cmt"], plan=plan, stage="cmt")


def clinic_cell(body: str) -> str:
    match = re.search(r'<td class="govuk-table__cell" id="clinic-STF15">(.*?)</td>', body, re.S)
    assert match, "the exception list has no clinic cell for STF15"
    return match.group(1)


# --- The exception list ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["hub", "cmt"])
def test_the_exception_list_shows_the_suggestion_and_a_request_link(client, users, december_list, role):
    client.force_login(users[role])
    cell = clinic_cell(client.get(LIST_URL).content.decode())
    assert "Clinic suggested" in cell and "Red and worsening for two or more periods" in cell
    assert "◇" in cell  # a shape as well as the words
    link = re.search(r'href="([^"]+)">Request a clinic', cell).group(1).replace("&amp;", "&")
    query = parse_qs(urlsplit(link).query)
    assert urlsplit(link).path == "/clinics/request/"
    assert query["indicator"] == ["STF15"] and query["period"] == ["2015-12"]
    assert query["source"] == ["exception_list"] and "clinic suggested" in query["reason"][0].lower()
    # The link opens the pre-filled form for those who may request.
    form = client.get(link)
    assert form.status_code == 200 and form.context["values"]["indicators"] == "STF15"


def test_readers_who_may_not_request_see_no_link(client, users, december_list, monkeypatch):
    """Exception-list readers (hub, CMT) may all request today; the link still follows the rule."""
    from clinics import services as clinic_services

    monkeypatch.setattr(clinic_services, "may_request_for", lambda *args, **kwargs: False)
    client.force_login(users["cmt"])
    cell = clinic_cell(client.get(LIST_URL).content.decode())
    assert "Clinic suggested" in cell and "Request a clinic" not in cell


@pytest.mark.parametrize("role", ["officer", "head", "councillor", "auditor"])
def test_the_exception_list_stays_closed_to_other_roles(client, users, december_list, role):
    client.force_login(users[role])
    assert client.get(LIST_URL).status_code == 403


def test_an_open_clinic_replaces_the_request_link(client, users, december_list, requested_clinic):
    client.force_login(users["cmt"])
    cell = clinic_cell(client.get(LIST_URL).content.decode())
    assert "Clinic requested" in cell and f"/clinics/{requested_clinic.id}/" in cell
    assert "Request a clinic" not in cell


def test_a_held_clinic_and_its_plan_are_marked_on_the_exception_list(
    client, users, december_list, plan_inputs
):
    plan = services.remedial_plan_create(**plan_inputs)
    client.force_login(users["hub"])
    cell = clinic_cell(client.get(LIST_URL).content.decode())
    held = plan_inputs["clinic"]
    assert (
        f'■ </span><a class="govuk-link" href="/clinics/{held.id}/">Clinic held {held.date:%-d %b %Y}' in cell
    )
    assert "⚑" in cell and "Remedial plan in progress: awaiting sign-off" in cell
    assert f"/clinics/plans/{plan.id}/" in cell
    assert "Request a clinic" in cell  # a held clinic does not stop a new request


# --- Scorecards and the indicator page -------------------------------------------------------------


def test_scorecard_rows_mark_a_held_clinic_and_a_plan_in_progress(client, users, red_indicator, plan_inputs):
    red_indicator.on_scorecard = True
    red_indicator.save()
    client.force_login(users["cmt"])
    url = "/scorecards/directorate/oce/?indicators=all"
    row = re.search(
        r'<tr class="govuk-table__row" data-reference="STF15">(.*?)</tr>',
        client.get(url).content.decode(),
        re.S,
    )
    assert row and "Clinic held" in row.group(1) and "Remedial plan" not in row.group(1)
    signed_off(plan_inputs, users)
    body = client.get(url).content.decode()
    row = re.search(r'data-reference="STF15">(.*?)</tr>', body, re.S).group(1)
    held = plan_inputs["clinic"]
    assert f'<span aria-hidden="true">■ </span>Clinic held {held.date:%-d %b %Y}' in row
    assert '<span aria-hidden="true">⚑ </span>Remedial plan in progress: being tracked' in row


def test_scorecard_exports_carry_the_clinic_mark_in_words(client, users, red_indicator, plan_inputs):
    import csv
    import io

    from openpyxl import load_workbook

    signed_off(plan_inputs, users)
    held = plan_inputs["clinic"]
    expected = f"Clinic held {held.date:%-d %b %Y}; Remedial plan in progress: being tracked"
    client.force_login(users["cmt"])
    text = client.get("/scorecards/directorate/oce/export.csv?indicators=all").content.decode()
    rows = {r["Ref"]: r for r in csv.DictReader(io.StringIO(text))}
    assert rows["STF15"]["Performance clinic"] == expected
    book = load_workbook(
        io.BytesIO(client.get("/scorecards/directorate/oce/export.xlsx?indicators=all").content)
    )
    cells = [[c.value for c in row] for row in book.active.iter_rows()]
    header = next(r for r in cells if "Performance clinic" in r)
    row = next(r for r in cells if r[0] == "STF15")
    assert row[header.index("Performance clinic")] == expected


def test_the_dashboard_tiles_mark_a_held_clinic(client, users, red_indicator, plan_inputs):
    red_indicator.published = True
    red_indicator.save()
    signed_off(plan_inputs, users)
    client.force_login(users["councillor"])
    body = client.get("/dashboard/?show=portfolio:finance-performance").content.decode()
    # The dashboard's rows (a task list per theme since issue 10 item 12): STF15's row.
    tile = re.search(
        r'<li class="govuk-task-list__item[^"]*">((?:(?!</li>).)*?STF15.*?)</li>', body, re.S
    ).group(1)
    assert '<span aria-hidden="true">■ </span>Clinic held' in tile
    assert "Remedial plan in progress: being tracked" in tile


def test_scorecard_rows_without_clinics_have_no_mark(client, users, red_indicator, other_indicator):
    client.force_login(users["cmt"])
    body = client.get("/scorecards/directorate/oce/?indicators=all").content.decode()
    assert "Clinic held" not in body and "kpi-clinic-mark" not in body


def test_a_closed_plan_and_a_cancelled_clinic_are_not_marks(users, requested_clinic, red_indicator):
    services.clinic_cancel(user=users["hub"], clinic=requested_clinic, reason="Called in error by the hub.")
    assert services.clinic_marks([red_indicator.id]) == {}


@pytest.mark.parametrize("size", [2, 12])
def test_clinic_marks_take_one_query(users, red_indicator, django_assert_num_queries, size):
    now = timezone.now()
    for n in range(size):
        clinic = Clinic.objects.create(
            reason="Generated concern.", requested_at=now, status="held", date=datetime.date(2015, 11, n + 1)
        )
        clinic.indicators.set([red_indicator])
    with django_assert_num_queries(1):
        marks = services.clinic_marks([red_indicator.id])
    assert len(marks[red_indicator.id].held) == size
    assert marks[red_indicator.id].latest_held[1] == datetime.date(2015, 11, size)


def test_the_indicator_page_marks_a_held_clinic_beside_the_title(client, users, plan_inputs):
    signed_off(plan_inputs, users)
    client.force_login(users["officer"])
    body = client.get("/indicators/STF15/").content.decode()
    head = body.split("<h1", 1)[1].split("Latest result", 1)[0]
    assert "■ </span>Clinic held" in head and "⚑ </span>Remedial plan in progress: being tracked" in head
    assert "/clinics/" not in head  # no link: the officer may not open the clinic


# --- The trajectory on the indicator chart ----------------------------------------------------------


def chart_traces(client, user) -> tuple[dict, str]:
    client.force_login(user)
    response = client.get("/indicators/STF15/")
    assert response.status_code == 200
    return {t["name"]: t for t in response.context["page"].chart["data"]}, response.content.decode()


def test_the_chart_draws_a_signed_off_plans_trajectory_and_flags_results_off_it(
    client, users, plan_inputs, red_indicator, add_results
):
    signed_off(plan_inputs, users)
    add_results(red_indicator, [14, 11], [datetime.date(2016, 1, 1), datetime.date(2016, 2, 1)])
    traces, body = chart_traces(client, users["hub"])
    line = traces["Remedial plan trajectory (expected)"]
    assert line["x"][:2] == ["2016-01-31", "2016-02-29"] and line["y"][:2] == [12.5, 12.0]
    assert len(line["x"]) == 6 and line["marker"]["symbol"] == "square-open"
    assert line["line"]["dash"] == "longdash"
    off = traces["Off trajectory"]  # January's 14 is worse than 12.5 (up is bad); February's 11 is on
    assert off["x"] == ["2016-01-31"] and off["y"] == [14.0] and off["marker"]["symbol"] == "x"
    assert "remedial plan&#x27;s expected trajectory" in body or "remedial plan's expected trajectory" in body
    # The chart's JSON carries the same traces.
    data = json.loads(
        re.search(r'id="indicator-chart-data" type="application/json">(.*?)</script>', body, re.S).group(1)
    )
    assert any(t["name"] == "Remedial plan trajectory (expected)" for t in data["data"])


def test_a_draft_plan_has_no_trajectory_on_the_chart(client, users, plan_inputs):
    services.remedial_plan_create(**plan_inputs)
    traces, body = chart_traces(client, users["hub"])
    assert "Remedial plan trajectory (expected)" not in traces and "expected trajectory" not in body


def test_the_trajectory_is_drawn_only_for_those_who_may_open_the_plan(client, users, plan_inputs):
    signed_off(plan_inputs, users)
    # The officer sees the indicator (their service) but not its clinic.
    traces, body = chart_traces(client, users["officer"])
    assert "Remedial plan trajectory (expected)" not in traces
    for role in ("head", "councillor", "cmt"):
        traces, _ = chart_traces(client, users[role])
        assert "Remedial plan trajectory (expected)" in traces, role


def test_series_from_a_receiver_need_no_clinics_and_skip_an_empty_chart():
    series = ChartSeries(
        name="Expected",
        points=[(datetime.date(2016, 1, 31), 1, "Jan 2016")],
        description="x",
    )
    empty = {"data": [], "layout": {}}
    add_series(empty, [series])
    assert empty["data"] == []
    chart = {"data": [{"name": "Actual"}], "layout": {}}
    add_series(chart, [series])
    assert [t["name"] for t in chart["data"]] == ["Actual", "Expected"]
    # clinics is connected to the signal (ClinicsConfig.ready).
    assert any("trajectory" in str(r) for r in chart_series_wanted.receivers)


# --- Open clinics on the hub's and CMT's home page ----------------------------------------------


@pytest.mark.parametrize("role", ["hub", "cmt"])
def test_open_clinics_and_plans_awaiting_sign_off_are_on_the_hub_and_cmt_home(
    client, users, requested_clinic, role
):
    client.force_login(users[role])
    body = client.get("/").content.decode()
    assert "Open performance clinics" in body
    assert f'href="/clinics/{requested_clinic.id}/">Clinic {requested_clinic.id}</a> for STF15' in body


@pytest.mark.parametrize("role", ["director", "head", "councillor", "auditor"])
def test_other_roles_home_has_no_open_clinics_panel(client, users, requested_clinic, role):
    client.force_login(users[role])
    assert "Open performance clinics" not in client.get("/").content.decode()


def test_a_draft_remedial_plan_is_listed_as_awaiting_sign_off(client, users, plan_inputs):
    plan = services.remedial_plan_create(**plan_inputs)
    services.remedial_plan_sign_off(user=users["councillor"], plan=plan, stage="member")
    client.force_login(users["cmt"])
    body = client.get("/").content.decode()
    assert "Remedial plan for STF15</a>: signed off by the Executive Member, awaiting CMT" in body


@pytest.mark.parametrize("size", [2, 20])
def test_the_hub_home_runs_a_fixed_number_of_queries(
    client, users, red_indicator, size, django_assert_num_queries
):
    for n in range(size):
        services.clinic_request(
            user=users["hub"],
            references=["STF15"],
            reason=f"Request number {n} about sickness.",
            urgency="soon",
        )
    client.force_login(users["hub"])
    client.get("/")
    # session, user, profile, own indicators?, rows, counts, open clinics, their indicators, plans,
    # and the returns needing attention (returned, overdue: issue 10 item 15)
    with django_assert_num_queries(11):
        body = client.get("/").content.decode()
    assert body.count("for STF15") == size
