"""Open an uploaded .xlsx or .csv safely, or refuse it with a message saying why and what to do.

Refused, before anything is parsed or written: a file over the size limit; a file that is
neither a workbook nor a CSV; an encrypted (password-protected) or old-format .xls file; a
corrupt workbook; a macro-enabled one (.xlsm); one that unpacks to far more than its size (a zip
bomb); one with external links (formulas reading other workbooks, whose cached values may be
stale); more rows than the row limit; formulas with no saved (cached) value — the portal reads
what Excel last calculated and never evaluates formulas itself.
"""

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal

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
    import openpyxl

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise WorkbookRefused(
            "The workbook is damaged and cannot be opened. Open it in Excel, save it again as .xlsx, and upload it."
        ) from None
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
        formulas = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        values = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        return _sheets(formulas, values, max_rows=max_rows)
    except WorkbookRefused:
        raise
    except Exception:  # openpyxl raises many kinds on malformed XML; all mean the same to the user
        raise WorkbookRefused(
            "The workbook is damaged and cannot be read. Open it in Excel, save it again as .xlsx, and upload it."
        ) from None


def _sheets(formulas, values, *, max_rows: int) -> list[Sheet]:
    from openpyxl.utils import get_column_letter

    sheets, total = [], 0
    for formula_sheet, value_sheet in zip(formulas.worksheets, values.worksheets, strict=True):
        sheet = Sheet(name=value_sheet.title)
        for row_number, (formula_row, value_row) in enumerate(
            zip(formula_sheet.iter_rows(), value_sheet.iter_rows(), strict=False), start=1
        ):
            total += 1
            if total > max_rows:
                raise WorkbookRefused(
                    f"The workbook has more than {max_rows:,} rows, the limit. Split it into smaller files."
                )
            cells = []
            for column, (formula_cell, value_cell) in enumerate(
                zip(formula_row, value_row, strict=False), start=1
            ):
                value = getattr(value_cell, "value", None)
                _refuse_control_characters(value_sheet.title, row_number, column, value)
                if getattr(formula_cell, "data_type", None) == "f" and value is None:
                    raise WorkbookRefused(
                        f"Cell {value_sheet.title}!{get_column_letter(column)}{row_number} holds a formula with no "
                        "saved value. Open the file in Excel so it calculates, save it, and upload it again."
                    )
                number_format = getattr(value_cell, "number_format", "") or ""
                if (
                    isinstance(value, (int, float))
                    and not isinstance(value, bool)
                    and scales_by_100(number_format)
                ):
                    # A cell formatted as a percentage stores 0.9579 for 95.79 %.
                    value = f"{Decimal(str(value)) * 100}%"
                if hasattr(value, "isoformat"):
                    value = value.isoformat()
                cells.append(value)
            while cells and cells[-1] in (None, ""):
                cells.pop()
            sheet.rows.append(cells)
        sheets.append(sheet)
    return sheets
