"""Turn sheets into indicator rows and values: the bulk template and Table 3.3 tables. Pure.

Both layouts have a header row with "Reference ID" (or "Reference"), an optional description,
and one column per period: "2014/15 Result", "Q3 2015/16", "Dec 2015". Table 3.3 adds
"Polarity", "Latest Direction of Travel", "Responsible Officer" and "Include", and section rows
("Performance", "Customer", "Workforce", "Finance") that give the category of the rows below.
The bulk template adds "Commentary", which belongs to the row's rightmost period with a value.

A value's note names its period when it differs from the column's: "1,918 (Q3)" in the 2015/16
column is Q3 2015/16; "-4 (2013/14)" is 2013/14.

A third layout is the long open-data format York publishes (and the portal's own
/public/open-data.csv): one row per indicator and period, with "Id", "Indicator", "Year" (or
"Period": "2014/15", "Q3 2015/16", "Dec 2015"), "Polarity" and "Total", where Total is text and
"-", "N/A" and "NC" mean no value: those rows are skipped and counted (`ParsedFile.skipped`).
Other columns (Target, RAG, Direction of travel, Unit) are read past.
"""

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal

from indicators.periods import plausible_year
from indicators.workbooks.values import MAX_INTEGER_DIGITS, cycle_collection_paused, parse_value

MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}
SECTIONS = {
    "performance": "performance",
    "customer": "customer",
    "workforce": "workforce",
    "finance": "finance",
}
POLARITIES = {"up is good": "up_is_good", "up is bad": "up_is_bad", "neutral": "neutral"}
YES = {"y", "yes", "true", "1", "✓", "✔", "x", "υ"}  # "Υ" (Greek) turns up in real plans
REFERENCE_HEADERS = {"reference id", "reference", "ref", "ref id", "id"}
HEADER_ROLES = {
    "indicator description": "title",
    "indicator": "title",
    "description": "title",
    "title": "title",
    "polarity": "polarity",
    "latest direction of travel": "direction",
    "direction of travel": "direction",
    "responsible officer": "officer",
    "include": "include",
    "commentary": "commentary",
}
REFERENCE = re.compile(r"^[A-Za-z][A-Za-z0-9_./-]{0,19}$")
PeriodKey = tuple[str, datetime.date]


def normalised_header(text) -> str:
    return " ".join(str(text).replace("\u00a0", " ").split()).casefold() if text is not None else ""


def parse_period_label(text: str) -> PeriodKey | None:
    """("year", 2014-04-01) for "2014/15"; quarters "Q3 2015/16"; months "Dec 2015"."""
    t = normalised_header(text)
    t = re.sub(r"\s+(results?|actual|value)$", "", t)
    if (found := re.search(r"\d{4}", t)) and not plausible_year(int(found[0])):
        return None  # year 0, "9999/00": never a council's period
    if m := re.fullmatch(r"(\d{4})/(\d{2})", t):
        year = int(m[1])
        return ("year", datetime.date(year, 4, 1)) if (year + 1) % 100 == int(m[2]) else None
    if m := re.fullmatch(r"q([1-4])\s+(\d{4})/(\d{2})", t):
        year, quarter = int(m[2]), int(m[1])
        if (year + 1) % 100 != int(m[3]):
            return None
        month = {1: 4, 2: 7, 3: 10, 4: 1}[quarter]
        return "quarter", datetime.date(year + 1 if quarter == 4 else year, month, 1)
    if m := re.fullmatch(r"([a-z]{3})[a-z]*\s+(\d{4})", t):
        if m[1] in MONTHS:
            return "month", datetime.date(int(m[2]), MONTHS[m[1]], 1)
    return None


def financial_year(key: PeriodKey) -> int:
    start = key[1]
    return start.year if start.month >= 4 else start.year - 1


def period_from_note(note: str, column: PeriodKey) -> PeriodKey | None:
    """The period a note names, read against the column's financial year."""
    if m := re.fullmatch(r"q([1-4])", normalised_header(note)):
        fy, quarter = financial_year(column), int(m[1])
        month = {1: 4, 2: 7, 3: 10, 4: 1}[quarter]
        return "quarter", datetime.date(fy + 1 if quarter == 4 else fy, month, 1)
    return parse_period_label(note)


def cell_name(column_index: int) -> str:
    name, n = "", column_index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        name = chr(65 + rem) + name
    return name


def unneutralise(text: str) -> str:
    """Undo the export's formula-injection guard ("'=x" → "=x") so a round trip changes nothing."""
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@\t\r\uff1d\uff0b\uff0d\uff20":
        return text[1:]
    return text


@dataclass(slots=True)
class Cell:
    sheet: str
    row: int
    column: str

    def where(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "column": self.column}


@dataclass(slots=True)
class ParsedValue:
    """One value and where it came from. The place is kept as plain fields, not a `Cell`: a large
    file has millions of values, and an object fewer each is a fifth of the parse's memory."""

    period: PeriodKey
    value: Decimal
    is_percent: bool
    sheet: str
    row: int
    column: str

    @property
    def cell(self) -> Cell:
        return Cell(self.sheet, self.row, self.column)


