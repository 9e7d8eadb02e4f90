"""Nothing sits outside a landmark: what a page puts before <main> (a back link) is in a <nav>.

axe's "region" rule (moderate, so the browser suite's serious/critical check lets it through)
found back links loose between the header and <main>; this keeps every template from doing it.
"""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
BEFORE_CONTENT = re.compile(r"{% block beforecontent %}(.*?){% endblock %}", re.S)


def test_every_beforecontent_block_is_a_labelled_nav():
    loose = []
    for template in sorted(TEMPLATES.rglob("*.html")):
        for block in BEFORE_CONTENT.findall(template.read_text()):
            if block.strip() and not re.fullmatch(
                r'<nav [^>]*aria-label="[^"]+"[^>]*>.*</nav>', block.strip(), re.S
            ):
                loose.append(str(template.relative_to(TEMPLATES)))
    assert loose == []
