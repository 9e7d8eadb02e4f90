"""Issue 10 item 1: results for periods that have not ended, or of the wrong kind, are refused everywhere.

DOMAIN.md "Results and targets": a result is only accepted for a period that has ended by the
reporting date, and (as the importer already said) of the indicator's own kind or a financial year.
Before the fix the return form saved June 2016 and January 2030 when the reporting date was 20 Jan
2016, and the annual STF15 for December 2015 and for 2099.
"""

import datetime
from decimal import Decimal

import pytest

from indicators.data_entry.services.imports import import_preview
from indicators.models import Result
from indicators.periods import result_period_error
from organisation.models import ReportingCalendar

D = datetime.date
AS_OF = D(2016, 1, 20)


@pytest.fixture
def as_of(db):
    ReportingCalendar.objects.create(id=1, as_of=AS_OF)


def _post(client, url, **data):
    form = {"value": "", "commentary": "", "version": "0", "key": "", "action": "submit"}
    form.update({k: str(v) for k, v in data.items()})
    return client.post(url, form)


# --- the rule (pure) ----------------------------------------------------------------------------


def test_rule_in_words():
    def error(frequency, kind, end):
        return result_period_error(
            reference="X1", frequency=frequency, kind=kind, end=end, label="L", as_of=AS_OF
        )

    assert error("monthly", "month", D(2015, 12, 31)) is None
    assert error("monthly", "year", D(2015, 3, 31)) is None  # an outturn
    assert error("monthly", "month", AS_OF) is None  # ends on the reporting date: ended
    assert error("monthly", "month", D(2016, 1, 31)) == (
        "L has not ended by the reporting date, 20 Jan 2016: a result can only be entered for a period that has ended"
    )
    assert error("annual", "month", D(2015, 12, 31)) == (
        "X1 is an annual indicator: it takes results for financial years, not for a month"
    )
    assert error("quarterly", "month", D(2015, 12, 31)) == (
        "X1 is a quarterly indicator: it takes results for quarters or financial years, not for a month"
    )


# --- the return form --------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "action"),
    [
        ("/returns/STF90/2016-06/", "submit"),
        ("/returns/STF90/2030-01/", "draft"),
        ("/returns/STF90/fy2015-16/", "submit"),
    ],
)
def test_return_form_refuses_a_period_that_has_not_ended(client, users, pdr, as_of, url, action):
    client.force_login(users["officer"])
    response = _post(client, url, value="90", action=action)
    assert response.status_code == 200
    assert "has not ended by the reporting date, 20 Jan 2016" in response.content.decode()
    assert "value" in response.context["form"].errors  # by the field
    assert not Result.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "/returns/STF15/2015-12/",
            "STF15 is an annual indicator: it takes results for financial years, not for a month",
        ),
        ("/returns/STF15/fy2099-00/", "2099/00 has not ended by the reporting date"),
    ],
)
def test_return_form_refuses_the_wrong_kind_and_the_far_future(client, users, stf15, as_of, url, message):
    client.force_login(users["officer"])
    response = _post(client, url, value="6.5", action="draft")
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Result.objects.exists()


@pytest.mark.django_db
def test_return_form_still_takes_an_ended_period(client, users, stf15, as_of):
    client.force_login(users["officer"])
    response = _post(client, "/returns/STF15/fy2014-15/", value="6.4", action="draft")
    assert response.status_code == 302
    assert Result.objects.get().value == Decimal("6.4")


# --- the bulk grid ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_bulk_grid_refuses_a_future_period(client, users, pdr, as_of):
    # The grid offers no return for a period that has not ended, and a posted value for one is not saved.
    client.force_login(users["officer"])
    assert client.get("/returns/bulk/?period=2016-06").context["entries"] == []
    client.post(
        "/returns/bulk/",
        {
            "period": "2016-06",
            "action": "draft",
            "r-STF90-value": "90",
            "r-STF90-version": "0",
            "r-STF90-key": "",
        },
    )
    assert not Result.objects.exists()


@pytest.mark.django_db
def test_the_services_behind_every_form_refuse_too(users, pdr, as_of):
    from django.core.exceptions import ValidationError

    from indicators.data_entry.services.results import result_save_draft
    from indicators.services.periods import ensure_periods

    june = ensure_periods([("month", D(2016, 6, 1))])[("month", D(2016, 6, 1))]
    with pytest.raises(ValidationError) as refused:
        result_save_draft(user=users["officer"], indicator=pdr, period=june, value=Decimal(90))
    assert "has not ended" in str(refused.value.message_dict["value"])
    assert not Result.objects.exists()


# --- imports ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_import_refuses_values_for_periods_that_have_not_ended(users, stf15, as_of):
    data = (
        b"Reference ID,Indicator Description,2014/15 Result,2015/16 Result,Polarity\n"
        b"STF15,Average sickness days lost per FTE - OCE - (YTD),6.4,6.5,Up is Bad\n"
    )
    batch = import_preview(user=users["hub"], filename="t.csv", data=data)
    assert [w["label"] for w in batch.plan["writes"]] == ["2014/15"]
    reasons = [r["reason"] for r in batch.plan["rejected"]]
    assert any("2015/16 has not ended by the reporting date, 20 Jan 2016" in r for r in reasons)
