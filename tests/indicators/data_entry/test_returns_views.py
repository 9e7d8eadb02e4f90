import datetime
from decimal import Decimal

import pytest

from indicators.data_entry.services.results import result_save_draft, result_submit
from indicators.models import Indicator, Result, ResultChange
from organisation.models import ReportingCalendar

DEC_2015 = ("month", datetime.date(2015, 12, 1))  # the fixture's `periods` key


URL = "/returns/STF90/2015-12/"


@pytest.fixture
def as_of_jan_2016(db):
    ReportingCalendar.objects.create(id=1, as_of=datetime.date(2016, 1, 25))


def _post(client, url=URL, **data):
    form = {"value": "", "commentary": "", "version": "0", "key": "", "action": "submit"}
    form.update({k: str(v) for k, v in data.items()})
    return client.post(url, form)


@pytest.mark.django_db
def test_returns_lists_due_and_overdue(client, users, pdr, as_of_jan_2016):
    client.force_login(users["officer"])
    response = client.get("/returns/")
    assert response.status_code == 200
    rows = {r.label: r for r in response.context["rows"]}
    # Dec 2015 ends 31 Dec, due 20 Jan 2016: overdue on 25 Jan. Nov 2015 too.
    assert rows["Dec 2015"].state == "overdue" and rows["Dec 2015"].due == datetime.date(2016, 1, 20)
    assert "Jan 2016" not in rows  # still running
    assert "Overdue" in response.content.decode()


