"""The calamine reader keeps the rules the openpyxl reader had (issue 11 item 1).

calamine gives cell values only; the rules that need the file's XML (formulas with no saved value,
percentage formats) and the sheet's real row and column numbers are checked here.
"""

import datetime
import io
import zipfile

import pytest
from openpyxl import Workbook

from indicators.workbooks.parser import parse_sheets
from indicators.workbooks.reader import WorkbookRefused, read_upload
from indicators.workbooks.synthetic import bulk_workbook

MB = 1024 * 1024


def _read(data: bytes):
    return read_upload("book.xlsx", data, max_bytes=10 * MB, max_rows=1000)


def _save(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _patched(data: bytes, old: bytes, new: bytes) -> bytes:
    """The workbook with one sheet's XML edited (openpyxl cannot write a formula's saved value)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            part = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                assert old in part
                part = part.replace(old, new)
            target.writestr(item, part)
    return out.getvalue()


def test_rows_and_columns_keep_their_place_when_the_table_starts_lower_down():
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Table 3.3"
    sheet["B3"], sheet["C3"] = "Reference ID", "Dec 2015"
    sheet["B4"], sheet["C4"] = "STF90", "x"
    rows = _read(_save(workbook))[0].rows
    assert rows[2] == [None, "Reference ID", "Dec 2015"]
    rejected = parse_sheets(_read(_save(workbook))).rejected
    assert [(r["row"], r["column"]) for r in rejected] == [(4, "C")]


def test_whole_numbers_are_ints_and_decimals_stay_floats_and_dates_are_text():
    workbook = Workbook()
    workbook.active.append(["Reference ID", 5, 5.5, datetime.date(2015, 12, 1), True, None, 7])
    row = _read(_save(workbook))[0].rows[0]
    assert row == ["Reference ID", 5, 5.5, "2015-12-01T00:00:00", True, None, 7]
    assert isinstance(row[1], int) and isinstance(row[2], float)


def test_a_percentage_formatted_cell_is_read_as_a_percentage():
    workbook = Workbook()
    workbook.active.append(["Reference ID", "Dec 2015", "Nov 2015"])
    workbook.active.append(["STF90", 0.9579, 0.5])
    workbook.active["B2"].number_format = "0.00%"
    assert _read(_save(workbook))[0].rows[1] == ["STF90", "95.7900%", 0.5]


def test_a_formula_with_a_saved_value_is_read_and_one_without_is_refused():
    workbook = Workbook()
    workbook.active.append(["Reference ID", "Dec 2015"])
    workbook.active.append(["STF90", "=1+1"])
    data = _save(workbook)
    with pytest.raises(WorkbookRefused, match="Sheet!B2 holds a formula with no saved value"):
        _read(data)
    cached = _patched(data, b"<f>1+1</f><v />", b"<f>1+1</f><v>2</v>")
    assert _read(cached)[0].rows[1] == ["STF90", 2]


def test_a_control_character_in_a_cell_is_refused_with_its_place():
    data = _patched(
        bulk_workbook(3, 3),
        b"<t>STF00002</t>",
        b"<t>STF_x0001_2</t>",
    )
    with pytest.raises(WorkbookRefused, match=r"Results!A3 contains a control character \(U\+0001\)"):
        _read(data)


def test_a_workbook_with_a_dtd_is_refused_as_damaged():
    data = bulk_workbook(3, 3)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            part = source.read(item.filename)
            if item.filename == "xl/workbook.xml":
                part = part.replace(b"?>", b'?><!DOCTYPE x [<!ENTITY a "aaaa">]>', 1)
            target.writestr(item, part)
    with pytest.raises(WorkbookRefused, match="damaged"):
        _read(out.getvalue())


def test_the_row_limit_counts_every_sheet():
    with pytest.raises(WorkbookRefused, match="more than 10 rows"):
        read_upload("big.xlsx", bulk_workbook(11, 3), max_bytes=10 * MB, max_rows=10)
    assert len(read_upload("ok.xlsx", bulk_workbook(10, 3), max_bytes=10 * MB, max_rows=10)[0].rows) == 10


def test_the_synthetic_bulk_workbook_parses_as_the_bulk_template():
    parsed = parse_sheets(_read(bulk_workbook(4, 5)))
    assert [row.reference for row in parsed.rows] == ["STF00001", "STF00002", "STF00003"]
    assert len(parsed.rows[0].values) == 4 and not parsed.rejected
