"""Issue 10 item 1, the targets side and the services behind every entry path.

Targets for future years stay allowed, but on the targets pages only as far as the year after the
reporting date's: before the fix /targets/STF90/ took "2030/31" (creating the period, which then
headed period lists). Results of the wrong kind are refused by the services the forms, imports
and the API use, not only by the forms.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from indicators.data_entry.services.imports import import_preview
from indicators.data_entry.services.results import result_import, result_save_draft, result_submit
from indicators.data_entry.services.targets import target_set
from indicators.models import Period, Result, Target, TargetChange
from indicators.periods import target_period_error
from indicators.services.periods import ensure_periods
from organisation.models import ReportingCalendar

pytestmark = pytest.mark.django_db
D = datetime.date
AS_OF = D(2016, 1, 20)


@pytest.fixture
def as_of(db):
    ReportingCalendar.objects.create(id=1, as_of=AS_OF)


def test_rule_next_year_at_most():
    def error(start):
        return target_period_error(start=start, label="L", as_of=AS_OF)

    assert error(D(2015, 4, 1)) is None  # this year
    assert error(D(2016, 4, 1)) is None  # the next, being planned
    assert error(D(2017, 1, 1)) is None  # a month of the next year (a profile)
    assert error(D(2012, 4, 1)) is None  # past years stay correctable
    assert "Targets can be set up to 2016/17" in error(D(2017, 4, 1))
    assert error(D(2030, 4, 1)).endswith("L is further ahead")


def test_targets_page_refuses_a_far_future_year_and_creates_no_period(client, users, pdr, as_of):
    client.force_login(users["hub"])
    response = client.post("/targets/STF90/", {"period": "2030/31", "value": "90", "reason": "Typo"})
    assert response.status_code == 400
    assert "Targets can be set up to 2016/17" in response.content.decode()
    assert not Period.objects.filter(start__year=2030).exists()
    assert not TargetChange.objects.exists()
    ok = client.post("/targets/STF90/", {"period": "2016/17", "value": "90", "reason": "Next year"})
    assert ok.status_code == 302 and Target.objects.filter(period__label="2016/17").exists()


def test_target_import_refuses_a_far_future_year(users, pdr, as_of):
    data = b"Reference ID,2016/17,2030/31\nSTF90,88,95\n"
    batch = import_preview(user=users["hub"], filename="t.csv", data=data, targets=True)
    assert [w["label"] for w in batch.plan["writes"]] == ["2016/17"]
    assert any("2030/31 is further ahead" in r["reason"] for r in batch.plan["rejected"])


def test_target_service_refuses_a_far_future_year(users, pdr, as_of):
    far = ensure_periods([("year", D(2030, 4, 1))])[("year", D(2030, 4, 1))]
    with pytest.raises(ValidationError) as refused:
        target_set(user=users["hub"], indicator=pdr, period=far, value=Decimal(90), reason="x")
    assert "further ahead" in str(refused.value.message_dict["period"])
    assert not Target.objects.filter(period=far).exists()


@pytest.mark.parametrize("write", ["draft", "submit", "import"])
def test_services_refuse_the_wrong_kind_of_period(users, stf15, as_of, write):
    dec = ensure_periods([("month", D(2015, 12, 1))])[("month", D(2015, 12, 1))]
    with pytest.raises(ValidationError) as refused:
        if write == "import":
            result_import(
                user=users["hub"],
                indicator=stf15,
                period=dec,
                value=Decimal(6),
                commentary="",
                status="draft",
            )
        else:
            service = result_save_draft if write == "draft" else result_submit
            service(user=users["officer"], indicator=stf15, period=dec, value=Decimal(6))
    assert "STF15 is an annual indicator: it takes results for financial years" in str(refused.value)
    assert not Result.objects.exists()
