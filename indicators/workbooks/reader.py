"""Open an uploaded .xlsx or .csv safely, or refuse it with a message saying why and what to do.

Refused, before anything is parsed or written: a file over the size limit; a file that is
neither a workbook nor a CSV; an encrypted (password-protected) or old-format .xls file; a
corrupt workbook; a macro-enabled one (.xlsm); one that unpacks to far more than its size (a zip
bomb); one with external links (formulas reading other workbooks, whose cached values may be
stale); more rows than the row limit; formulas with no saved (cached) value — the portal reads
what Excel last calculated and never evaluates formulas itself.

Workbooks are read with python-calamine (Rust; many times faster than openpyxl, which is kept
for writing). Every check on the zip's parts (macros, external links, the unpacked size) runs on
the zip directory before any cell is read.
"""

import csv
import datetime
import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal

from indicators.workbooks.values import cycle_collection_paused

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted .xlsx and legacy .xls
# A zip bomb is refused before anything is parsed: the workbook's parts may unpack to at most
# this many times the file's own size, and never to more than the absolute bound. Real council
# workbooks unpack to 5-20 times their size; a bomb to hundreds or thousands of times.
UNPACKED_RATIO_LIMIT = 100
UNPACKED_MAX_BYTES = 200 * 1024 * 1024
# NUL and the C0 control characters other than tab, line feed and carriage return: never in real
# text, refused by PostgreSQL (NUL) or by the .xlsx format (the rest) when exported again.
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class WorkbookRefused(Exception):
    """The whole file is refused; the message says why and how to fix it."""


@dataclass
class Sheet:
    name: str
    rows: list[list] = field(default_factory=list)


# Text in quotes and backslash-escaped characters of an Excel number format are printed as they
# are: `#,##0.0"%"` (the portal's own exports: 95.8 stored as 95.8) shows a % without scaling.
_LITERALS = re.compile(r'"[^"]*"|\\.')


def scales_by_100(number_format: str) -> bool:
    """Whether Excel shows this cell's number ×100 with a % sign (0.9579 shown as 95.79%)."""
    return "%" in _LITERALS.sub("", number_format)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _oversize(size: int, max_bytes: int) -> str:
    """The size of a file over the limit, never shown as equal to the limit by rounding."""
    shown, limit = _megabytes(size), _megabytes(max_bytes)
    if shown == limit:
        shown = f"{size / (1024 * 1024):.3f} MB"
    if shown == f"{max_bytes / (1024 * 1024):.3f} MB":
        shown = f"more than {limit}"
    return shown


def _refuse_control_characters(sheet: str, row: int, column: int, value) -> None:
    if isinstance(value, str) and (found := CONTROL_CHARACTER.search(value)):
        from openpyxl.utils import get_column_letter

        what = "a NUL character" if found[0] == "\x00" else f"a control character (U+{ord(found[0]):04X})"
        raise WorkbookRefused(
            f"Cell {sheet}!{get_column_letter(column)}{row} contains {what}, which is never valid in text. "
            "Remove it (it often comes from pasting out of another system), save the file and upload it again."
        )


@cycle_collection_paused
def read_upload(
    filename: str,
    data: bytes,
    *,
    max_bytes: int,
    max_rows: int,
    size: int | None = None,
    max_unpacked: int = UNPACKED_MAX_BYTES,
) -> list[Sheet]:
    """The file's sheets as rows of cell values (numbers, text or None).

    `size` is the whole upload's size when `data` was cut short (read one byte past the limit).
    """
    name = (filename or "").lower()
    size = max(size or 0, len(data))
    if size > max_bytes:
        raise WorkbookRefused(
            f"The file is {_oversize(size, max_bytes)}; the limit is {_megabytes(max_bytes)}. "
            "Split it into smaller files and import each."
        )
    if not data:
        raise WorkbookRefused("The file is empty. Choose the .xlsx or .csv file again.")
    if name.endswith((".xlsm", ".xltm", ".xlam")):
        raise WorkbookRefused(
            "Macro-enabled workbooks (.xlsm) are not accepted. Save it as an Excel Workbook (.xlsx) and upload that."
        )
    if data.startswith(OLE_SIGNATURE):
        raise WorkbookRefused(
            "The file is password-protected (encrypted) or in the old .xls format. "
            "Remove the password and save it as an Excel Workbook (.xlsx)."
        )
    if data.startswith(b"PK\x03\x04") or name.endswith((".xlsx", ".xltx")):
        return _read_xlsx(data, max_rows=max_rows, max_unpacked=max_unpacked)
    if name.endswith(".csv") or name.endswith(".txt"):
        return [_read_csv(filename, data, max_rows=max_rows)]
    raise WorkbookRefused("This is not a workbook. Upload an Excel Workbook (.xlsx) or a CSV file (.csv).")


