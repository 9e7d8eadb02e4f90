"""A large bulk-template workbook written straight as XML, for the bench and the load tests.

openpyxl takes minutes to write 19,001 rows x 200 columns; this writes the same parts (inline
strings, plain numbers) in about a second, so measuring the reader is not dominated by making
its input.
"""

import datetime
import io
import zipfile
from xml.sax.saxutils import escape

from indicators.workbooks.parser import cell_name

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Results" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)


def month_labels(count: int, first: datetime.date = datetime.date(2000, 1, 1)) -> list[str]:
    """`count` consecutive month headers from `first`: "Jan 2000", "Feb 2000", ..."""
    labels, year, month = [], first.year, first.month
    for _ in range(count):
        labels.append(datetime.date(year, month, 1).strftime("%b %Y"))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return labels


def _text(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(text)}</t></is></c>'


def bulk_workbook(
    rows: int, columns: int, *, references=None, periods: list[str] | None = None, value=None
) -> bytes:
    """A bulk-template .xlsx: a header and `rows - 1` indicators, `columns - 1` month columns.

    `references(i)` names row i's indicator (default STF00001...); `value(i, j)` is its number for
    month column j (default 0-9: the file then fits the 10 MiB upload limit, as the
    issue's 8 MB workbook did).
    """
    periods = periods or month_labels(columns - 1)
    references = references or (lambda i: f"STF{i:05d}")
    value = value or (lambda i, j: (i + j) % 10)
    letters = [cell_name(c) for c in range(columns)]
    out = io.StringIO()
    out.write(
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    )
    header = "".join(_text(f"{letters[c]}1", text) for c, text in enumerate(["Reference ID", *periods]))
    out.write(f'<row r="1">{header}</row>')
    for i in range(1, rows):
        number = i + 1
        cells = [_text(f"A{number}", references(i))]
        cells.extend(f'<c r="{letters[j]}{number}"><v>{value(i, j)}</v></c>' for j in range(1, columns))
        out.write(f'<row r="{number}">{"".join(cells)}</row>')
    out.write("</sheetData></worksheet>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", out.getvalue())
    return buffer.getvalue()
