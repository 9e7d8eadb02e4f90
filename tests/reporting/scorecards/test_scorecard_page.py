"""The scorecard page: groups, columns, period switch, summary filters, sorting, htmx, bad input."""

import datetime
import re

import pytest

from indicators.models import Assessment, Indicator
from indicators.services.periods import ensure_periods

pytestmark = pytest.mark.django_db
CMT = "/scorecards/cmt/"


def references(html: str) -> list[str]:
    return re.findall(r'data-reference="([^"]+)"', html)


@pytest.fixture
def cmt_client(client, users, scorecard_council):
    scorecard_council(12)
    client.force_login(users["cmt"])
    return client


def test_rows_are_grouped_in_table_3_3_order(cmt_client):
    card = cmt_client.get(CMT).context["card"]
    groups = card.sections[0].groups
    assert [g.label for g in groups] == [
        "General service performance",
        "Customer experience",
        "Workforce",
        "Finance",
    ]
    assert [r.reference for r in groups[0].rows] == ["GEN000", "GEN004", "GEN008"]


def test_summary_counts_link_to_the_filtered_table(cmt_client):
    response = cmt_client.get(CMT)
    card = response.context["card"]
    red = next(
        c for p in response.context["panels"] if p["name"] == "rag" for c in p["counts"] if c["key"] == "red"
    )
    assert red["count"] == sum(1 for r in card.rows if r.rag == "red") > 0
    filtered = cmt_client.get(CMT + red["url"])
    rows = filtered.context["card"].rows
    assert len(rows) == red["count"] and all(r.rag == "red" for r in rows)
    # The active count's link removes the filter again.
    again = next(
        c for p in filtered.context["panels"] if p["name"] == "rag" for c in p["counts"] if c["key"] == "red"
    )
    assert again["active"] and "rag=" not in again["url"]


def test_filters_by_direction_and_variation(cmt_client):
    Assessment.objects.filter(indicator__reference="GEN000").update(variation="special_concerning")
    card = cmt_client.get(CMT + "?variation=special_concerning").context["card"]
    assert [r.reference for r in card.rows] == ["GEN000"]
    card = cmt_client.get(CMT + "?direction=bad").context["card"]
    assert card.rows and all(r.direction == "bad" for r in card.rows)


def test_htmx_gets_only_the_table_fragment(cmt_client):
    response = cmt_client.get(CMT + "?rag=red", headers={"HX-Request": "true", "HX-Target": "scorecard-body"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="scorecard-body"')
    assert "<html" not in html
    assert 'name="rag" value="red"' in html  # the filter rides along with the period switch


def test_period_switch_shows_the_scorecard_as_at_that_period(cmt_client):
    card = cmt_client.get(CMT + "?period=2015-06").context["card"]
    assert card.period.label == "Jun 2015"
    assert {r.period_label for r in card.rows} == {"Jun 2015"}
    # No result for an exact period: the latest within it, labelled with its own period.
    ensure_periods([("quarter", datetime.date(2015, 7, 1))])
    card = cmt_client.get(CMT + "?period=fy2015-16-q2").context["card"]
    assert {r.period_label for r in card.rows} == {"Sep 2015"}


def test_sorting_by_rag_puts_red_first(cmt_client):
    card = cmt_client.get(CMT + "?sort=rag").context["card"]
    for group in card.sections[0].groups:
        order = [r.rag for r in group.rows]
        ranks = [["red", "amber", "green", "none", "missing", ""].index(x) for x in order]
        assert ranks == sorted(ranks)


@pytest.mark.parametrize(
    "query,words",
    [
        ("?period=fy2099-00", "There is no period called"),
        ("?rag=purple", "is not a RAG this scorecard can filter by"),
        ("?direction=sideways", "is not a direction of travel"),
        ("?variation=%3Cscript%3E", "is not a variation"),
        ("?sort=random", "is not a way this scorecard can be sorted"),
    ],
)
def test_bad_input_gives_a_clear_message_not_a_500(cmt_client, query, words):
    response = cmt_client.get(CMT + query)
    assert response.status_code == 200
    assert words in response.content.decode()
    assert "<script>" not in response.content.decode()


def test_user_text_is_escaped(cmt_client):
    Indicator.objects.filter(reference="GEN000").update(title='<script>alert("x")</script>')
    html = cmt_client.get(CMT).content.decode()
    assert '<script>alert("x")</script>' not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_table_has_caption_and_header_cells_and_status_in_words(cmt_client):
    html = cmt_client.get(CMT).content.decode()
    assert '<caption class="govuk-table__caption' in html
    assert 'scope="col"' in html and 'scope="row"' in html and 'scope="colgroup"' in html
    assert re.search(r"</span>(Red|Amber|Green)</strong>", html)
    assert 'class="kpi-sparkline"' in html and 'role="img"' in html


def test_cmt_links_each_directorate_scorecard(cmt_client):
    html = cmt_client.get(CMT + "?period=fy2015-16").content.decode()
    assert 'href="/scorecards/directorate/oce/?period=fy2015-16"' in html
    assert 'href="/scorecards/directorate/place/?period=fy2015-16"' in html


def test_variation_assurance_and_forecast_show_when_present(cmt_client):
    Assessment.objects.update(variation="", assurance="", forecast_value=None, forecast_rag="")
    Assessment.objects.filter(indicator__reference="GEN004", is_latest=True).update(
        variation="special_improving", assurance="hit_and_miss", forecast_value=61, forecast_rag="green"
    )
    row = next(r for r in cmt_client.get(CMT).context["card"].rows if r.reference == "GEN004")
    assert (row.variation_label, row.assurance_label, row.forecast_display) == (
        "Special cause – improving",
        "Hit and miss",
        "61.0%",
    )
    other = next(r for r in cmt_client.get(CMT).context["card"].rows if r.reference == "GEN008")
    assert other.variation_label == "" and other.forecast_display == "—"


def test_directorate_all_indicators_toggle(client, users, scorecard_council):
    scorecard_council(6)
    Indicator.objects.filter(reference="GEN003").update(on_scorecard=False)
    client.force_login(users["director"])
    url = "/scorecards/directorate/oce/"
    assert "GEN003" not in references(client.get(url).content.decode())
    assert "GEN003" in references(client.get(url + "?indicators=all").content.decode())