def _read_csv(filename: str, data: bytes, *, max_rows: int) -> Sheet:
    if b"\x00" in data[:4096]:
        raise WorkbookRefused(
            "This is not a CSV file (it contains binary data). Upload an .xlsx or .csv file."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # Excel's "CSV" on Windows
    rows = []
    try:
        for row in csv.reader(io.StringIO(text, newline="")):
            for column, cell in enumerate(row, start=1):
                _refuse_control_characters(filename or "CSV", len(rows) + 1, column, cell)
            rows.append([cell if cell.strip() else None for cell in row])
            if len(rows) > max_rows:
                raise WorkbookRefused(
                    f"The file has more than {max_rows:,} rows, the limit. Split it into smaller files."
                )
    except csv.Error as error:
        raise WorkbookRefused(
            f"The CSV file could not be read ({error}). Save it again as CSV and upload it."
        ) from None
    return Sheet(name=filename or "CSV", rows=rows)


def _read_xlsx(data: bytes, *, max_rows: int, max_unpacked: int) -> list[Sheet]:
    """Every check that needs the zip's parts runs on the parts themselves, before any cell is read;
    the cells are read by calamine (Rust), many times faster than openpyxl on a large file.

    calamine gives values only, so the two rules that need more look at the sheet XML directly:
    formulas with no saved value, and numbers formatted as percentages.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise WorkbookRefused(DAMAGED_OPEN) from None
    if "xl/vbaProject.bin" in names:
        raise WorkbookRefused(
            "The workbook contains macros. Save it as an Excel Workbook (.xlsx), without macros, and upload that."
        )
    if any(name.startswith("xl/externalLinks/") for name in names):
        raise WorkbookRefused(
            "The workbook has formulas that link to other workbooks (external links). Their saved values "
            "may be out of date, so it is refused. In Excel use Data > Edit Links > Break Link (or paste "
            "the values), save it, and upload it again."
        )
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise WorkbookRefused(
            "This is not an Excel workbook. Upload an Excel Workbook (.xlsx) or a CSV file (.csv)."
        )
    if unpacked > max_unpacked or unpacked > len(data) * UNPACKED_RATIO_LIMIT:
        raise WorkbookRefused(
            f"The workbook unpacks to {_megabytes(unpacked)}, far more data than a workbook of "
            f"{_megabytes(len(data))} should (the limits are {_megabytes(max_unpacked)} and "
            f"{UNPACKED_RATIO_LIMIT} times the file's size). Upload a smaller file, or save it again from Excel."
        )
    try:
        import python_calamine

        parts = _sheet_parts(archive)
        percent_styles = _percent_styles(archive)
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets, total = [], 0
        for index, meta in enumerate(workbook.sheets_metadata):
            if meta.typ != python_calamine.SheetTypeEnum.WorkSheet:
                continue  # chart sheets and dialog sheets hold no cells (openpyxl skipped them too)
            xml = archive.read(parts[meta.name]) if meta.name in parts else b""
            rows = workbook.get_sheet_by_index(index).to_python(
                skip_empty_area=False, nrows=max_rows - total + 1
            )
            total += len(rows)
            if total > max_rows:
                raise WorkbookRefused(
                    f"The workbook has more than {max_rows:,} rows, the limit. Split it into smaller files."
                )
            sheets.append(_sheet(meta.name, rows, xml, percent_styles))
        return sheets
    except WorkbookRefused:
        raise
    except Exception:  # calamine and the XML parser raise many kinds on a malformed file; all mean the same
        raise WorkbookRefused(DAMAGED_READ) from None


DAMAGED_OPEN = (
    "The workbook is damaged and cannot be opened. Open it in Excel, save it again as .xlsx, and upload it."
)
DAMAGED_READ = (
    "The workbook is damaged and cannot be read. Open it in Excel, save it again as .xlsx, and upload it."
)
_RELATIONSHIP_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
# A formula element in a cell (<f>, <f t="shared" .../>), and a saved value after it.
_FORMULA = re.compile(rb"<f[\s>/]")
_SAVED_VALUE = re.compile(rb"<v(?:\s[^>]*)?>[^<]|<is>")
_CELL_REFERENCE = re.compile(rb'\sr="([A-Z]{1,3})([0-9]{1,7})"')
_BUILT_IN_PERCENT_FORMATS = {9, 10}  # "0%" and "0.00%"
_TEMPORAL = (datetime.datetime, datetime.date, datetime.time)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _small_xml(archive: zipfile.ZipFile, name: str):
    """A small part (workbook, rels, styles) as an element tree. Excel never writes a DTD, so one is
    refused: no entity expansion or external entity can be reached (defusedxml is not a dependency)."""
    from xml.etree import ElementTree

    text = archive.read(name)
    if b"<!DOCTYPE" in text or b"<!ENTITY" in text:
        raise WorkbookRefused(DAMAGED_READ)
    return ElementTree.fromstring(text)  # noqa: S314  (no DTD, checked above)


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Each worksheet's name → its part in the zip (xl/worksheets/sheet1.xml), from the workbook's rels."""
    targets = {}
    if "xl/_rels/workbook.xml.rels" in archive.namelist():
        for rel in _small_xml(archive, "xl/_rels/workbook.xml.rels"):
            target = rel.get("Target", "")
            targets[rel.get("Id")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    parts = {}
    for element in _small_xml(archive, "xl/workbook.xml").iter():
        if _local(element.tag) == "sheet" and element.get(_RELATIONSHIP_ID) in targets:
            parts[element.get("name")] = targets[element.get(_RELATIONSHIP_ID)]
    return parts


def _percent_styles(archive: zipfile.ZipFile) -> set[bytes]:
    """The cell style indexes (the s="N" of a cell) whose number format shows a percentage."""
    if "xl/styles.xml" not in archive.namelist():
        return set()
    root = _small_xml(archive, "xl/styles.xml")
    custom = {
        int(fmt.get("numFmtId", -1)): fmt.get("formatCode", "")
        for fmt in root.iter()
        if _local(fmt.tag) == "numFmt"
    }
    styles = set()
    for cell_xfs in (e for e in root if _local(e.tag) == "cellXfs"):
        for index, xf in enumerate(e for e in cell_xfs if _local(e.tag) == "xf"):
            number_format = int(xf.get("numFmtId", 0) or 0)
            if number_format in _BUILT_IN_PERCENT_FORMATS or scales_by_100(custom.get(number_format, "")):
                styles.add(str(index).encode())
    return styles


def _cell_position(xml: bytes, at: int) -> tuple[int, int] | None:
    """The (row, column) numbers of the cell whose start tag contains or precedes offset `at`."""
    start = xml.rfind(b"<c ", 0, at + 1)
    found = _CELL_REFERENCE.search(xml, start, xml.find(b">", start) + 1) if start >= 0 else None
    if not found:
        return None
    column = 0
    for letter in found[1]:
        column = column * 26 + letter - 64
    return int(found[2]), column


def _formulas_without_value(xml: bytes):
    """(row, column) of each formula cell with no saved value: the portal never calculates formulas."""
    for match in _FORMULA.finditer(xml):
        end = xml.find(b"</c>", match.start())
        if not _SAVED_VALUE.search(xml, match.start(), end if end >= 0 else len(xml)):
            if (position := _cell_position(xml, match.start())) is not None:
                yield position


def _percent_cells(xml: bytes, styles: set[bytes]):
    """(row, column) of each cell whose style shows it as a percentage."""
    if not styles:
        return
    pattern = re.compile(rb' s="(?:' + b"|".join(sorted(styles)) + rb')"')
    for match in pattern.finditer(xml):
        start = xml.rfind(b"<", 0, match.start())
        if xml.startswith(b"<c ", start) and (position := _cell_position(xml, match.start())):
            yield position


def _other_value(value):
    """Dates as ISO text (a date alone as midnight, as Excel stores it); anything else unchanged."""
    if isinstance(value, _TEMPORAL):
        if not isinstance(value, (datetime.datetime, datetime.time)):
            value = datetime.datetime.combine(value, datetime.time())
        return value.isoformat()
    return value


def _sheet(name: str, raw_rows: list[list], xml: bytes, percent_styles: set[bytes]) -> Sheet:
    from openpyxl.utils import get_column_letter

    sheet = Sheet(name=name)
    for row_number, raw in enumerate(raw_rows, start=1):
        texts = [value for value in raw if value.__class__ is str and value]
        if texts and CONTROL_CHARACTER.search("\t".join(texts)):
            for column, value in enumerate(raw, start=1):
                _refuse_control_characters(name, row_number, column, value)
        # calamine reads every number as a float and an empty cell as "": whole numbers back to
        # int and empty cells to None, as the parser (written against openpyxl) expects.
        cells = [
            (value or None)
            if (kind := value.__class__) is str
            else (int(value) if value.is_integer() else value)
            if kind is float
            else _other_value(value)
            for value in raw
        ]
        while cells and cells[-1] is None:
            cells.pop()
        sheet.rows.append(cells)
    for row, column in _formulas_without_value(xml):
        if row <= len(sheet.rows) and (
            column > len(sheet.rows[row - 1]) or sheet.rows[row - 1][column - 1] is None
        ):
            raise WorkbookRefused(
                f"Cell {name}!{get_column_letter(column)}{row} holds a formula with no "
                "saved value. Open the file in Excel so it calculates, save it, and upload it again."
            )
    for row, column in _percent_cells(xml, percent_styles):
        cells = sheet.rows[row - 1] if row <= len(sheet.rows) else []
        value = cells[column - 1] if column <= len(cells) else None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            # A cell formatted as a percentage stores 0.9579 for 95.79 %.
            cells[column - 1] = f"{Decimal(str(value)) * 100}%"
    return sheet