@dataclass
class IndicatorRow:
    reference: str
    cell: Cell
    title: str = ""
    category: str = ""
    polarity: str = ""
    polarity_text: str = ""
    direction_text: str = ""
    officer: str = ""
    include: bool = False
    commentary: str | None = None
    values: list[ParsedValue] = field(default_factory=list)


@dataclass
class ParsedFile:
    layout: str = "results"  # "results" (bulk template), "table_3_3" or "open_data" (long)
    rows: list[IndicatorRow] = field(default_factory=list)
    # Long format: rows whose Total is a non-value ("-", "N/A", "NC", blank), skipped.
    skipped: int = 0
    rejected: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _find_header(rows: list[list]) -> int | None:
    for index, row in enumerate(rows[:50]):
        if any(normalised_header(cell) in REFERENCE_HEADERS for cell in row if isinstance(cell, str)):
            return index
    return None


@cycle_collection_paused
def parse_sheets(sheets) -> ParsedFile:
    """Read every sheet with a recognisable header; report every cell that cannot be used."""
    parsed = ParsedFile()
    found_header = False
    for sheet in sheets:
        header_index = _find_header(sheet.rows)
        if header_index is None:
            if any(any(cell not in (None, "") for cell in row) for row in sheet.rows):
                parsed.notes.append(f'Sheet "{sheet.name}" has no "Reference ID" header row: left alone.')
            continue
        found_header = True
        _parse_sheet(sheet, header_index, parsed)
    if not found_header:
        parsed.rejected.append(
            {
                "sheet": "",
                "row": 0,
                "column": "",
                "value": "",
                "reason": 'No sheet has a header row with "Reference ID". '
                "Use the bulk template the portal exports, or a Table 3.3 layout.",
            }
        )
    return parsed


LONG_PERIOD_HEADERS = ("period", "year")
NON_VALUES = {"", "-", "–", "—", "n/a", "na", "nc"}


def _long_columns(header: list) -> dict[str, int] | None:
    """The columns of the long open-data layout, or None when the header is not that layout."""
    labels: dict[str, int] = {}
    for index, cell in enumerate(header):
        labels.setdefault(normalised_header(cell), index)
    reference = next((labels[h] for h in ("id", "reference id", "reference") if h in labels), None)
    period = next((labels[h] for h in LONG_PERIOD_HEADERS if h in labels), None)
    if reference is None or period is None or "total" not in labels:
        return None
    columns = {"reference": reference, "period": period, "total": labels["total"]}
    for role, names in (
        ("title", ("indicator", "indicator description", "title")),
        ("polarity", ("polarity",)),
    ):
        found = next((labels[h] for h in names if h in labels), None)
        if found is not None:
            columns[role] = found
    return columns


def _parse_long(sheet, header_index: int, columns: dict[str, int], parsed: ParsedFile) -> None:
    """One row per indicator and period: gathered into one `IndicatorRow` per reference, in file order."""
    parsed.layout = "open_data"
    by_reference: dict[str, IndicatorRow] = {}
    for row_index in range(header_index + 1, len(sheet.rows)):
        row = sheet.rows[row_index]
        row_number = row_index + 1
        if not any(cell not in (None, "") for cell in row):
            continue

        def get(role, row=row):
            index = columns.get(role)
            return row[index] if index is not None and index < len(row) else None

        def at(role, row_number=row_number):
            return Cell(sheet.name, row_number, cell_name(columns[role]))

        reference = cell_text(get("reference"))
        if not REFERENCE.match(reference) or not any(ch.isdigit() for ch in reference):
            parsed.rejected.append(
                {
                    **at("reference").where(),
                    "value": reference[:60],
                    "reason": "Not a reference ID such as STF15",
                }
            )
            continue
        label = cell_text(get("period"))
        period = parse_period_label(normalised_header(label))
        if period is None:
            parsed.rejected.append(
                {
                    **at("period").where(),
                    "value": label[:60],
                    "reason": "Not a period such as 2014/15, Q3 2015/16 or Dec 2015",
                }
            )
            continue
        raw = get("total")
        if normalised_header(cell_text(raw)) in NON_VALUES:
            parsed.skipped += 1
            continue
        value = parse_value(raw)
        if value.error or value.note:
            reason = value.error or "A Total is one number, without a note in brackets"
            parsed.rejected.append({**at("total").where(), "value": cell_text(raw)[:60], "reason": reason})
            continue
        if value.blank:
            parsed.skipped += 1
            continue
        item = by_reference.get(reference)
        if item is None:
            item = by_reference[reference] = IndicatorRow(reference=reference, cell=at("reference"))
            item.title = unneutralise(cell_text(get("title")))[:300]
            polarity = unneutralise(cell_text(get("polarity")))
            item.polarity_text = polarity
            item.polarity = POLARITIES.get(normalised_header(polarity), "") if polarity else ""
            if polarity and not item.polarity:
                parsed.rejected.append(
                    {
                        **at("polarity").where(),
                        "value": polarity[:60],
                        "reason": "Polarity must be Up is Good, Up is Bad or Neutral",
                    }
                )
        item.values.append(
            ParsedValue(
                period, value.value, value.is_percent, sheet.name, row_number, cell_name(columns["total"])
            )
        )
    parsed.rows.extend(by_reference.values())


