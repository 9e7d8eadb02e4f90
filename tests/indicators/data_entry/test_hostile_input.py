"""Hostile input never answers 500 and never writes (issue 11, items 2 and 4–8).

Each case answered 500 (ValueError, DataError, BadHeaderError, InvalidOperation,
IllegalCharacterError) or half-wrote before the fix.
"""

import datetime
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from indicators.data_entry.services.imports import import_preview
from indicators.models import ImportBatch, Period, Result, Target, TargetChange
from indicators.periods import canonical_period_key, parse_period_key, period_bounds
from indicators.workbooks.parser import parse_period_label, period_from_note
from indicators.workbooks.reader import WorkbookRefused, read_upload
from indicators.workbooks.values import parse_value

pytestmark = pytest.mark.django_db
MB = 1024 * 1024


def _xlsx(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- 4. Periods outside 1990–2100 are refused everywhere -----------------------------------


@pytest.mark.parametrize(
    "label", ["Dec 0000", "Jan 0001", "9999/00", "Q4 9999/00", "Dec 1989", "2101/02", "Jan 2101"]
)
def test_implausible_period_labels_are_not_periods(label):
    assert parse_period_label(label) is None
    assert period_from_note(label, ("year", datetime.date(2015, 4, 1))) is None


@pytest.mark.parametrize("key", ["0000-12", "0001-01", "9999-12", "fy9999-00", "fy9999-00-q4", "fy0000-01"])
def test_implausible_period_keys_are_not_periods(key):
    assert parse_period_key(key) is None
    assert canonical_period_key(key) is None


@pytest.mark.parametrize("legacy", ["dec-0000", "month-9999-12-01", "q4-9999-00", "9999-00"])
def test_implausible_legacy_keys_are_not_periods(legacy):
    assert canonical_period_key(legacy) is None


def test_period_bounds_refuse_an_implausible_year():
    with pytest.raises(ValueError, match="between 1990 and 2100"):
        period_bounds("month", datetime.date(1, 1, 1))
    assert period_bounds("year", datetime.date(2100, 4, 1))[2] == "2100/01"


@pytest.mark.parametrize("label", ["Dec 0000", "9999/00", "Q4 9999/00", "Jan 0001"])
def test_target_form_refuses_an_implausible_period_by_the_field(client, users, pdr, label):
    client.force_login(users["hub"])
    before = Period.objects.count()
    response = client.post("/targets/STF90/", {"period": label, "value": "88"})
    assert response.status_code == 400
    assert "between 1990 and 2100" in response.content.decode()
    assert Period.objects.count() == before and not TargetChange.objects.exists()


@pytest.mark.parametrize("period", ["0000-12", "9999-12", "fy9999-00", "10000-01"])
def test_urls_with_implausible_periods_do_not_fail(client, users, pdr, period):
    client.force_login(users["hub"])
    for url in (
        f"/returns/STF90/{period}/",
        f"/returns/bulk/?period={period}",
        f"/exports/results.csv?period={period}",
        f"/exports/template.xlsx?period={period}",
        f"/scorecards/cmt/?period={period}",
        f"/exceptions/?period={period}",
    ):
        assert client.get(url).status_code < 500, url


def test_import_headers_and_notes_with_implausible_years_are_rejected_not_stored(users, pdr):
    data = _xlsx(
        [
            ["Reference ID", "Dec 0000", "Jan 0001", "9999/00", "2015/16"],
            ["STF90", 50, 51, 52, "53 (Q4 9999/00)"],
        ]
    )
    batch = import_preview(user=users["hub"], filename="t.xlsx", data=data)
    labels = {w.get("period_label") or w.get("label") for w in batch.plan.get("writes", [])}
    assert not any("0000" in str(x) or "9999" in str(x) or x == "Jan 1" for x in labels)
    assert not Period.objects.filter(start__lt=datetime.date(1990, 1, 1)).exists()


# --- 5. NUL in POST bodies and in imported cells ------------------------------------------


def test_nul_in_a_form_post_is_a_400_page_and_writes_nothing(client, users, pdr):
    client.force_login(users["hub"])
    for content_type in ("multipart", "urlencoded"):
        data = {"period": "Q3 2015/16", "value": "88", "reason": "bad\x00reason"}
        if content_type == "multipart":
            response = client.post("/targets/STF90/", data)
        else:
            from urllib.parse import urlencode

            response = client.post(
                "/targets/STF90/", urlencode(data), content_type="application/x-www-form-urlencoded"
            )
        assert response.status_code == 400
        assert "NUL character" in response.content.decode()
    assert not Target.objects.filter(period__label="Q3 2015/16").exists()


def test_nul_in_a_json_body_is_refused(client, users):
    client.force_login(users["hub"])
    response = client.post("/targets/STF90/", '{"reason": "a\\u0000b"}', content_type="application/json")
    assert response.status_code == 400


def test_nul_in_a_csv_cell_after_the_first_4_kb_is_refused(users, pdr):
    padding = "\n".join(f"STF90,{i}" for i in range(1000))
    data = f"Reference ID,Dec 2015\n{padding}\nSTF90,5\x00\n".encode()
    assert len(data) > 4096
    with pytest.raises(WorkbookRefused, match="NUL character"):
        read_upload("r.csv", data, max_bytes=MB, max_rows=5000)
    header = ("Reference ID," + "x," * 3000 + "Dec 20\x0015\nSTF90,5\n").encode()
    batch = import_preview(user=users["hub"], filename="r.csv", data=header)
    assert "NUL character" in batch.plan["refused"]
    assert not Result.objects.exists()


def test_nul_in_an_upload_name_never_reaches_the_database(client, users):
    client.force_login(users["hub"])
    upload = SimpleUploadedFile("r\x00.csv", b"Reference ID,Dec 2015\nSTF90,5\n")
    assert client.post("/imports/", {"file": upload}).status_code in (302, 400)
    assert all("\x00" not in batch.filename for batch in ImportBatch.objects.all())


# --- 6. Safe download filenames ------------------------------------------------------------


@pytest.mark.parametrize(
    "reference", ["STF90\r\nSet-Cookie: x=1", "a\x01b", 'x"; filename="evil.exe', "é/../"]
)
def test_export_filenames_are_safe_whatever_the_query(client, users, pdr, reference):
    client.force_login(users["hub"])
    response = client.get("/exports/results.csv", {"indicator": reference})
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    name = disposition.removeprefix('attachment; filename="').removesuffix('"')
    assert all(ch.isalnum() or ch in "._-" for ch in name), disposition


# --- 7. Bounded digits --------------------------------------------------------------------


def test_a_40_digit_numerator_is_a_message_by_the_field(client, users, pdr):
    datetime_jan = datetime.date(2016, 1, 25)
    from organisation.models import ReportingCalendar

    ReportingCalendar.objects.create(id=1, as_of=datetime_jan)
    client.force_login(users["officer"])
    form = {
        "value": "50",
        "numerator": "1" * 40,
        "denominator": "3",
        "commentary": "",
        "version": "0",
        "key": "",
        "action": "submit",
    }
    response = client.post("/returns/STF90/2015-12/", form)
    assert response.status_code == 200  # the form again, the message by the field
    assert "Too many digits" in response.content.decode()
    assert not Result.objects.exists()
    for numerator, denominator, value in (("2", "9" * 40, "50"), ("", "", "1" * 40), ("", "", "1e40")):
        form.update(numerator=numerator, denominator=denominator, value=value)
        response = client.post("/returns/STF90/2015-12/", form)
        assert response.status_code == 200 and "govuk-error-summary" in response.content.decode()
    assert not Result.objects.exists()


@pytest.mark.parametrize("raw", ["1" * 40, "1" * 15, 10**20, "0." + "1" * 80])
def test_parse_value_bounds_digits(raw):
    assert parse_value(raw).error


def test_fourteen_digits_are_still_a_number():
    assert parse_value("12345678901234").value == 12345678901234


# --- 8. Control characters in imported text; a robust exporter -----------------------------


def test_control_character_in_an_imported_title_is_refused(users):
    from indicators.workbooks.reader import _refuse_control_characters

    with pytest.raises(WorkbookRefused, match=r"Cell Sheet!C7 contains a control character \(U\+0001\)"):
        _refuse_control_characters("Sheet", 7, 3, "Bad\x01title")
    _refuse_control_characters("Sheet", 7, 3, "Tabs\tand\nnew lines are fine\r")
    csv_data = b"Reference ID,Indicator Description,Dec 2015\nNEW01,Bad\x0btitle,5\n"
    with pytest.raises(WorkbookRefused, match=r"Cell t.csv!B2 contains a control character"):
        read_upload("t.csv", csv_data, max_bytes=MB, max_rows=100)
    batch = import_preview(user=users["hub"], filename="t.csv", data=csv_data.replace(b"\x0b", b"\x01"))
    assert "control character" in batch.plan["refused"]


def test_exports_survive_control_characters_already_stored(client, users, pdr):
    pdr.title = "PDR \x01 completion\x0c"
    pdr.save()
    Result.objects.create(
        indicator=pdr,
        period=Period.objects.get(kind="month", start=datetime.date(2015, 12, 1)),
        value=80,
        status="approved",
        commentary="Paste\x1ffrom another system",
    )
    client.force_login(users["hub"])
    for url in ("/exports/results.xlsx", "/exports/library.xlsx", "/exports/template.xlsx?period=2015-12"):
        assert client.get(url).status_code == 200, url


# --- 2. The zip-bomb bound ----------------------------------------------------------------


def _bomb(unpacked_mb: int) -> bytes:
    """A real workbook with one part padded by a highly compressible blob."""
    data = _xlsx([["Reference ID", "Dec 2015"], ["STF90", 5]])
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for item in source.infolist():
            bomb.writestr(item, source.read(item.filename))
        bomb.writestr("xl/media/padding.bin", b"\x00" * (unpacked_mb * MB))
    return out.getvalue()


def _parsing_fails(monkeypatch):
    """Neither reader may open the workbook: the bound is checked on the zip's directory alone."""
    import openpyxl
    import python_calamine

    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: pytest.fail("parsed a bomb"))
    monkeypatch.setattr(
        python_calamine.CalamineWorkbook, "from_filelike", lambda *a, **k: pytest.fail("parsed a bomb")
    )


