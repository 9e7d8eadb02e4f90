"""The audit trail filters by user, date range and kind of change as well as indicator, pages
through everything (no 500-row cap) and exports the filtered trail as .xlsx and .csv."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from indicators.models import Result, ResultChange, TargetChange

pytestmark = pytest.mark.django_db


@pytest.fixture
def trail(users, pdr, periods):
    dec = periods[("month", datetime.date(2015, 12, 1))]
    result = Result.objects.create(indicator=pdr, period=dec, value=Decimal(80), status="approved")

    def at(day):
        return timezone.make_aware(datetime.datetime(2016, 1, day, 12))

    ResultChange.objects.create(
        result=result,
        indicator=pdr,
        period=dec,
        action="create",
        new_value=Decimal(80),
        new_status="draft",
        version=1,
        changed_by=users["officer"],
        changed_at=at(3),
    )
    ResultChange.objects.create(
        result=result,
        indicator=pdr,
        period=dec,
        action="approve",
        new_value=Decimal(80),
        new_status="approved",
        version=2,
        changed_by=users["head"],
        changed_at=at(10),
    )
    TargetChange.objects.create(
        indicator=pdr,
        period=periods[("year", datetime.date(2015, 4, 1))],
        new_value=Decimal(85),
        reason="Set for the year",
        changed_by=users["hub"],
        changed_at=at(20),
    )


def actions(response):
    return [e.action for e in response.context["history"]]


def test_filters_by_user_dates_and_kind(client, users, trail):
    client.force_login(users["auditor"])
    # The fixture's indicator was added just now, so its settings row comes first.
    assert actions(client.get("/audit/")) == ["setting_added", "target", "approve", "create"]
    assert actions(client.get("/audit/", {"kind": "setting"})) == ["setting_added"]
    assert actions(client.get("/audit/", {"changed_by": users["head"].username})) == ["approve"]
    assert actions(client.get("/audit/", {"date_from": "2016-01-05", "date_to": "2016-01-15"})) == ["approve"]
    assert actions(client.get("/audit/", {"kind": "target"})) == ["target"]
    assert actions(client.get("/audit/", {"kind": "create"})) == ["create"]


def test_bad_filter_values_get_a_message_by_the_field_not_an_error(client, users, trail):
    client.force_login(users["auditor"])
    response = client.get("/audit/", {"date_from": "2016-02-30"})
    assert response.status_code == 200
    assert "Enter the from date as a real date" in response.content.decode()
    response = client.get("/audit/", {"date_from": "2016-02-01", "date_to": "2016-01-01"})
    assert "The to date must be the same as or after the from date" in response.content.decode()
    assert client.get("/audit/", {"kind": "purple", "page": "-3"}).status_code == 200


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_filtered_trail_exports(client, users, trail, fmt):
    client.force_login(users["auditor"])
    response = client.get(f"/audit/export.{fmt}", {"kind": "approve"})
    assert response.status_code == 200
    assert "audit-trail" in response["Content-Disposition"]
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    else:
        rows = [
            list(r) for r in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)
        ]
    assert rows[0][:3] == ["Indicator", "Period", "Change"]
    assert len(rows) == 2 and rows[1][0] == "STF90" and rows[1][2] == "Approved"


def test_export_is_denied_to_others(client, users, trail):
    assert client.get("/audit/export.csv").status_code == 302
    client.force_login(users["officer"])
    assert client.get("/audit/export.csv").status_code == 403
    client.force_login(users["auditor"])
    assert client.get("/audit/export.pdf").status_code == 404
