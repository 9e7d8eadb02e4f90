"""Narrative as plain text with simple formatting: Markdown rendered safely.

CommonMark with raw HTML turned off (a `<script>` typed into a narrative is shown as text, never
run), no images (nothing is fetched from elsewhere), and links only to http(s) and mailto
addresses (markdown-it refuses `javascript:` and `data:` links already; we narrow it further).
Headings inside a narrative are rendered as bold paragraphs, so the report's own heading order
(h1 → h2 → h3) is never broken by what an author types.
"""

from markdown_it import MarkdownIt

_ALLOWED_SCHEMES = ("http://", "https://", "mailto:")


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.disable(["image", "heading", "lheading", "html_block", "html_inline"])
    md.validateLink = lambda url: url.strip().lower().startswith(_ALLOWED_SCHEMES)
    return md


_MD = _parser()


def render_markdown(text: str) -> str:
    """Safe HTML for a narrative (escaped text, simple formatting only)."""
    return _MD.render(text or "")


def plain_text(text: str) -> str:
    """The narrative's words without Markdown markers, for spreadsheet cells."""
    return " ".join((text or "").replace("**", "").replace("__", "").split())
