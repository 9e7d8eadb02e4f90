"""Write result sets, the bulk template and the indicator library as .xlsx or .csv.

Text that begins with =, +, -, @ (or a tab or carriage return) is prefixed with an apostrophe,
so a spreadsheet never runs it as a formula (CSV/formula injection); numbers — negative ones
included — are written as numbers. The importer strips that apostrophe again, so an exported
file imports back unchanged.
"""

import csv
import io
import re
from decimal import Decimal

from indicators.formatting import unit_number_format

# The full-width forms (U+FF1D, U+FF0B, U+FF0D, U+FF20) too: spreadsheets in East Asian locales
# read them as the ASCII ones.
DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# Characters a worksheet cannot hold (openpyxl's IllegalCharacterError): C0 controls except tab,
# LF and CR, and DEL. Stripped from anything already stored, so no export ever fails on them.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
SAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")


def safe_text(text: str) -> str:
    """Text for a spreadsheet cell: no control characters, never read as a formula."""
    text = CONTROL_CHARACTERS.sub("", text)
    return "'" + text if text.startswith(DANGEROUS_PREFIXES) else text


def safe_filename(name: str, default: str = "export") -> str:
    """A download's file name from anything (a reference in the query string, a title): letters,
    digits, dot, dash and underscore only, so it can never break the Content-Disposition header."""
    return SAFE_FILENAME.sub("-", name or "").strip("-.")[:100] or default


class Figure(Decimal):
    """A value in an indicator's unit: a number in every file (so it imports back exactly), shown in
    a workbook as `format_value` writes it on the page (95.8% · £1,250 · £110k · 8,542)."""

    number_format = "General"


def figure(value: Decimal | None, indicator) -> Figure | None:
    if value is None:
        return None
    cell = Figure(value)
    cell.number_format = unit_number_format(indicator.unit, indicator.decimal_places)
    return cell


def safe_cell(value):
    """A cell value that cannot be run as a formula; numbers stay numbers."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, Decimal):
        normal = value.normalize()
        return int(normal) if normal == normal.to_integral_value() else float(normal)
    # Control characters (a pasted form feed in commentary) cannot be stored in a worksheet.
    return safe_text(str(value))


def write_table(rows: list[list], *, fmt: str, title: str = "Results") -> bytes:
    """Rows (the first is the header) as .xlsx or .csv bytes."""
    safe_rows = [[safe_cell(v) for v in row] for row in rows]
    if fmt == "csv":
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer)
        for row in safe_rows:
            writer.writerow(["" if v is None else v for v in row])
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel then reads UTF-8
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    for raw, row in zip(rows, safe_rows, strict=True):
        sheet.append(row)
        for column, value in enumerate(raw, start=1):
            if isinstance(value, Figure):
                sheet.cell(sheet.max_row, column).number_format = value.number_format
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def results_rows(indicators, periods, values: dict, commentary: dict) -> list[list]:
    """The bulk template layout: one row per indicator, one column per period, then commentary.

    `values[(indicator_id, period_id)]` is the value; `commentary[indicator_id]` belongs to the
    rightmost period with a value, which is where the importer puts it back.
    """
    header = ["Reference ID", "Indicator Description", *[p.label for p in periods], "Commentary"]
    rows = [header]
    for indicator in indicators:
        rows.append(
            [
                indicator.reference,
                indicator.title,
                *[figure(values.get((indicator.id, p.id)), indicator) for p in periods],
                commentary.get(indicator.id, ""),
            ]
        )
    return rows
