"""A scorecard prints on A4 landscape: measured in Chromium with print media emulated."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A4 landscape is 297 x 210 mm; the print stylesheet sets 10 mm margins: 277 x 190 mm at 96 px per inch.
A4_LANDSCAPE_CONTENT_PX = int(277 / 25.4 * 96)
A4_LANDSCAPE_CONTENT_HEIGHT_PX = int(190 / 25.4 * 96)
# The hints' size in print ("Up is Good", the period, the assurance): no bigger than 9pt.
HINT_MAX_PX = 9 * 96 / 72

# Everything measured in one pass over the page as laid out for print.
MEASURE_PRINT = """() => {
    const table = document.querySelector('table.kpi-scorecard');
    const cells = [...table.querySelectorAll('td, th')];
    const shown = e => e.getClientRects().length > 0;
    const overflowing = [];
    for (const cell of cells) {
        const box = cell.getBoundingClientRect();
        const label = `${cell.closest('tr').dataset.reference || 'header'}: ${cell.textContent.trim().slice(0, 30)}`;
        if (cell.scrollWidth > cell.clientWidth) {
            overflowing.push(`${label} (scrollWidth ${cell.scrollWidth} > ${cell.clientWidth})`);
        }
        // Inside an SVG the drawing is the SVG's business; visually hidden text is 1px and clipped.
        for (const child of cell.querySelectorAll('*:not(svg *):not(.govuk-visually-hidden)')) {
            const r = child.getBoundingClientRect();
            if (r.width && (r.left < box.left - 0.5 || r.right > box.right + 0.5)) {
                overflowing.push(`${label}: <${child.tagName.toLowerCase()} class="${child.className}"> `
                    + `${r.left.toFixed(1)}-${r.right.toFixed(1)} outside ${box.left.toFixed(1)}-${box.right.toFixed(1)}`);
            }
        }
    }
    const fontPx = e => parseFloat(getComputedStyle(e).fontSize);
    const sizes = (selector) => cells.flatMap(cell =>
        [...cell.querySelectorAll(selector)].map(e => ({size: fontPx(e), cell: fontPx(cell)})));
    const urlsAfterLinks = [...document.querySelectorAll('main a[href]')].filter(shown)
        .map(a => [a.textContent.trim(), getComputedStyle(a, '::after').content])
        .filter(([, content]) => !['none', 'normal', '', '""'].includes(content));
    const firstRow = table.querySelector('tbody tr[data-reference]');
    return {
        overflowing,
        hints: sizes('.govuk-hint'),
        tags: sizes('.kpi-rag, .kpi-dot'),
        urlsAfterLinks,
        firstRowBottom: firstRow.getBoundingClientRect().bottom + window.scrollY,
        controlsShown: [...document.querySelectorAll(
            'main form, main select, main button, main .govuk-button, main a[download]')]
            .filter(shown).map(e => e.outerHTML.slice(0, 80)),
    };
}"""


def pdf_page_count(pdf: bytes) -> int:
    """Chromium writes one `/Type /Page` object per page (and one `/Type /Pages` tree)."""
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))


def test_directorate_scorecard_fits_a4_landscape_when_printed(kpi_page, demo_council, assert_accessible):
    page = kpi_page
    page.goto("/accounts/login/")
    assert_accessible(page)
    page.get_by_label("Username", exact=True).fill("director")
    page.get_by_label("Password", exact=True).fill("kpi-demo")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Scorecards").first.click()
    expect(page.get_by_role("heading", name="Scorecards", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("Office of the Chief Executive")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Office of the Chief Executive")
    assert_accessible(page)

    page.set_viewport_size({"width": A4_LANDSCAPE_CONTENT_PX, "height": 800})
    page.emulate_media(media="print")
    widths = page.evaluate(
        """() => ({
            page: document.documentElement.scrollWidth,
            tables: [...document.querySelectorAll('table')].map(t => t.getBoundingClientRect().right),
            navVisible: [...document.querySelectorAll('header, .govuk-service-navigation, footer')]
                .some(e => getComputedStyle(e).display !== 'none'),
        })"""
    )
    assert widths["page"] <= A4_LANDSCAPE_CONTENT_PX, widths
    assert all(right <= A4_LANDSCAPE_CONTENT_PX for right in widths["tables"]), widths
    assert not widths["navVisible"], "header, navigation and footer are hidden in print"

    printed = page.evaluate(MEASURE_PRINT)
    assert not printed["overflowing"], "content wider than its cell:\n" + "\n".join(printed["overflowing"])
    assert not printed["urlsAfterLinks"], f"URLs printed after links: {printed['urlsAfterLinks'][:5]}"
    assert not printed["controlsShown"], f"controls print: {printed['controlsShown']}"
    assert printed["hints"] and printed["tags"]
    for hint in printed["hints"]:
        assert hint["size"] <= min(hint["cell"], HINT_MAX_PX), f"a hint prints at {hint['size']}px: {hint}"
    for tag in printed["tags"]:
        assert tag["size"] <= tag["cell"], f"a RAG or direction tag prints bigger than its cell's text: {tag}"
    # The summary is a few lines: the table's first indicator is on page 1.
    assert printed["firstRowBottom"] < A4_LANDSCAPE_CONTENT_HEIGHT_PX, printed["firstRowBottom"]

    pdf = page.pdf(format="A4", landscape=True, print_background=True)
    assert pdf.startswith(b"%PDF")
    # 21 indicators in 3 groups: 5 pages before the print styles were made compact.
    assert 1 <= pdf_page_count(pdf) <= 2, f"{pdf_page_count(pdf)} A4 landscape pages"
