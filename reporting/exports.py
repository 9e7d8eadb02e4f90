"""Scorecard exports (.xlsx laid out like the framework's Table 3.3, and CSV) and open data files.

Spreadsheets open what we write as formulas when a text cell begins with = + - or @, so a title
typed into the library could run in a reader's Excel ("CSV injection"). Every text cell goes
through `neutralise`; numbers are written as numbers and stay numbers (a -4 underspend is a
number, not text).

Numbers are rounded to the indicator's decimal places exactly as the page rounds them
(`indicators.formatting.format_value`, half away from zero), so a file never shows 8580.8068
where the page shows 8,581. The CSV writes the rounded decimal ("95.80", "227"); the .xlsx
writes the rounded number with a cell format by unit ("95.80%", "£1,250", "£110k", "13,805").

Which figures a file holds. A reported period's scorecard can show the frozen as-reported
assessments or today's, and a RAG can differ between them, so an auditor must be able to tell
from the file alone which one a committee paper carried:

- the filename ends in "-as-reported" or "-current" (an unreported period is always current);
- the .xlsx heading rows say it in words, with the date the period was reported;
- every row of both files has a "Figures" column: "As reported on 20 January 2016", or
  "Current on 14 July 2026" (the day the file was made, since current figures follow later
  changes to results and targets). A row inside an as-reported scorecard that had nothing
  reported then says "Current on … (not in the report of 20 January 2016)". A column, not a
  leading comment line, because a comment line breaks CSV readers and is lost when rows are
  filtered or pasted elsewhere; the value travels with each row.
"""

import csv
import datetime
import io
import json
from decimal import Decimal

from django.utils import timezone

from indicators.analytics import constants as c
from indicators.formatting import rounded, unit_number_format
from indicators.workbooks.export import DANGEROUS_PREFIXES, safe_text

FORMULA_TRIGGERS = DANGEROUS_PREFIXES

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
FIGURES = "Figures"
STATUTORY = "Statutory / single data list"
CLINIC = "Performance clinic"  # a held clinic and a remedial plan in progress, as the page marks them


def neutralise(value):
    """Text that a spreadsheet would read as a formula (ASCII or full-width =, +, -, @) gets a
    leading apostrophe, and control characters a worksheet cannot hold are dropped, whatever is
    already stored (indicators.workbooks.export.safe_text); other values pass."""
    return safe_text(value) if isinstance(value, str) else value


def _number(value: Decimal | None):
    """Decimal → int or float for spreadsheet and JSON cells; None stays empty."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _long_date(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"  # "20 January 2016", as the page writes it


def figures_label(scorecard, row, exported_on: datetime.date) -> str:
    """Which figures this row holds: as reported (and when), or current (and on what day)."""
    if scorecard.as_reported and not row.not_reported:
        return f"As reported on {_long_date(row.reported_on or scorecard.reported_on)}"
    current = f"Current on {_long_date(exported_on)}"
    if scorecard.as_reported:  # nothing was reported for this indicator then
        return f"{current} (not in the report of {_long_date(scorecard.reported_on)})"
    return current


def figures_heading(scorecard, exported_on: datetime.date) -> list[str]:
    """The heading lines saying which figures the file holds, as the page says it."""
    today = _long_date(exported_on)
    if scorecard.period is None:
        return ["Latest results", f"Figures: current assessments on {today}."]
    as_at = f"As at {scorecard.period.label}"
    if scorecard.as_reported:
        reported = _long_date(scorecard.reported_on)
        return [
            f"{as_at}, as reported on {reported}",
            f"Figures: as reported on {reported}. RAG, direction of travel, variation and target as"
            " they were reported; later changes to targets or results do not alter them. A row whose"
            f" Figures column says “Current” had nothing reported then and shows today's assessment.",
        ]
    if scorecard.reported_on:
        return [
            f"{as_at}: current assessments on {today}",
            f"Figures: current on {today}, not as reported on {_long_date(scorecard.reported_on)}."
            f" They reflect any change to a result or target since {scorecard.period.label} was reported.",
        ]
    return [
        f"{as_at}: current assessments on {today}",
        f"Figures: current on {today}. {scorecard.period.label} has not been reported yet.",
    ]


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
        STATUTORY,
        FIGURES,
        in_year_column(scorecard),
        CLINIC,
    ]


def in_year_column(scorecard) -> str:
    """The column saying what the chosen year's figure is: the full year, or the year so far."""
    return f"{scorecard.year_labels[-1]} figure covers"


