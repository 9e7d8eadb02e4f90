"""Pure parts of the report machinery: deadlines, narrative slots, safe Markdown, the snapshot's
digest and public copy, sheet names and charts."""

import datetime

from reporting.reports import kinds, snapshot
from reporting.reports.charts import bar_chart_svg
from reporting.reports.markdown import plain_text, render_markdown
from reporting.reports.render import sheet_title


def test_deadlines_are_worked_back_in_working_days():
    meeting = datetime.date(2016, 2, 11)  # a Thursday
    due = kinds.deadlines_for(meeting)
    assert due.sign_off_due == datetime.date(2016, 2, 4)  # 5 working days: Thu → previous Thu
    assert due.narrative_due == datetime.date(2016, 1, 28)  # 10 working days
    monday = datetime.date(2016, 2, 15)
    assert kinds.working_days_before(monday, 1) == datetime.date(2016, 2, 12)  # skips the weekend


def test_required_slots_cover_summary_sections_and_exceptions_but_not_missing_sources():
    sections = [
        {"key": "theme-a", "title": "Theme A", "available": True, "exceptions": []},
        {"key": "risks", "title": "Risks", "available": False},
        {
            "key": "exceptions",
            "title": "Exceptions",
            "available": True,
            "exceptions": [{"reference": "STF15"}],
        },
    ]
    slots = [slot for slot, _ in kinds.required_slots(sections)]
    assert slots == ["summary", "section:theme-a", "section:exceptions", "exception:STF15"]


def test_markdown_is_rendered_safely():
    html = render_markdown("**Better** than *last* year\n\n- one\n- two\n\n<script>alert(1)</script>")
    assert "<strong>Better</strong>" in html and "<em>last</em>" in html and "<li>one</li>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "href" not in render_markdown("[click](javascript:alert(1))")
    assert "href" not in render_markdown("[x](data:text/html;base64,AAAA)")
    assert '<a href="https://www.york.gov.uk">' in render_markdown("[York](https://www.york.gov.uk)")
    # Headings typed by an author never break the report's own heading order.
    assert "<h1>" not in render_markdown("# Big") and "<h2>" not in render_markdown("Big\n===")
    assert "<img" not in render_markdown("![x](https://example.org/x.png)")
    assert plain_text("**Better** than\n\nlast") == "Better than last"


def _snap():
    return {
        "report": {"title": "T", "signed_off_by": "Dee Rector"},
        "audience": "internal",
        "summary": {"text": "All well", "author": "Hub Person", "reviewer": "Cee Emtee", "exempt": False},
        "sections": [
            {
                "key": "a",
                "exempt": False,
                "columns": ["Reference", "Responsible officer", "RAG"],
                "rows": [["X1", "Jo Bloggs", "Red"]],
                "narrative": {"text": "Names Jo", "author": "A", "reviewer": "", "exempt": True},
                "exceptions": [
                    {
                        "reference": "X1",
                        "narrative": {"text": "ok", "author": "A", "reviewer": "", "exempt": False},
                    }
                ],
            },
            {"key": "risks", "exempt": True, "columns": [], "rows": [], "narrative": None, "exceptions": []},
        ],
    }


def test_digest_is_stable_and_changes_with_any_word():
    one, two = _snap(), _snap()
    assert snapshot.digest(one) == snapshot.digest(two)
    assert len(snapshot.digest(one)) == 64
    two["sections"][0]["rows"][0][2] = "Green"
    assert snapshot.digest(one) != snapshot.digest(two)


def test_public_copy_drops_exempt_parts_and_names():
    original = _snap()
    public = snapshot.public_copy(original)
    assert [s["key"] for s in public["sections"]] == ["a"]
    section = public["sections"][0]
    assert section["columns"] == ["Reference", "RAG"] and section["rows"] == [["X1", "Red"]]
    assert section["narrative"] is None  # exempt words dropped
    assert section["exceptions"][0]["narrative"]["text"] == "ok"
    assert section["exceptions"][0]["narrative"]["author"] == ""
    assert public["summary"]["author"] == "" and public["report"]["signed_off_by"] == ""
    assert "Jo Bloggs" not in str(public) and "Dee Rector" not in str(public)
    assert original["sections"][0]["rows"][0][1] == "Jo Bloggs"  # the internal one is untouched


def test_sheet_titles_are_valid_and_unique():
    taken = set()
    first = sheet_title("Resource implications and current position: finance and workforce", taken)
    assert len(first) <= 31 and ":" not in first
    second = sheet_title("Resource implications and current position: finance and workforce", taken)
    assert second != first and len(second) <= 31
    assert sheet_title("a/b[c]*?", set()) == "a b c"


def test_chart_escapes_labels_and_names_every_bar():
    svg = bar_chart_svg("By <RAG>", [{"label": "Red", "count": 2}, {"label": "<b>x</b>", "count": 1}])
    assert "<b>" not in svg and "&lt;b&gt;" in svg
    assert 'role="img"' in svg and "Red: 2" in svg and "▲ Red" in svg
    assert bar_chart_svg("Empty", []) == ""


def test_pdf_page_references_are_kept_until_a_page_is_added():
    """The render's fix for pydyf's quadratic `page_references` gives what pydyf gives."""
    import pydyf

    from reporting.reports.render import _fast_page_references

    _fast_page_references()
    pdf = pydyf.PDF()
    for n in range(3):
        page = pydyf.Dictionary({"Type": "/Page"})
        pdf.add_page(page)
        expected = tuple(f"{number} 0 R".encode("ascii") for number in pdf.pages["Kids"][::3])
        assert pdf.page_references == expected and len(expected) == n + 1
    assert pdf.page_references is pdf.page_references  # built once while the pages stay the same
