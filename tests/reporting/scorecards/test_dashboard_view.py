"""The councillors' dashboard: choose a theme or portfolio, tiles that drill down, htmx, scope."""

import pytest

from indicators.models import Indicator

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
    assert 'class="kpi-tile"' in html and 'class="kpi-sparkline"' in html


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
