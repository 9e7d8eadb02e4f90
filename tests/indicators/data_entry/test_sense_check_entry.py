"""Issue 10 item 3 in the forms: an implausible value needs explicit confirmation; red commentary is a sentence.

Before the fix the bulk grid accepted 99,999,999 complaints once commentary was given, and "."
counted as commentary on a red result.
"""

import datetime
from decimal import Decimal

import pytest

from indicators.models import Indicator, Result
from indicators.services.periods import ensure_periods
from organisation.models import ReportingCalendar

D = datetime.date
MONTHS = [D(2015, m, 1) for m in range(4, 12)]  # Apr .. Nov 2015: 4 to 8 complaints a month


@pytest.fixture
def complaints(org, users):
    ReportingCalendar.objects.create(id=1, as_of=D(2016, 1, 25))
    indicator = Indicator.objects.create(
        reference="CEO01",
        title="Number of complaints received - OCE",
        category="customer",
        unit="count",
        polarity="up_is_bad",
        frequency="monthly",
        service=org["hr"],
        responsible_officer=users["head"],
    )
    indicator.data_entry_officers.add(users["officer"])
    periods = ensure_periods([("month", m) for m in [*MONTHS, D(2015, 12, 1)]])
    for month, value in zip(MONTHS, [4, 6, 5, 8, 7, 4, 6, 5], strict=True):
        Result.objects.create(
            indicator=indicator, period=periods[("month", month)], value=Decimal(value), status="approved"
        )
    return indicator


def _post(client, url, **data):
    form = {"value": "", "commentary": "", "version": "0", "key": "", "action": "submit"}
    form.update({k: str(v) for k, v in data.items()})
    return client.post(url, form)


@pytest.mark.django_db
def test_an_implausible_value_needs_confirmation_with_the_reason_shown(client, users, complaints):
    client.force_login(users["officer"])
    url = "/returns/CEO01/2015-12/"
    response = _post(client, url, value="99999999", commentary="A very busy month indeed")
    page = response.content.decode()
    assert response.status_code == 200
    assert "99,999,999 is more than 10 times the largest earlier value (8)" in page
    assert "I have checked this unusual value and it is right" in page
    assert not Result.objects.filter(period__start=D(2015, 12, 1)).exists()
    response = _post(
        client, url, value="99999999", commentary="A very busy month indeed", confirm_unusual="on"
    )
    assert response.status_code == 302
    saved = Result.objects.get(period__start=D(2015, 12, 1))
    assert saved.value == Decimal(99999999)
    assert saved.unusual_reason.startswith("99,999,999 is more than 10 times")


@pytest.mark.django_db
def test_the_bulk_grid_asks_for_the_same_confirmation(client, users, complaints):
    client.force_login(users["officer"])
    data = {"period": "2015-12", "action": "draft", "r-CEO01-value": "99999999", "r-CEO01-version": "0"}
    response = client.post("/returns/bulk/", data)
    assert response.status_code == 200
    assert "more than 10 times the largest earlier value" in response.content.decode()
    assert not Result.objects.filter(period__start=D(2015, 12, 1)).exists()


@pytest.mark.django_db
def test_a_plausible_value_needs_no_confirmation(client, users, complaints):
    client.force_login(users["officer"])
    assert _post(client, "/returns/CEO01/2015-12/", value="9", action="draft").status_code == 302
    assert Result.objects.get(period__start=D(2015, 12, 1)).unusual_reason == ""


@pytest.mark.django_db
@pytest.mark.parametrize("commentary", [".", "..........", "n/a", "   late   "])
def test_red_commentary_must_be_a_sentence(client, users, pdr, commentary):
    ReportingCalendar.objects.create(id=1, as_of=D(2016, 1, 25))
    client.force_login(users["officer"])
    response = _post(client, "/returns/STF90/2015-12/", value="70", commentary=commentary)
    assert response.status_code == 200
    assert "a sentence of at least 10 characters" in response.content.decode()
    assert not Result.objects.exists()
    response = _post(client, "/returns/STF90/2015-12/", value="70", commentary="Two managers were off sick")
    assert response.status_code == 302
