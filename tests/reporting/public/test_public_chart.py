"""Public charts have a title, both axes and the target (issue 10 item 13); they were a bare line."""

from decimal import Decimal

import pytest

from indicators.models import Assessment
from reporting.public_chart import public_chart_svg


def fmt(value) -> str:
    return f"{float(value):.1f}"


def test_the_chart_has_a_title_axes_target_and_a_text_alternative():
    svg = public_chart_svg(
        [Decimal("4.2"), Decimal("6.4"), Decimal("6.5")],
        ["2013/14", "2014/15", "2015/16"],
        [None, Decimal("6.0"), Decimal("6.0")],
        title="STF15: results against target",
        fmt=fmt,
    )
    assert "STF15: results against target</text>" in svg
    assert svg.count("kpi-chart__tick") >= 6  # three values up the y axis, three periods along x
    assert "2013/14</text>" in svg and "2015/16</text>" in svg
    assert 'class="kpi-chart__target"' in svg and ">Target</text>" in svg
    assert 'role="img"' in svg and "latest target 6.0" in svg


def test_no_target_means_no_target_line_and_a_title_that_cannot_inject_markup():
    svg = public_chart_svg([1, 2], ["a", "b"], [None, None], title="<script>", fmt=fmt)
    assert "kpi-chart__target" not in svg and "no target" in svg
    assert "<script>" not in svg


@pytest.mark.django_db
def test_the_public_indicator_page_draws_the_chart_with_its_target(client, build_council):
    indicator = build_council(3)[0]
    indicator.published = True
    indicator.save()
    assert Assessment.objects.filter(indicator=indicator, target__isnull=False).exists()
    html = client.get(f"/public/indicators/{indicator.reference}/").content.decode()
    assert "results against target</text>" in html
    assert 'class="kpi-chart__target"' in html


@pytest.mark.django_db
def test_the_rag_column_comes_right_after_the_title_so_it_shows_on_a_phone(client, build_council):
    for indicator in build_council(3):
        indicator.published = True
        indicator.save()
    html = client.get("/public/").content.decode()
    header = html[html.index("<thead") : html.index("</thead>")]
    assert header.index(">Indicator<") < header.index(">RAG<") < header.index(">Latest<")
