"""A plan as an .xlsx workbook laid out like the framework's template, and back.

Export: a "Plan" sheet (the header, then sections 1a, 1b and 2 as label / value rows) and one
sheet each for Tables 3.1, 3.2 and 3.3, with the template's column headings first and the
portal's extra columns after them (start date, status, scores…), Table 3.3 with the live figures.

Import (`parse_plan_workbook`, no database): reads that workbook, or a plan kept in the council's
own template (only the template's headings), into plain data: sections, actions, risks and
indicator references. Headings are matched case- and space-insensitively; a risk with only a
RAG rating comes back "to be scored"; nothing is matched to people or indicators here (see
`service_plans.plan_import`).
"""

import datetime
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

# openpyxl is imported where a workbook is written or read, not at import: the portal's start
# (every view module) stays free of it (tests/kpi_machine/test_quick_start.py).

HEADER_LABELS = [
    ("service", "Service:"),
    ("directorate", "Directorate:"),
    ("plan_holder", "Service Plan Holder:"),
    ("director", "Director:"),
    ("cabinet_member", "Cabinet Member:"),
    ("updated", "Date Last Updated:"),
    ("years", "Years covered:"),
]
SECTION_LABELS = [
    ("1a", "description", "1a Description"),
    ("1a", "customers", "1a Customers"),
    ("1a", "client_groups", "1a Client groups"),
    ("1a", "teams", "1a Teams"),
    ("1a", "partners", "1a Partners"),
    ("1b", "demographics", "1b Demographics"),
    ("1b", "strategies", "1b Strategies"),
    ("1b", "drivers", "1b Drivers for change"),
    ("1b", "challenging_performance", "1b Challenging performance"),
    ("1b", "risks_and_issues", "1b Risks and issues"),
    ("1b", "staff_headcount", "1b Staff (headcount)"),
    ("1b", "staff_fte", "1b Staff (FTE)"),
    ("1b", "budget", "1b Budget (£)"),
    ("2", "future_for_customer", "2 The service to the customer in future"),
    ("2", "savings_summary", "2 Savings required"),
    ("2", "high_level_activity", "2 High level activity"),
    ("2", "foreseen_risks", "2 Foreseen risks"),
]
NUMBER_SECTIONS = {"staff_headcount", "staff_fte", "budget"}

ACTION_HEADINGS = [
    ("reference", "Reference ID"),
    ("theme", "Priority Theme"),
    ("title", "Action"),
    ("kind", "Business As Usual (state if statutory) or Major Project"),
    ("accountable_officer", "Accountable officer"),
    ("due_date", "Completed by date"),
    ("indicators", "Measurable Outcome Indicators & Frequency"),
    ("start_date", "Start date"),
    ("status", "Status"),
    ("percent_complete", "Percent complete"),
    ("completed_on", "Completion date"),
    ("status_reason", "Reason (deferred or cancelled)"),
]
RISK_HEADINGS = [
    ("reference", "Reference ID"),
    ("risk", "Risk"),
    ("rag", "Rating (RAG)"),
    ("escalation", "Escalation"),
    ("mitigation", "Actions to Mitigate and Correct"),
    ("target_rating", "Target Rating"),
    ("target_by", "Date Target Rating"),
    ("responsible_officer", "Responsible Officer"),
    ("cause", "Cause"),
    ("event", "Event"),
    ("consequence", "Consequence"),
    ("inherent_likelihood", "Inherent likelihood"),
    ("inherent_impact", "Inherent impact"),
    ("current_likelihood", "Current likelihood"),
    ("current_impact", "Current impact"),
    ("target_likelihood", "Target likelihood"),
    ("target_impact", "Target impact"),
    ("target_reason", "Target reason"),
    ("existing_controls", "Existing controls"),
    ("mitigating_actions", "Mitigating actions"),
    ("review_date", "Review date"),
    ("escalation_reason", "Escalation reason"),
    ("exempt", "Exempt"),
]
INDICATOR_HEADINGS_BEFORE = [("reference", "Reference ID"), ("description", "Indicator Description")]
INDICATOR_HEADINGS_AFTER = [
    ("polarity", "Polarity"),
    ("direction", "Latest Direction of Travel"),
    ("responsible_officer", "Responsible Officer"),
    ("include", "Include"),
]
KIND_WORDS = {
    "bau": "Business as usual",
    "bau_statutory": "Business as usual (statutory)",
    "major_project": "Major project",
}
STATUS_WORDS = {
    "not_started": "Not started",
    "in_progress": "In progress",
    "deferred": "Deferred",
    "completed": "Completed",
    "cancelled": "Cancelled",
}
ESCALATION_WORDS = {"service": "Service", "dmt": "DMT", "cmt": "CMT", "executive": "Executive"}
FREQUENCY_WORDS = {"monthly": "Monthly", "quarterly": "Quarterly", "annual": "Annual"}

