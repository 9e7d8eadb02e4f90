"""The published formats: the tagged PDF (checked with pypdf), the .xlsx (a sheet per section,
formula injection neutralised) and the accessible HTML (hostile narrative escaped)."""

import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from reporting.reports import services

pytestmark = pytest.mark.django_db
HOSTILE = '<script>alert("x")</script> =HYPERLINK("http://evil.example","click")'


@pytest.fixture
def published(executive_q3, users, write_all):
    report = executive_q3
    write_all(report, users["hub"])
    exception = next(s for s in report.data["sections"] if s["key"] == "exceptions")["exceptions"][0]
    services.save_narrative(
        users["hub"],
        report,
        f"exception:{exception['reference']}",
        "Sickness rose after the restructure; a clinic is booked.",
    )
    services.save_narrative(users["hub"], report, "summary", HOSTILE)
    services.submit_for_review(users["hub"], report)
    services.sign_off(users["director"], report)
    services.publish(users["hub"], report, confirmed=True, is_public=True)
    report.refresh_from_db()
    report.exception_reference = exception["reference"]
    return report


def _pdf(report, audience="internal") -> PdfReader:
    return PdfReader(io.BytesIO(bytes(report.files.get(audience=audience, format="pdf").content)))


def test_pdf_text_has_headings_narrative_and_table_rows_in_order(published):
    reader = _pdf(published)
    text = "\n".join(page.extract_text() for page in reader.pages)
    flat = " ".join(text.split())
    headings = [s["title"] for s in published.snapshot["sections"]]
    positions = [flat.find(" ".join(h.split())) for h in headings]
    assert all(p >= 0 for p in positions), list(zip(headings, positions, strict=True))
    assert positions == sorted(positions)
    assert "Sickness rose after the restructure; a clinic is booked." in flat
    theme = published.snapshot["sections"][0]
    references = [row[0] for row in theme["rows"]]
    table_start = flat.find("Reference Indicator Period Result")
    found = [flat.find(ref, table_start) for ref in references]
    assert table_start >= 0 and all(f > 0 for f in found) and found == sorted(found)
    assert "Contents" in flat and "Page 1 of" in flat


def test_pdf_is_tagged_with_language_title_and_bookmarks(published):
    reader = _pdf(published)
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert root["/MarkInfo"]["/Marked"]
    assert str(root["/Lang"]).lower().startswith("en")
    assert reader.metadata.title == published.title
    outline_titles = []

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                outline_titles.append(item.title)

    walk(reader.outline)
    assert "Summary" in outline_titles and published.snapshot["sections"][0]["title"] in outline_titles


def test_xlsx_has_a_sheet_per_section_and_neutralises_formulas(published):
    content = bytes(published.files.get(audience="internal", format="xlsx").content)
    book = load_workbook(io.BytesIO(content))
    assert len(book.sheetnames) == 1 + len(published.snapshot["sections"])
    front = book["Report"]
    values = {row[0].value: row[1].value for row in front.iter_rows()}
    assert values["SHA-256 of the snapshot"] == published.digest
    summary = values["Summary"]
    assert not str(summary).startswith("=")
    theme_sheet = book[book.sheetnames[1]]
    cells = [c.value for row in theme_sheet.iter_rows() for c in row if c.value is not None]
    assert "GEN000" in cells and "Reference" in cells
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula"


def test_formula_at_the_start_of_a_narrative_is_text_in_the_workbook(executive_q3, users, write_all):
    write_all(executive_q3, users["hub"])
    services.save_narrative(users["hub"], executive_q3, "summary", '=HYPERLINK("http://evil.example")')
    services.submit_for_review(users["hub"], executive_q3)
    services.sign_off(users["director"], executive_q3)
    services.publish(users["hub"], executive_q3, confirmed=True, is_public=False)
    content = bytes(executive_q3.files.get(audience="internal", format="xlsx").content)
    front = load_workbook(io.BytesIO(content))["Report"]
    summary = {row[0].value: row[1] for row in front.iter_rows()}["Summary"]
    assert summary.data_type == "s" and summary.value.startswith("'=")


def test_hostile_narrative_is_escaped_on_the_page(published, client, users):
    client.force_login(users["hub"])
    page = client.get(f"/reports/{published.id}/").content.decode()
    assert '<script>alert("x")</script>' not in page
    assert "&lt;script&gt;" in page


def test_page_is_accessible_html(published, client, users):
    client.force_login(users["hub"])
    page = client.get(f"/reports/{published.id}/").content.decode()
    assert page.count("<h1") == 1
    assert "<caption" in page and 'scope="col"' in page and 'scope="row"' in page
    assert "(chart data)" in page  # every chart with its data table
    assert (
        '<span aria-hidden="true">▲ </span>Red' in page or '<span aria-hidden="true">● </span>Green' in page
    )


def test_public_files_leave_out_exempt_parts_and_names(executive_q3, users, write_all):
    report = executive_q3
    write_all(report, users["hub"])
    services.save_narrative(
        users["hub"], report, "section:theme-listens", "Jo Bloggs is off sick.", exempt=True
    )
    services.set_exempt_sections(users["hub"], report, ["finance-workforce"])
    services.submit_for_review(users["hub"], report)
    services.sign_off(users["director"], report)
    services.publish(users["hub"], report, confirmed=True, is_public=True)
    report.refresh_from_db()
    public_text = " ".join(p.extract_text() for p in _pdf(report, "public").pages)
    internal_text = " ".join(p.extract_text() for p in _pdf(report, "internal").pages)
    assert "Jo Bloggs" in internal_text and "Jo Bloggs" not in public_text
    assert "finance and workforce" in internal_text and "finance and workforce" not in public_text
    assert "Jo Bloggs" not in report.public_html and "Jo Bloggs" in report.html
    assert "Responsible officer" not in report.public_html
    book = load_workbook(io.BytesIO(bytes(report.files.get(audience="public", format="xlsx").content)))
    assert not any("finance" in name.lower() for name in book.sheetnames)