def test_zip_bomb_is_refused_by_ratio_before_parsing(monkeypatch):
    data = _bomb(20)  # ~20 KB unpacking to 20 MB: a ratio of about 1000
    assert len(data) < MB
    _parsing_fails(monkeypatch)
    with pytest.raises(WorkbookRefused, match="unpacks to"):
        read_upload("b.xlsx", data, max_bytes=10 * MB, max_rows=100)


def test_zip_bomb_is_refused_by_the_absolute_bound(monkeypatch):
    data = _bomb(3)
    _parsing_fails(monkeypatch)
    with pytest.raises(WorkbookRefused, match="unpacks to"):
        # The ratio would allow it (a 10 MB file could unpack to 1 GB); the absolute bound does not.
        read_upload("b.xlsx", data + b"", max_bytes=10 * MB, max_rows=100, max_unpacked=2 * MB)


def test_an_ordinary_workbook_is_within_both_bounds():
    data = _xlsx([["Reference ID", "Dec 2015"], *[["STF90", i] for i in range(2000)]])
    assert read_upload("ok.xlsx", data, max_bytes=10 * MB, max_rows=5000)[0].rows[1] == ["STF90", 0]


def test_the_upload_page_refuses_a_bomb_with_a_message(client, users, settings):
    client.force_login(users["hub"])
    response = client.post("/imports/", {"file": SimpleUploadedFile("b.xlsx", _bomb(20))}, follow=True)
    assert response.status_code in (200, 400)
    assert "unpacks to" in response.content.decode()
    assert not Result.objects.exists()


