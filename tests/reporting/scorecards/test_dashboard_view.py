"""The councillors' dashboard: choose a theme or portfolio, count tiles that filter, groups by
theme with their counts, the indicators needing attention first, htmx, scope (issue 10, item 12)."""

from decimal import Decimal

import pytest

from indicators.analytics import constants as c
from indicators.models import Assessment, Indicator
from organisation.models import Theme
from reporting.dashboard import SPLIT_AT, concerns, group_rows, priority_key
from reporting.scorecards.rows import RowIndicator, ScorecardRow

pytestmark = pytest.mark.django_db


def test_councillor_sees_their_portfolio_by_default_with_drill_down_links(client, users, scorecard_council):
    scorecard_council(6)
    client.force_login(users["councillor"])
    response = client.get("/dashboard/")
    board = response.context["board"]
    assert board.choice == "portfolio:finance-performance"
    assert len(board.rows) == 6
    html = response.content.decode()
    assert 'href="/indicators/GEN000/"' in html
    assert '<details class="govuk-details kpi-dashboard__group" id="theme-listens" open>' in html


def test_choosing_a_theme_and_htmx_fragment(client, users, scorecard_council):
    scorecard_council(6)
    client.force_login(users["councillor"])
    response = client.get(
        "/dashboard/?show=theme:listens", headers={"HX-Request": "true", "HX-Target": "dashboard-body"}
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="dashboard-body"') and "<html" not in html
    assert "A Council that Listens to Residents" in html


def test_unknown_choice_is_a_message_not_a_500(client, users, org):
    client.force_login(users["councillor"])
    response = client.get("/dashboard/?show=portfolio:%3Cnope%3E")
    assert response.status_code == 200
    assert "That theme or portfolio was not found" in response.content.decode()


def test_another_portfolio_shows_only_what_the_user_can_see(client, users, scorecard_council, org):
    scorecard_council(6)
    Indicator.objects.update(portfolio=None)
    client.force_login(users["scrutiny"])  # sees their board's and published indicators only
    Indicator.boards.through.objects.all().delete()
    rows = client.get("/dashboard/?show=theme:listens").context["board"].rows
    assert {r.reference for r in rows} == {"GEN000", "GEN003"}  # the published ones


def _row(reference, rag="", direction="", variation="", indicator_id=None):
    return ScorecardRow(
        indicator=RowIndicator(
            indicator_id if indicator_id is not None else hash(reference) % 10_000,
            reference,
            "count",
            0,
            "monthly",
        ),
        reference=reference,
        title=reference,
        category="performance",
        category_label="Performance",
        polarity_label="Up is Good",
        years=[None] * 3,
        years_display=["—"] * 3,
        rag=rag,
        direction=direction,
        variation=variation,
    )


def test_concerns_and_priority_put_red_worsening_and_special_cause_first():
    rows = [
        _row("A1", c.GREEN, c.GOOD, c.COMMON_CAUSE),
        _row("A2", c.RED, c.BAD, c.SPECIAL_CONCERNING),
        _row("A3", c.AMBER, c.BAD),
        _row("A4", c.RED, c.GOOD),
        _row("A5", c.GREEN, c.NEUTRAL, c.SPECIAL_CONCERNING),
        _row("A6"),
        _row("A7", c.GREEN, c.BAD),
    ]
    assert concerns(rows[1]) == ["red", "worsening", "special_concerning"]
    assert concerns(rows[0]) == [] and concerns(rows[5]) == []
    # Three concerns; then one each (red before amber before green); then none (not assessed last).
    assert [r.reference for r in sorted(rows, key=priority_key)] == ["A2", "A4", "A3", "A5", "A7", "A1", "A6"]


def test_group_rows_by_first_theme_with_counts_and_large_groups_split_by_rag():
    first, second = (
        Theme(id=1, name="First", slug="first", order=1),
        Theme(id=2, name="Second", slug="second", order=2),
    )
    small = [_row(f"S{i}", c.GREEN, indicator_id=i) for i in range(3)]
    large = [
        _row(f"L{i:02d}", c.RED if i < 2 else c.GREEN, indicator_id=100 + i) for i in range(SPLIT_AT + 1)
    ]
    loose = _row("N1", c.AMBER, indicator_id=999)
    theme_of = {r.indicator.id: first for r in small} | {r.indicator.id: second for r in large}
    groups = group_rows([loose, *large, *small], theme_of, split=True)
    assert [(g.key, g.label, len(g.rows)) for g in groups] == [
        ("theme-first", "First", 3),
        ("theme-second", "Second", SPLIT_AT + 1),
        ("theme-none", "No Council Plan theme", 1),
    ]
    assert groups[0].subgroups == []  # small enough to list directly
    assert [(p.key, len(p.rows)) for p in groups[1].subgroups] == [
        ("theme-second-red", 2),
        ("theme-second-green", SPLIT_AT - 1),
    ]
    assert [(n.key, n.count) for n in groups[1].counts] == [("red", 2), ("green", SPLIT_AT - 1)]
    assert group_rows(large, theme_of, split=False)[0].subgroups == []


def test_a_rag_with_more_than_split_at_is_cut_into_runs():
    theme = Theme(id=1, name="Only", slug="only", order=1)
    rows = [_row(f"G{i:02d}", c.GREEN, indicator_id=i + 1) for i in range(2 * SPLIT_AT + 1)]
    [group] = group_rows(rows, dict.fromkeys(range(1, len(rows) + 1), theme), split=True)
    assert [(p.key, p.label, len(p.rows)) for p in group.subgroups] == [
        ("theme-only-green-1", f"Green, 1 to {SPLIT_AT} of {2 * SPLIT_AT + 1}", SPLIT_AT),
        ("theme-only-green-2", f"Green, {SPLIT_AT + 1} to {2 * SPLIT_AT} of {2 * SPLIT_AT + 1}", SPLIT_AT),
        ("theme-only-green-3", f"Green, {2 * SPLIT_AT + 1} to {2 * SPLIT_AT + 1} of {2 * SPLIT_AT + 1}", 1),
    ]
    assert [r.reference for p in group.subgroups for r in p.rows] == [r.reference for r in rows]


@pytest.fixture
def mixed_board(scorecard_council):
    """Six indicators in one theme: GEN002 red and worsening, GEN004 red, the rest as built."""
    scorecard_council(6)
    latest = Assessment.objects.filter(period__start__year=2016, period__start__month=3)
    latest.update(rag=c.GREEN, direction=c.GOOD, variation=c.COMMON_CAUSE)
    latest.filter(indicator__reference="GEN002").update(rag=c.RED, direction=c.BAD)
    latest.filter(indicator__reference="GEN004").update(rag=c.RED, value=Decimal(1))
    latest.filter(indicator__reference="GEN005").update(variation=c.SPECIAL_CONCERNING)


def test_needing_attention_come_first_in_the_group(client, users, mixed_board):
    client.force_login(users["councillor"])
    board = client.get("/dashboard/").context["board"]
    [group] = board.groups
    assert [r.reference for r in group.rows][:3] == ["GEN002", "GEN004", "GEN005"]
    assert [(n.key, n.count) for n in group.counts] == [("red", 2), ("green", 4)]
    html = client.get("/dashboard/").content.decode()
    assert (
        html.index("/indicators/GEN002/")
        < html.index("/indicators/GEN004/")
        < html.index("/indicators/GEN000/")
    )
    assert "A Council that Listens to Residents: 6 indicators" in html


def test_tiles_are_links_that_filter_without_javascript(client, users, mixed_board):
    client.force_login(users["councillor"])
    html = client.get("/dashboard/").content.decode()
    red = "?show=portfolio%3Afinance-performance&amp;rag=red"
    assert f'href="{red}"' in html
    assert 'href="?show=portfolio%3Afinance-performance&amp;direction=bad"' in html
    assert 'href="?show=portfolio%3Afinance-performance&amp;variation=special_concerning"' in html
    response = client.get("/dashboard/?show=portfolio:finance-performance&rag=red")
    board = response.context["board"]
    assert board.shown == 2 and [r.reference for g in board.groups for r in g.rows] == ["GEN002", "GEN004"]
    page = response.content.decode()
    assert "2 of 6 indicators match the filter" in page and 'aria-current="true"' in page
    assert "/indicators/GEN000/" not in page
    # The active tile takes the filter off again.
    assert 'href="?show=portfolio%3Afinance-performance" hx-get' in page
    worsening = client.get("/dashboard/?direction=bad").context["board"]
    assert [r.reference for g in worsening.groups for r in g.rows] == ["GEN002"]
    concerning = client.get("/dashboard/?variation=special_concerning").context["board"]
    assert [r.reference for g in concerning.groups for r in g.rows] == ["GEN005"]


@pytest.mark.parametrize("query", ["rag=purple", "direction=%3Cscript%3E", "variation=" + "x" * 500])
def test_a_bad_filter_is_a_notice_not_a_500(client, users, mixed_board, query):
    client.force_login(users["councillor"])
    response = client.get(f"/dashboard/?{query}")
    assert response.status_code == 200
    board = response.context["board"]
    assert board.filters == {} and board.shown == 6
    assert "so that filter was ignored" in response.content.decode()
    assert "<script>" not in response.content.decode().split("</header>")[-1]


def test_filter_with_no_match_offers_show_all(client, users, mixed_board):
    client.force_login(users["councillor"])
    response = client.get("/dashboard/?rag=amber")
    assert response.context["board"].groups == []
    assert "No indicators match the filter" in response.content.decode()


def test_status_is_words_and_shapes(client, users, mixed_board):
    client.force_login(users["councillor"])
    html = client.get("/dashboard/").content.decode()
    assert '<span aria-hidden="true">▲ </span>Red' in html and '<span aria-hidden="true">▼ </span>Bad' in html
    assert '<span aria-hidden="true">⚠ </span>Special cause – concerning' in html


def test_anonymous_is_sent_to_sign_in(client, org):
    response = client.get("/dashboard/?rag=red")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_chosen_theme_is_one_group_even_for_indicators_of_several_themes(client, users, mixed_board, org):
    Theme.objects.filter(slug="listens").update(order=2)
    earlier = Theme.objects.create(council_plan=org["plan"], name="An Earlier Theme", slug="earlier", order=1)
    Indicator.themes.through.objects.create(
        indicator=Indicator.objects.get(reference="GEN001"), theme=earlier
    )
    client.force_login(users["councillor"])
    by_theme = client.get("/dashboard/?show=theme:listens").context["board"]
    assert [(g.label, len(g.rows)) for g in by_theme.groups] == [("A Council that Listens to Residents", 6)]
    # By portfolio, an indicator sits under the first of its themes in the plan's order, once.
    by_portfolio = client.get("/dashboard/").context["board"]
    assert [(g.label, len(g.rows)) for g in by_portfolio.groups] == [
        ("An Earlier Theme", 1),
        ("A Council that Listens to Residents", 5),
    ]