def in_year_cover(row) -> str:
    """ "Full year" for a year result, else the in-year period ("Q3", "Dec") the page marks."""
    if row.years[-1] is None:
        return ""
    return row.years_notes[-1] or "Full year"


def number_columns(scorecard) -> list[str]:
    """The columns holding results in the indicator's unit (formatted by unit in the .xlsx)."""
    return [*scorecard.year_labels, "Latest", "Target", "Forecast"]


def record_for(scorecard, section, group, row, exported_on: datetime.date) -> list:
    """The cells of one scorecard row, numbers as rounded Decimals (shared by CSV and .xlsx)."""
    dp = row.indicator.decimal_places
    return [
        f"{section.title}: {group.label}" if section.title else group.label,
        row.reference,
        row.title,
        *[rounded(v, dp) for v in row.years],
        rounded(row.value, dp),
        row.period_label,
        rounded(row.target, dp),
        row.polarity_label,
        row.rag_label,
        row.direction_label,
        row.variation_label or "—",
        row.assurance_label or "—",
        rounded(row.forecast_value, dp),
        row.responsible_officer,
        "Y" if row.included else "",
        "Yes" if row.statutory else "",
        figures_label(scorecard, row, exported_on),
        in_year_cover(row),
        row.clinic_mark.scorecard_text if row.clinic_mark else "",
    ]


def _rows(scorecard):
    for section in scorecard.sections:
        for group in section.groups:
            for row in group.rows:
                yield section, group, row


def scorecard_records(scorecard, exported_on: datetime.date | None = None) -> list[list]:
    """One list of cells per row, in screen order."""
    exported_on = exported_on or timezone.localdate()
    return [record_for(scorecard, *where, exported_on) for where in _rows(scorecard)]


def scorecard_csv(scorecard, exported_on: datetime.date | None = None) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(scorecard_columns(scorecard))
    for record in scorecard_records(scorecard, exported_on):
        writer.writerow(["" if cell is None else neutralise(cell) for cell in record])
    return out.getvalue()


def _cell(value):
    """A record's cell as openpyxl writes it: rounded Decimals as numbers, text neutralised."""
    return _number(value) if isinstance(value, Decimal) else neutralise(value)


def scorecard_xlsx(scorecard, exported_on: datetime.date | None = None) -> bytes:
    """Title, period, figures and filters on top; then per group a heading row and its rows."""
    # openpyxl is imported when a workbook is written, not when Django starts (a quick `make run`).
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    exported_on = exported_on or timezone.localdate()
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Scorecard"
    columns = scorecard_columns(scorecard)[1:]  # the group is a heading row, as in Table 3.3
    bold = Font(bold=True)
    thin = Side(style="thin", color="B1B4B6")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)

    sheet.append([neutralise(scorecard.title)])
    sheet["A1"].font = Font(bold=True, size=14)
    as_at, figures = figures_heading(scorecard, exported_on)
    sheet.append([neutralise(as_at)])
    sheet.cell(sheet.max_row, 1).font = bold
    sheet.append([neutralise(figures)])
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
    figures_col = columns.index(FIGURES) + 1
    number_cols = [columns.index(name) + 1 for name in number_columns(scorecard)]

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
                record = record_for(scorecard, section, group, row, exported_on)[1:]
                sheet.append([_cell(cell) for cell in record])
                n = sheet.max_row
                for col in range(1, len(columns) + 1):
                    sheet.cell(n, col).border = border
                _fill(sheet.cell(n, rag_col), RAG_FILLS.get(row.rag))
                _fill(sheet.cell(n, dot_col), DIRECTION_FILLS.get(row.direction))
                number_format = unit_number_format(row.indicator.unit, row.indicator.decimal_places)
                for col in number_cols:
                    sheet.cell(n, col).number_format = number_format
                if row.years_notes[-1]:  # the year so far, shown as the page shows it: 1,918 (Q3)
                    sheet.cell(
                        n, number_cols[len(scorecard.year_labels) - 1]
                    ).number_format = f'{number_format}" ({row.years_notes[-1]})"'
                if scorecard.as_reported and row.not_reported:
                    sheet.cell(n, figures_col).font = bold  # current figures among reported ones

    widths = [
        10,
        48,
        *[12] * len(scorecard.year_labels),
        10,
        12,
        10,
        11,
        10,
        12,
        22,
        18,
        10,
        22,
        8,
        12,
        28,
        14,
        30,
    ]
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
    from openpyxl.styles import Font, PatternFill

    if colours:
        background, text = colours
        cell.fill = PatternFill("solid", fgColor=background)
        cell.font = Font(bold=True, color=text)


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
