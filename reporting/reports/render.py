"""A report from its snapshot: the HTML body, the tagged PDF and the .xlsx workbook.

Everything here reads the snapshot only (no query), so a published version's files can be made
once and a draft's preview is made the same way. The PDF is WeasyPrint's PDF/UA-1 variant: a
structure tree, the document language (from `<html lang>`) and title (from `<title>`), bookmarks
from the headings, a title page, a contents list with page numbers, a running header and page
numbers. Charts are the same vector SVG as the page, each followed by its data table.
"""

import datetime
import io
import logging
import re

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from reporting.exports import neutralise
from reporting.reports.charts import SHAPES, bar_chart_svg
from reporting.reports.markdown import plain_text, render_markdown

STATUS_COLUMNS = {"RAG", "Direction of travel", "Forecast RAG"}
# WeasyPrint logs every layout step at INFO: a 40-page report is 200 lines of noise per PDF.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def _narrative(item: dict | None) -> dict | None:
    if not item:
        return None
    return {**item, "html": mark_safe(render_markdown(item.get("text", "")))}  # noqa: S308 — html off


def _cells(columns: list[str], row: list[str]) -> list[dict]:
    return [
        {"text": cell, "shape": SHAPES.get(cell, "") if column in STATUS_COLUMNS else "", "column": column}
        for column, cell in zip(columns, row, strict=False)
    ]


def view_model(snapshot: dict, digest: str) -> dict:
    """The template context for a snapshot: narrative rendered, charts drawn, cells with shapes."""
    sections = []
    for section in snapshot["sections"]:
        chart = section.get("chart")
        sections.append(
            {
                **section,
                "narrative": _narrative(section.get("narrative")),
                "table_rows": [_cells(section["columns"], row) for row in section.get("rows", [])],
                "chart_svg": mark_safe(bar_chart_svg(chart["title"], chart["bars"])) if chart else "",  # noqa: S308
                "exceptions": [
                    {**item, "narrative": _narrative(item.get("narrative"))}
                    for item in section.get("exceptions", [])
                ],
            }
        )
    return {
        "snap": snapshot,
        "meta": snapshot["report"],
        "summary": _narrative(snapshot.get("summary")),
        "sections": sections,
        "digest": digest,
    }


def render_body(snapshot: dict, digest: str) -> str:
    """The report's body as HTML (inside the page's main content), from the snapshot alone."""
    return render_to_string("reporting/reports/body.html", view_model(snapshot, digest))


def _fast_page_references() -> None:
    """pydyf 0.13 builds the tuple of every page's reference each time `page_references` is read,
    and WeasyPrint's PDF/UA tagger reads it once per tagged element: quadratic in the pages (58,552
    reads of a 225-page tuple, 2.3 s of CPU, for the 1,000-indicator Executive report; see
    docs/benchmarks.md). The tuple only changes when a page is added, so it is kept until the page
    count changes; the bytes written are the same."""
    import pydyf

    if getattr(pydyf.PDF, "_kpi_cached_page_references", False):
        return

    def page_references(pdf):
        kids = pdf.pages["Kids"]
        cached = pdf.__dict__.get("_kpi_page_references")
        if cached is None or cached[0] != len(kids):
            cached = (len(kids), tuple(f"{number} 0 R".encode("ascii") for number in kids[::3]))
            pdf.__dict__["_kpi_page_references"] = cached
        return cached[1]

    pydyf.PDF.page_references = property(page_references)
    pydyf.PDF._kpi_cached_page_references = True


def render_pdf(snapshot: dict, digest: str) -> bytes:
    from weasyprint import HTML

    _fast_page_references()
    html = render_to_string("reporting/reports/pdf.html", view_model(snapshot, digest))
    return HTML(string=html, base_url=None).write_pdf(pdf_variant="pdf/ua-1")


_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def sheet_title(title: str, taken: set[str]) -> str:
    """An Excel sheet name: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    base = _SHEET_FORBIDDEN.sub(" ", title).strip("' ")[:31] or "Section"
    name, n = base, 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


def render_xlsx(snapshot: dict, digest: str) -> bytes:
    """One sheet for the report's front page and summary, then one per section's data.

    Every text cell is neutralised (a narrative or title starting with = + - @ stays text).
    Figures are the report's printed text ("98.20%"), so the file says exactly what the paper said.
    """
    meta = snapshot["report"]
    from openpyxl import Workbook  # where a workbook is written, not at the portal's start
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    stamp = datetime.datetime.fromisoformat(meta["published_at"]) if meta.get("published_at") else None
    if stamp is not None:
        wb.properties.created = wb.properties.modified = stamp.replace(tzinfo=None)
    wb.properties.title = meta["title"]
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    taken: set[str] = set()
    front = wb.active
    front.title = sheet_title("Report", taken)
    lines = [
        ("Report", meta["title"]),
        ("Council", meta["council"]),
        ("Version", str(meta["version"])),
        ("Status", meta["status"]),
        ("Data as at", meta["as_at"]),
        ("Published", meta.get("published_at") or "Not published"),
        ("SHA-256 of the snapshot", digest),
    ]
    if meta.get("change_note"):
        lines.append(("Change note", meta["change_note"]))
    summary = snapshot.get("summary")
    lines.append(("Summary", plain_text(summary["text"]) if summary else ""))
    for label, value in lines:
        front.append([neutralise(label), neutralise(value)])
        front.cell(front.max_row, 1).font = bold
        front.cell(front.max_row, 2).alignment = wrap
    front.column_dimensions["A"].width = 26
    front.column_dimensions["B"].width = 100
    for section in snapshot["sections"]:
        sheet = wb.create_sheet(sheet_title(section["title"], taken))
        sheet.append([neutralise(section["title"])])
        sheet.cell(1, 1).font = Font(bold=True, size=13)
        if section.get("message"):
            sheet.append([neutralise(section["message"])])
        narrative = section.get("narrative")
        if narrative:
            sheet.append([neutralise(plain_text(narrative["text"]))])
        sheet.append([])
        if section.get("columns"):
            sheet.append([neutralise(col) for col in section["columns"]])
            for cell in sheet[sheet.max_row]:
                cell.font = bold
            for row in section.get("rows", []):
                sheet.append([neutralise(cell) for cell in row])
        for item in section.get("exceptions", []):
            if item.get("narrative"):
                sheet.append([])
                sheet.append(
                    [
                        neutralise(f"{item['reference']}: why, and what is being done"),
                        neutralise(plain_text(item["narrative"]["text"])),
                    ]
                )
        for letter, width in (("A", 14), ("B", 50)):
            sheet.column_dimensions[letter].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