@pytest.mark.parametrize("url,field", [("/exceptions/history/", "reason"), ("/exceptions/1/review/", "note")])
def test_nul_in_the_review_note_and_history_reason_is_a_400(client, users, url, field):
    client.force_login(users["hub"])
    response = client.post(url, {"period": "2015-12", field: "why\x00"})
    assert response.status_code == 400 and "NUL character" in response.content.decode()


# --- 14 (export half). Full-width formula triggers are neutralised too ----------------------


@pytest.mark.parametrize("text", ["\uff1dSUM(A1)", "\uff0b44", "\uff0d1", "\uff20x", "=1", "\x01=1"])
def test_full_width_and_ascii_formula_triggers_are_neutralised(text):
    from indicators.workbooks.export import safe_cell
    from indicators.workbooks.parser import unneutralise
    from reporting.exports import neutralise

    assert safe_cell(text).startswith("'") and neutralise(text).startswith("'")
    assert unneutralise(safe_cell(text)) == text.replace("\x01", "")


# --- 14. External-link formulas are refused by default -------------------------------------


def test_a_workbook_with_external_links_is_refused_with_a_message(users):
    data = _xlsx([["Reference ID", "Dec 2015"], ["STF90", 5]])
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as linked:
        for item in source.infolist():
            linked.writestr(item, source.read(item.filename))
        linked.writestr("xl/externalLinks/externalLink1.xml", "<externalLink/>")
    batch = import_preview(user=users["hub"], filename="linked.xlsx", data=out.getvalue())
    assert "external links" in batch.plan["refused"]
    assert not Result.objects.exists()