def _parse_sheet(sheet, header_index: int, parsed: ParsedFile) -> None:
    header = sheet.rows[header_index]
    long_columns = _long_columns(header)
    if long_columns is not None:
        _parse_long(sheet, header_index, long_columns, parsed)
        return
    roles: dict[int, str] = {}
    periods: dict[int, PeriodKey] = {}
    reference_column = None
    for index, cell in enumerate(header):
        label = normalised_header(cell)
        if not label:
            continue
        if label in REFERENCE_HEADERS and reference_column is None:
            reference_column = index
        elif label in HEADER_ROLES:
            roles[index] = HEADER_ROLES[label]
        elif (key := parse_period_label(label)) is not None:
            periods[index] = key
        else:
            parsed.notes.append(
                f'Sheet "{sheet.name}" column {cell_name(index)} ("{cell_text(cell)[:40]}") is not recognised: left alone.'
            )
    period_columns = [(index, key, cell_name(index)) for index, key in periods.items()]
    if "polarity" in roles.values():
        parsed.layout = "table_3_3"
    category = ""
    for row_index in range(header_index + 1, len(sheet.rows)):
        row = sheet.rows[row_index]
        row_number = row_index + 1
        if not any(cell not in (None, "") for cell in row):
            continue
        raw_reference = cell_text(row[reference_column]) if reference_column < len(row) else ""
        if not any(ch.isdigit() for ch in raw_reference):
            # A section row ("Performance", "Customer", ...) names the category of the rows below.
            joined = "".join(cell_text(c) for c in row if isinstance(c, str)).replace(" ", "").casefold()
            section = next((s for s in SECTIONS if joined.startswith(s)), None)
            if section:
                category = SECTIONS[section]
                continue
        where = Cell(sheet.name, row_number, cell_name(reference_column))
        if raw_reference.casefold() in ("tbc", "tbd", ""):
            parsed.notes.append(
                f'Sheet "{sheet.name}" row {row_number}: no reference ID yet ({raw_reference or "blank"}): left alone.'
            )
            continue
        if not REFERENCE.match(raw_reference) or not any(ch.isdigit() for ch in raw_reference):
            parsed.rejected.append(
                {**where.where(), "value": raw_reference[:60], "reason": "Not a reference ID such as STF15"}
            )
            continue
        item = IndicatorRow(
            reference=raw_reference.upper() if raw_reference.isupper() else raw_reference,
            cell=where,
            category=category,
        )
        for index, role in roles.items():
            value = row[index] if index < len(row) else None
            text = unneutralise(cell_text(value))
            cell = Cell(sheet.name, row_number, cell_name(index))
            if role == "title":
                item.title = text[:300]
            elif role == "polarity":
                item.polarity_text = text
                if text and text not in ("-", "–"):
                    item.polarity = POLARITIES.get(normalised_header(text), "")
                    if not item.polarity:
                        parsed.rejected.append(
                            {
                                **cell.where(),
                                "value": text[:60],
                                "reason": "Polarity must be Up is Good, Up is Bad or Neutral",
                            }
                        )
            elif role == "direction":
                item.direction_text = text
            elif role == "officer":
                item.officer = text
            elif role == "include":
                item.include = normalised_header(text) in YES
            elif role == "commentary":
                item.commentary = unneutralise(str(value).strip()) if value not in (None, "") else ""
        for index, column_period, column_name in period_columns:
            raw = row[index] if index < len(row) else None
            if raw is None:
                continue
            # Plain numbers are nearly every cell of a large file: read them here, without the
            # general parser's text rules (same result as `parse_value`, at a fraction of the cost).
            kind = raw.__class__
            if kind is int or (kind is float and raw - raw == 0):
                number = Decimal(raw) if kind is int else Decimal(repr(raw))
                if number.adjusted() < MAX_INTEGER_DIGITS:
                    item.values.append(
                        ParsedValue(column_period, number, False, sheet.name, row_number, column_name)
                    )
                    continue
            cell = Cell(sheet.name, row_number, column_name)
            value = parse_value(raw)
            if value.error:
                parsed.rejected.append({**cell.where(), "value": cell_text(raw)[:60], "reason": value.error})
                continue
            if value.blank:
                continue
            period = column_period
            if value.note:
                period = period_from_note(value.note, column_period)
                if period is None:
                    parsed.rejected.append(
                        {
                            **cell.where(),
                            "value": cell_text(raw)[:60],
                            "reason": f'The note "({value.note[:20]})" does not name a period such as Q3 or 2013/14',
                        }
                    )
                    continue
            item.values.append(
                ParsedValue(period, value.value, value.is_percent, cell.sheet, cell.row, cell.column)
            )
        parsed.rows.append(item)