@pytest.mark.django_db
def test_anonymous_is_sent_to_sign_in(client, pdr):
    for url in ("/returns/", URL, "/returns/bulk/", "/approvals/", "/audit/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["director", "cmt", "councillor", "scrutiny", "auditor"])
def test_others_cannot_open_an_entry_form(client, users, pdr, role):
    client.force_login(users[role])
    assert client.get(URL).status_code == 403
    assert _post(client, value="90").status_code == 403
    assert not Result.objects.exists()


@pytest.mark.django_db
def test_officer_cannot_enter_for_another_services_indicator(client, users, other_indicator):
    client.force_login(users["officer"])
    assert client.get("/returns/WST01/2015-12/").status_code == 403


@pytest.mark.django_db
def test_unknown_indicator_or_period_is_404(client, users, pdr):
    client.force_login(users["officer"])
    assert client.get("/returns/NOPE/2015-12/").status_code == 404
    assert client.get("/returns/STF90/month-2015-12-07/").status_code == 404
    assert client.get("/returns/STF90/fortnight-2015-12-01/").status_code == 404


@pytest.mark.django_db
def test_red_result_is_refused_with_error_summary_then_submitted_with_commentary(client, users, pdr):
    client.force_login(users["officer"])
    response = _post(client, value="70")
    body = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in body and "add commentary" in body
    assert 'href="#id_commentary"' in body and 'id="id_commentary-error"' in body
    assert not Result.objects.exists()
    response = _post(client, value="70", commentary="Two managers on leave; <b>booked</b> for January.")
    assert response.status_code == 302
    result = Result.objects.get()
    assert result.status == "submitted" and result.submitted_by == users["officer"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "value,message",
    [("abc", "Enter a number"), ("101", "between 0 and 100"), ("", "Enter the result")],
)
def test_bad_values_get_a_message_by_the_field(client, users, pdr, value, message):
    client.force_login(users["officer"])
    response = _post(client, value=value)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Result.objects.exists()


@pytest.mark.django_db
def test_double_submit_creates_once(client, users, pdr):
    client.force_login(users["officer"])
    for _ in range(2):
        assert _post(client, value="90", key="same-form-key").status_code == 302
    assert Result.objects.count() == 1 and ResultChange.objects.count() == 1


@pytest.mark.django_db
def test_stale_form_is_refused_and_shows_the_other_change(client, users, pdr, periods):
    result_save_draft(
        user=users["head"], indicator=pdr, period=periods[DEC_2015], value=Decimal(88), expected_version=0
    )
    client.force_login(users["officer"])
    response = _post(client, value="90", version=0)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="conflict"' in body and "88" in body and "Head" in body
    assert Result.objects.get().value == Decimal(88)


@pytest.mark.django_db
def test_htmx_entry_in_place_returns_the_row(client, users, pdr):
    client.force_login(users["officer"])
    response = client.get(URL, headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith("<tr") and "<html" not in body
    response = client.post(
        URL, {"value": "90", "version": "0", "key": "", "action": "draft"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert response.status_code == 200 and "saved as a draft" in body and "<html" not in body


@pytest.mark.django_db
def test_commentary_is_escaped(client, users, pdr, periods):
    result_save_draft(
        user=users["officer"],
        indicator=pdr,
        period=periods[DEC_2015],
        value=Decimal(90),
        commentary="<script>alert(1)</script>",
    )
    client.force_login(users["officer"])
    body = client.get(URL).content.decode()
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;" in body


@pytest.mark.django_db
def test_bulk_grid_keeps_good_rows_when_one_is_bad(client, users, pdr, org, as_of_jan_2016):
    second = Indicator.objects.create(
        reference="STF01",
        title="Staff Headcount - OCE",
        category="workforce",
        unit="count",
        polarity="neutral",
        frequency="monthly",
        service=org["hr"],
    )
    second.data_entry_officers.add(users["officer"])
    client.force_login(users["officer"])
    page = client.get("/returns/bulk/?period=2015-12")
    assert page.status_code == 200
    data = {"period": "2015-12", "action": "draft"}
    for ref in ("STF90", "STF01"):
        data.update({f"r-{ref}-version": "0", f"r-{ref}-key": f"k-{ref}", f"r-{ref}-commentary": ""})
    data["r-STF90-value"] = "150"  # not a percentage
    data["r-STF01-value"] = "57"
    response = client.post("/returns/bulk/?period=2015-12", data)
    body = response.content.decode()
    assert response.status_code == 200
    assert Result.objects.get().indicator == second
    assert "govuk-error-summary" in body and 'value="150"' in body
    assert "between 0 and 100" in body


@pytest.mark.django_db
def test_bulk_without_period_offers_the_periods(client, users, pdr, as_of_jan_2016):
    client.force_login(users["officer"])
    response = client.get("/returns/bulk/?period=rubbish")
    assert response.status_code == 200 and "Dec 2015" in response.content.decode()


@pytest.mark.django_db
def test_returns_run_a_fixed_number_of_queries(client, users, org, django_assert_num_queries, as_of_jan_2016):
    def make(count, prefix):
        made = Indicator.objects.bulk_create(
            Indicator(
                reference=f"{prefix}{i:03d}",
                title=f"Indicator {i}",
                category="performance",
                unit="count",
                polarity="up_is_good",
                frequency="monthly",
                service=org["hr"],
            )
            for i in range(count)
        )
        Indicator.data_entry_officers.through.objects.bulk_create(
            Indicator.data_entry_officers.through(indicator_id=i.id, user_id=users["officer"].id)
            for i in made
        )

    client.force_login(users["officer"])
    make(2, "A")
    with django_assert_num_queries(7) as small:
        response = client.get("/returns/")
    make(98, "B")
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get("/returns/")
    assert len({r.indicator.reference for r in response.context["rows"]}) == 100


@pytest.mark.django_db
def test_head_approves_and_officer_sees_returned_reason(client, users, pdr, periods):
    outcome = result_submit(
        user=users["officer"], indicator=pdr, period=periods[DEC_2015], value=Decimal(90), expected_version=0
    )
    client.force_login(users["officer"])
    assert client.get("/approvals/").status_code == 403
    assert (
        client.post(
            f"/approvals/{outcome.result.pk}/", {"decision": "approve", f"a{outcome.result.pk}-version": "1"}
        ).status_code
        == 403
    )
    client.force_login(users["head"])
    page = client.get("/approvals/")
    assert page.status_code == 200 and "STF90" in page.content.decode()
    refused = client.post(
        f"/approvals/{outcome.result.pk}/", {"decision": "return", f"a{outcome.result.pk}-version": "1"}
    )
    assert refused.status_code == 400 and "Enter the reason" in refused.content.decode()
    response = client.post(
        f"/approvals/{outcome.result.pk}/",
        {
            "decision": "return",
            f"a{outcome.result.pk}-version": "1",
            f"a{outcome.result.pk}-reason": "Check HR",
        },
    )
    assert response.status_code == 302
    assert Result.objects.get().status == "returned"


@pytest.mark.django_db
def test_history_on_indicator_page_and_audit(client, users, pdr, periods):
    outcome = result_submit(
        user=users["officer"], indicator=pdr, period=periods[DEC_2015], value=Decimal(90), expected_version=0
    )
    client.force_login(users["head"])
    client.post(
        f"/approvals/{outcome.result.pk}/", {"decision": "approve", f"a{outcome.result.pk}-version": "1"}
    )
    body = client.get("/indicators/STF90/").content.decode()
    assert 'id="history"' in body and "Submitted" in body and "Approved" in body and "Officer" in body
    client.force_login(users["auditor"])
    response = client.get("/audit/?indicator=STF90")
    assert response.status_code == 200 and "Approved" in response.content.decode()
    for role in ("officer", "head", "director", "councillor"):
        client.force_login(users[role])
        assert client.get("/audit/").status_code == 403


@pytest.mark.django_db
def test_restore_page_permissions_and_recording(client, users, pdr, periods):
    first = result_save_draft(
        user=users["officer"], indicator=pdr, period=periods[DEC_2015], value=Decimal(90), expected_version=0
    )
    result_save_draft(
        user=users["officer"], indicator=pdr, period=periods[DEC_2015], value=Decimal(91), expected_version=1
    )
    change = ResultChange.objects.get(action="create")
    url = f"/audit/results/{first.result.pk}/restore/{change.pk}/"
    for role in ("officer", "auditor"):
        client.force_login(users[role])
        assert client.post(url, {"reason": "x"}).status_code == 403
    client.force_login(users["head"])
    assert "Enter why" in client.post(url, {"reason": ""}).content.decode()
    assert client.post(url, {"reason": "Typo in 91"}).status_code == 302
    assert Result.objects.get().value == Decimal(90)
    assert ResultChange.objects.first().action == "restore"


@pytest.mark.django_db
def test_htmx_entry_with_errors_shows_the_error_summary_in_the_row(client, users, pdr):
    client.force_login(users["officer"])
    response = client.post(
        URL,
        {"value": "140", "commentary": "", "version": "0", "key": "", "action": "submit"},
        headers={"HX-Request": "true", "HX-Target": "ret-STF90-month-2015-12-01"},
    )
    body = response.content.decode()
    assert response.status_code == 200  # htmx swaps only 2xx responses by default
    assert body.lstrip().startswith("<tr") and "<html" not in body
    assert 'class="govuk-error-summary"' in body and "There is a problem" in body
    # Each summary entry links to its field, and the message is also by the field.
    assert 'href="#id_value"' in body and 'id="id_value-error"' in body
    assert not Result.objects.exists()


@pytest.mark.django_db
def test_returns_page_loads_the_error_summary_focus_script_from_this_host(client, users, pdr):
    client.force_login(users["officer"])
    body = client.get("/returns/").content.decode()
    assert '<script src="/static/js/error-summary-focus.js" defer></script>' in body
    assert "<script>" not in body  # no inline script


def test_error_summary_focus_script_is_static_and_focuses_after_htmx_swaps():
    from pathlib import Path

    from django.conf import settings

    script = (Path(settings.BASE_DIR) / "static" / "js" / "error-summary-focus.js").read_text()
    assert "htmx:load" in script and ".govuk-error-summary" in script and ".focus()" in script