SHEET_PLAN, SHEET_ACTIONS, SHEET_RISKS, SHEET_INDICATORS = (
    "Plan",
    "Table 3.1 Actions",
    "Table 3.2 Risks",
    "Table 3.3 Indicators",
)


class WorkbookError(ValueError):
    """The file cannot be read as a plan workbook; the message says why, for the person."""


# --- Export --------------------------------------------------------------------------------------


def _text(value) -> object:
    if value is None:
        return ""
    if isinstance(value, str):
        # Control characters typed or pasted into a plan cannot be stored in a worksheet.
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        return ILLEGAL_CHARACTERS_RE.sub("", value)
    if isinstance(value, Decimal):
        return float(value) if value != value.to_integral_value() else int(value)
    return value


def write_plan_workbook(
    *, header: dict, sections: dict, actions: list, risks: list, indicators: dict, savings: list = ()
) -> bytes:
    """`indicators`: {"years": ["2013/14", …], "rows": [{reference, description, years: [...], …}]}."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = SHEET_PLAN
    bold = Font(bold=True)
    sheet.append(["Service Improvement Plan"])
    sheet["A1"].font = Font(bold=True, size=14)
    for key, label in HEADER_LABELS:
        sheet.append([label, _text(header.get(key))])
    sheet.append([])
    sheet.append(["Section", "Value"])
    for _section, key, label in SECTION_LABELS:
        sheet.append([label, _text(sections.get(key))])
    sheet.append([])
    sheet.append(["Savings (section 2)", "Financial year", "Amount (£)", "Area"])
    for year, amount, area in savings:
        sheet.append(["Saving", year, _text(amount), _text(area)])
    sheet.column_dimensions["A"].width = 36
    sheet.column_dimensions["B"].width = 100
    for row in sheet.iter_rows(min_row=2, max_col=1):
        row[0].font = bold
    for row in sheet.iter_rows(min_col=2, max_col=2):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")

    def table(title, headings, rows):
        ws = book.create_sheet(title)
        ws.append([label for _key, label in headings])
        for cell in ws[1]:
            cell.font = bold
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in rows:
            ws.append([_text(row.get(key)) for key, _label in headings])
        for index in range(1, len(headings) + 1):
            ws.column_dimensions[ws.cell(row=1, column=index).column_letter].width = 22
        return ws

    table(SHEET_ACTIONS, ACTION_HEADINGS, actions)
    table(SHEET_RISKS, RISK_HEADINGS, risks)
    year_headings = [(f"year{n}", f"{label} Result") for n, label in enumerate(indicators.get("years", []))]
    rows = [
        {**row, **{f"year{n}": value for n, value in enumerate(row.get("years", []))}}
        for row in indicators.get("rows", [])
    ]
    table(SHEET_INDICATORS, INDICATOR_HEADINGS_BEFORE + year_headings + INDICATOR_HEADINGS_AFTER, rows)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- Import --------------------------------------------------------------------------------------


@dataclass
class ParsedPlan:
    sections: dict = field(default_factory=dict)
    savings: list = field(default_factory=list)  # [financial year, Decimal amount, area]
    actions: list = field(default_factory=list)
    risks: list = field(default_factory=list)
    indicators: list = field(default_factory=list)
    problems: list = field(default_factory=list)  # row-level problems, for the preview


def _norm(text) -> str:
    return re.sub(r"[^a-z0-9]+", " ", str(text or "").lower()).strip()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _date(value, problems, where) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d %B %Y", "%d %b %Y", "%B %Y", "%b %Y"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    problems.append(f"{where}: “{text[:40]}” is not a date; left blank.")
    return None


def _integer(value, problems, where) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip().rstrip("%"))
    except InvalidOperation:
        problems.append(f"{where}: “{str(value)[:40]}” is not a number; left blank.")
        return None
    if not number.is_finite() or number != number.to_integral_value() or abs(number) > 10**9:
        problems.append(f"{where}: “{str(value)[:40]}” is not a whole number; left blank.")
        return None
    return int(number)


def _decimal(value, problems, where) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).replace(",", "").replace("£", "").strip())
    except InvalidOperation:
        problems.append(f"{where}: “{str(value)[:40]}” is not a number; left blank.")
        return None
    if not number.is_finite() or abs(number) >= Decimal("1e12"):
        problems.append(f"{where}: “{str(value)[:40]}” is out of range; left blank.")
        return None
    return number


def _choice(value, words: dict, default: str) -> str:
    text = _norm(value)
    if not text:
        return default
    for key, label in words.items():
        if text in (_norm(key), _norm(label)):
            return key
    if "statutory" in text:
        return "bau_statutory" if "bau" in words else default
    if "major" in text or "project" in text:
        return "major_project" if "major_project" in words else default
    if "business as usual" in text or text == "bau":
        return "bau"
    return default


RAG_WORDS = {"green": "green", "g": "green", "amber": "amber", "a": "amber", "red": "red", "r": "red"}


def _table(book, name_hints: tuple[str, ...], key_heading: str, max_rows: int):
    """The first sheet (those named like the table first) with a heading row holding `key_heading`
    in its first 15 rows, as (heading → column index, data rows after it)."""
    sheets = list(book.worksheets)
    hinted = [s for s in sheets if any(h in _norm(s.title) for h in name_hints)]
    for sheet in hinted + [s for s in sheets if s not in hinted]:
        rows = []
        for n, row in enumerate(sheet.iter_rows(values_only=True)):
            if n > max_rows:
                raise WorkbookError(f"The sheet “{sheet.title}” has more than {max_rows} rows.")
            rows.append(row)
        for index, row in enumerate(rows[:15]):
            headings = {_norm(v): i for i, v in enumerate(row) if v not in (None, "")}
            if _norm(key_heading) in headings and len(headings) >= 3:
                return headings, rows[index + 1 :]
    return None, []


def _get(row, headings, *names):
    for name in names:
        index = headings.get(_norm(name))
        if index is not None and index < len(row):
            return row[index]
    return None


def parse_plan_workbook(data: bytes, *, max_rows: int = 20000) -> ParsedPlan:
    # The file is untrusted: a damaged archive can fail anywhere inside openpyxl, zipfile, zlib or
    # the XML parser, lazily, while rows are read. Any such failure is the file's, told to the person.
    try:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001
        raise WorkbookError("The file is not a readable .xlsx workbook.") from error
    try:
        return _parse(book, max_rows)
    except WorkbookError:
        raise
    except Exception as error:  # noqa: BLE001
        raise WorkbookError(
            "The workbook could not be read: it is damaged or not laid out as a plan."
        ) from error
    finally:
        book.close()


def _parse(book, max_rows: int) -> ParsedPlan:
    parsed = ParsedPlan()
    problems = parsed.problems
    plan_sheet = next((s for s in book.worksheets if _norm(s.title) == "plan"), None)
    if plan_sheet is not None:
        labels = {_norm(label): key for _s, key, label in SECTION_LABELS}
        for n, row in enumerate(plan_sheet.iter_rows(values_only=True)):
            if n > max_rows:
                raise WorkbookError(f"The sheet “Plan” has more than {max_rows} rows.")
            if not row or row[0] in (None, ""):
                continue
            if _norm(row[0]) == "saving":
                cells = list(row) + [None, None, None]
                year = _integer(str(_cell_text(cells[1]))[:4], problems, "Saving year")
                amount = _decimal(cells[2], problems, "Saving amount")
                if year is not None and amount is not None:
                    parsed.savings.append([year, amount, _cell_text(cells[3])[:300]])
                continue
            key = labels.get(_norm(row[0]))
            if key is None:
                continue
            value = row[1] if len(row) > 1 else None
            if key == "staff_headcount":
                parsed.sections[key] = _integer(value, problems, "Staff (headcount)")
            elif key in ("staff_fte", "budget"):
                parsed.sections[key] = _decimal(
                    value, problems, "Staff (FTE)" if key == "staff_fte" else "Budget"
                )
            else:
                parsed.sections[key] = _cell_text(value)[:20000]

    headings, rows = _table(book, ("3 1", "action"), "Action", max_rows)
    if headings is not None:
        for n, row in enumerate(rows, start=2):
            reference = _cell_text(_get(row, headings, "Reference ID", "Reference"))[:20]
            title = _cell_text(_get(row, headings, "Action"))
            if not reference and not title:
                continue
            where = f"Table 3.1 row {n}"
            indicators_text = _cell_text(_get(row, headings, "Measurable Outcome Indicators & Frequency"))
            frequency = "quarterly"
            match = re.search(r"\(([^)]*)\)\s*$", indicators_text)
            if match:
                frequency = _choice(match.group(1), FREQUENCY_WORDS, "quarterly")
                indicators_text = indicators_text[: match.start()]
            else:
                for word in FREQUENCY_WORDS:
                    if word in indicators_text.lower():
                        frequency = word
            references = [
                r for r in re.split(r"[,;\s/]+", indicators_text) if r and r.lower() not in FREQUENCY_WORDS
            ]
            due = _date(_get(row, headings, "Completed by date"), problems, where)
            start = _date(_get(row, headings, "Start date"), problems, where)
            parsed.actions.append(
                {
                    "reference": reference or f"A{len(parsed.actions) + 1}",
                    "theme": _cell_text(_get(row, headings, "Priority Theme")),
                    "title": title,
                    "kind": _choice(
                        _get(row, headings, "Business As Usual (state if statutory) or Major Project"),
                        KIND_WORDS,
                        "bau",
                    ),
                    "accountable_officer": _cell_text(_get(row, headings, "Accountable officer")),
                    "start_date": start,
                    "due_date": due,
                    "indicators": references,
                    "frequency": frequency,
                    "status": _choice(_get(row, headings, "Status"), STATUS_WORDS, "not_started"),
                    "percent_complete": _integer(_get(row, headings, "Percent complete"), problems, where)
                    or 0,
                    "completed_on": _date(_get(row, headings, "Completion date"), problems, where),
                    "status_reason": _cell_text(_get(row, headings, "Reason (deferred or cancelled)")),
                }
            )

    headings, rows = _table(book, ("3 2", "risk"), "Risk", max_rows)
    if headings is not None:
        for n, row in enumerate(rows, start=2):
            reference = _cell_text(_get(row, headings, "Reference ID", "Reference"))[:20]
            text = _cell_text(_get(row, headings, "Risk"))
            event = _cell_text(_get(row, headings, "Event"))
            if not reference and not text and not event:
                continue
            where = f"Table 3.2 row {n}"
            scores = {
                key: _integer(_get(row, headings, label), problems, where)
                for key, label in RISK_HEADINGS
                if key.endswith("_likelihood") or key.endswith("_impact")
            }
            rag = RAG_WORDS.get(_norm(_get(row, headings, "Rating (RAG)")), "")
            escalation_text = _norm(_get(row, headings, "Escalation"))
            escalation = _choice(escalation_text, ESCALATION_WORDS, "service")
            if (
                escalation_text
                and escalation == "service"
                and escalation_text not in ("service", "no", "none")
            ):
                # The template's free text ("Escalated to DMT"): find the level in it.
                for key in ("executive", "cmt", "dmt"):
                    if key in escalation_text.split():
                        escalation = key
            parsed.risks.append(
                {
                    "reference": reference or f"R{len(parsed.risks) + 1}",
                    "cause": _cell_text(_get(row, headings, "Cause")),
                    "event": event or text,
                    "consequence": _cell_text(_get(row, headings, "Consequence")),
                    **scores,
                    "imported_rag": rag if scores.get("current_likelihood") is None else "",
                    "target_by": _date(_get(row, headings, "Date Target Rating"), problems, where),
                    "target_reason": _cell_text(_get(row, headings, "Target reason")),
                    "mitigation": _cell_text(_get(row, headings, "Actions to Mitigate and Correct")),
                    "mitigating_actions": [
                        r
                        for r in re.split(r"[,;\s]+", _cell_text(_get(row, headings, "Mitigating actions")))
                        if r
                    ],
                    "existing_controls": _cell_text(_get(row, headings, "Existing controls")),
                    "responsible_officer": _cell_text(_get(row, headings, "Responsible Officer")),
                    "review_date": _date(_get(row, headings, "Review date"), problems, where),
                    "escalation": escalation,
                    "escalation_reason": _cell_text(_get(row, headings, "Escalation reason"))
                    or (_cell_text(_get(row, headings, "Escalation")) if escalation != "service" else ""),
                    "exempt": _norm(_get(row, headings, "Exempt")) in ("yes", "y", "true", "1"),
                }
            )

    headings, rows = _table(book, ("3 3", "indicator", "performance"), "Indicator Description", max_rows)
    if headings is not None:
        for row in rows:
            reference = _cell_text(_get(row, headings, "Reference ID", "Reference"))
            if reference and _norm(reference) not in ("tbc", ""):
                parsed.indicators.append(reference[:20])
    return parsed
