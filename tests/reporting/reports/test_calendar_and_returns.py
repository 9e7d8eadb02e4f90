"""The committee calendar and its reminders; the returns to central government."""

import datetime

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from indicators.models import Indicator, Period
from reporting.reports import returns
from reporting.reports.models import Collection, CollectionReturn, CommitteeMeeting
from reporting.reports.reminders import send_narrative_reminders
from reporting.reports.services import ReportRefused

pytestmark = pytest.mark.django_db


def test_authors_are_reminded_once_a_day_of_missing_narrative(report_council, users, q3):
    from reporting.reports import services

    report_council()
    users["hub"].email = "hub@example.org"
    users["hub"].save()
    meeting = CommitteeMeeting.objects.create(kind="executive", date=datetime.date(2016, 2, 11))
    report = services.start_generation(users["hub"], "executive", q3.id)
    assert report.meeting == meeting
    assert send_narrative_reminders(datetime.date(2016, 1, 10)) == 0  # not due within 5 days yet
    assert send_narrative_reminders(datetime.date(2016, 1, 25)) == 1
    message = mail.outbox[0]
    assert message.to == ["hub@example.org"] and "Overall summary" in message.body
    assert "28 January 2016" in message.body
    assert send_narrative_reminders(datetime.date(2016, 1, 25)) == 0  # once a day
    assert len(mail.outbox) == 1


def test_calendar_page_shows_deadlines(client, users):
    CommitteeMeeting.objects.create(kind="executive", date=datetime.date(2016, 2, 11), title="Executive")
    client.force_login(users["director"])
    page = client.get("/reports/calendar/").content.decode()
    assert "11 Feb 2016" in page and "28 Jan 2016" in page and "4 Feb 2016" in page


@pytest.fixture
def collection_return(report_council):
    report_council()
    collection = Collection.objects.create(
        name="Sickness absence return",
        department="Department for Communities and Local Government",
        frequency="quarterly",
    )
    collection.indicators.set(Indicator.objects.filter(reference__in=["GEN001", "GEN003"]))
    q3 = Period.objects.get(kind="quarter", start=datetime.date(2015, 10, 1))
    return CollectionReturn.objects.create(
        collection=collection, period=q3, due_date=datetime.date(2016, 1, 15)
    )


def test_returns_calendar_flags_overdue_and_moves_on_one_step_at_a_time(collection_return, client, users):
    client.force_login(users["cmt"])
    page = client.get("/reports/returns/").content.decode()
    assert "Sickness absence return" in page and "Overdue" in page and "1 return overdue" in page
    assert "Mark prepared" not in page  # CMT reads, the hub updates
    assert (
        client.post(f"/reports/returns/{collection_return.id}/status/", {"status": "prepared"}).status_code
        == 403
    )
    client.force_login(users["hub"])
    assert "Mark prepared" in client.get("/reports/returns/").content.decode()
    client.post(f"/reports/returns/{collection_return.id}/status/", {"status": "checked"})  # skips a step
    collection_return.refresh_from_db()
    assert collection_return.status == "due"
    for status in ("prepared", "checked"):
        client.post(f"/reports/returns/{collection_return.id}/status/", {"status": status})
    with pytest.raises(ReportRefused, match="Attach the file"):
        returns.advance(users["hub"], collection_return.id, "submitted")
    upload = SimpleUploadedFile("sickness-q3.csv", b"ref,value\nGEN001,5\n")
    client.post(f"/reports/returns/{collection_return.id}/status/", {"status": "submitted", "file": upload})
    collection_return.refresh_from_db()
    assert collection_return.status == "submitted" and collection_return.submitted_by == users["hub"]
    assert collection_return.prepared_by == users["hub"] and collection_return.checked_at
    assert (
        client.get(f"/reports/returns/{collection_return.id}/submitted-file/").content
        == b"ref,value\nGEN001,5\n"
    )
    assert not returns.is_overdue(collection_return, datetime.date(2016, 1, 20))


def test_returns_export_one_row_per_indicator_and_period_rounded(collection_return, client, users):
    client.force_login(users["auditor"])
    csv_text = client.get(f"/reports/returns/{collection_return.id}/export.csv").content.decode()
    lines = csv_text.strip().splitlines()
    assert lines[0] == "Collection,Department,Reference,Indicator,Period,Value,Unit"
    assert len(lines) == 1 + 2 * 3  # two indicators, three months of Q3
    assert lines[1].split(",")[2:5] == ["GEN001", "Generated indicator 1 sickness", "Oct 2015"]
    assert lines[1].split(",")[5].count(".") == 1 and len(lines[1].split(",")[5].split(".")[1]) == 1
    response = client.get(f"/reports/returns/{collection_return.id}/export.xlsx")
    import io

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 7 and isinstance(sheet.cell(2, 6).value, int | float)
    assert sheet.cell(2, 6).number_format == "0.0"  # one decimal place, as published
    assert client.get(f"/reports/returns/{collection_return.id}/export.pdf").status_code == 404


@pytest.mark.parametrize("role", ["officer", "head", "director", "councillor", "scrutiny"])
def test_returns_are_not_for_other_roles(collection_return, client, users, role):
    client.force_login(users[role])
    assert client.get("/reports/returns/").status_code == 403
    assert client.get(f"/reports/returns/{collection_return.id}/export.csv").status_code == 403
    assert client.get(f"/reports/returns/{collection_return.id}/submitted-file/").status_code == 403
    assert (
        client.post(f"/reports/returns/{collection_return.id}/status/", {"status": "prepared"}).status_code
        == 403
    )


def test_returns_anonymous_sent_to_sign_in(collection_return, client):
    response = client.get("/reports/returns/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_returns_export_neutralises_formulas(collection_return, client, users):
    Indicator.objects.filter(reference="GEN001").update(title='=HYPERLINK("http://evil.example")')
    client.force_login(users["hub"])
    text = client.get(f"/reports/returns/{collection_return.id}/export.csv").content.decode()
    assert "'=HYPERLINK" in text
