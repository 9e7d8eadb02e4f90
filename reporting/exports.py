"""Scorecard exports (.xlsx laid out like the framework's Table 3.3, and CSV) and open data files.

Spreadsheets open what we write as formulas when a text cell begins with = + - or @, so a title
typed into the library could run in a reader's Excel ("CSV injection"). Every text cell goes
through `neutralise`; numbers are written as numbers and stay numbers (a -4 underspend is a
number, not text).
"""

import csv
import io
import json
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from indicators.analytics import constants as c

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

# Cell fills matching the RAG tags on screen; the word is always in the cell too.
RAG_FILLS = {
    c.GREEN: ("00703C", "FFFFFF"),
    c.AMBER: ("FFBF47", "0B0C0C"),
    c.RED: ("B0281A", "FFFFFF"),
    c.NO_RAG: ("505A5F", "FFFFFF"),
    c.MISSING: ("FFFFFF", "0B0C0C"),
}
DIRECTION_FILLS = {
    c.GOOD: ("CCE2D8", "005A30"),
    c.BAD: ("F4CDC6", "8E2A17"),
    c.SAME: ("E9ECEF", "0B0C0C"),
    c.NOT_COMPARABLE: ("F3F2F1", "505A5F"),
}


def neutralise(value):
    """Text that a spreadsheet would read as a formula gets a leading apostrophe; others pass."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _number(value: Decimal | None):
    """Decimal → int or float for spreadsheet and JSON cells; None stays empty."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def scorecard_columns(scorecard) -> list[str]:
    return [
        "Group",
        "Ref",
        "Indicator",
        *scorecard.year_labels,
        "Latest",
        "Latest period",
        "Target",
        "Polarity",
        "RAG",
        "Direction of travel",
        "Variation",
        "Assurance",
        "Forecast",
        "Responsible officer",
        "Include",
    ]


def record_for(section, group, row) -> list:
    """The cells of one scorecard row, numbers as numbers (shared by CSV and .xlsx)."""
    return [
        f"{section.title}: {group.label}" if section.title else group.label,
        row.reference,
        row.title,
        *[_number(v) for v in row.years],
        _number(row.value),
        row.period_label,
        _number(row.target),
        row.polarity_label,
        row.rag_label,
        row.direction_label,
        row.variation_label or "—",
        row.assurance_label or "—",
        _number(row.forecast_value),
        row.responsible_officer,
        "Y" if row.included else "",
    ]


def scorecard_records(scorecard) -> list[list]:
    """One list of cells per row, in screen order."""
    return [
        record_for(section, group, row)
        for section in scorecard.sections
        for group in section.groups
        for row in group.rows
    ]


def scorecard_csv(scorecard) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(scorecard_columns(scorecard))
    for record in scorecard_records(scorecard):
        writer.writerow(["" if cell is None else neutralise(cell) for cell in record])
    return out.getvalue()


def scorecard_xlsx(scorecard) -> bytes:
    """Title, period and filters on top; then per group a heading row and its indicator rows."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Scorecard"
    columns = scorecard_columns(scorecard)[1:]  # the group is a heading row, as in Table 3.3
    bold = Font(bold=True)
    thin = Side(style="thin", color="B1B4B6")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)

    sheet.append([neutralise(scorecard.title)])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([neutralise(f"As at {scorecard.period.label}" if scorecard.period else "Latest results")])
    if scorecard.filters:
        sheet.append(
            [neutralise("Filtered: " + ", ".join(f"{k} = {v}" for k, v in scorecard.filters.items()))]
        )
    sheet.append([])
    sheet.append(columns)
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = bold
        cell.fill = PatternFill("solid", fgColor="DEE0E2")
        cell.border = border
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    rag_col = columns.index("RAG") + 1
    dot_col = columns.index("Direction of travel") + 1

    for section in scorecard.sections:
        if section.title:
            sheet.append([neutralise(section.title)])
            sheet.cell(sheet.max_row, 1).font = Font(bold=True, size=13)
        for group in section.groups:
            sheet.append([neutralise(group.label)])
            sheet.cell(sheet.max_row, 1).font = bold
            sheet.merge_cells(
                start_row=sheet.max_row, start_column=1, end_row=sheet.max_row, end_column=len(columns)
            )
            for row in group.rows:
                record = record_for(section, group, row)[1:]
                sheet.append([neutralise(cell) for cell in record])
                n = sheet.max_row
                for col in range(1, len(columns) + 1):
                    sheet.cell(n, col).border = border
                _fill(sheet.cell(n, rag_col), RAG_FILLS.get(row.rag))
                _fill(sheet.cell(n, dot_col), DIRECTION_FILLS.get(row.direction))
                for offset, _ in enumerate(scorecard.year_labels):
                    sheet.cell(n, 3 + offset).number_format = _number_format(row.indicator.decimal_places)
                sheet.cell(n, 3 + len(scorecard.year_labels)).number_format = _number_format(
                    row.indicator.decimal_places
                )

    widths = [10, 48, *[10] * len(scorecard.year_labels), 10, 12, 10, 11, 10, 12, 22, 18, 10, 22, 8]
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = f"C{header_row + 1}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _fill(cell, colours) -> None:
    if colours:
        background, text = colours
        cell.fill = PatternFill("solid", fgColor=background)
        cell.font = Font(bold=True, color=text)


def _number_format(decimal_places: int) -> str:
    return "#,##0" + ("." + "0" * decimal_places if decimal_places else "")


def open_data_csv(rows: list[dict], fields: list[str]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields)
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else neutralise(v) for k, v in row.items()})
    return out.getvalue()


def open_data_json(rows: list[dict]) -> str:
    """JSON keeps numbers as numbers; no neutralising needed (JSON is not opened as a sheet)."""
    return json.dumps(
        [{k: _number(v) if isinstance(v, Decimal) else v for k, v in row.items()} for row in rows],
        ensure_ascii=False,
        indent=1,
    )
