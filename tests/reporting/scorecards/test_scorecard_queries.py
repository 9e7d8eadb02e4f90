"""Every scorecard and the dashboard run a fixed number of SQL queries, at 10 and 300 indicators."""

import pytest

from indicators.models import Indicator
from organisation import roles
from reporting.dashboard import dashboard
from reporting.public import public_overview
from reporting.scorecards import cmt_scorecard, scorecard

pytestmark = pytest.mark.django_db

SIZES = [10, 300]


def warm(user):
    # The user's profile is read once per request by the auth middleware and scope checks.
    roles.role_of(user)
    return user


@pytest.mark.parametrize("size", SIZES)
def test_cmt_scorecard(size, scorecard_council, users, django_assert_num_queries):
    scorecard_council(size)
    user = warm(users["cmt"])
    # calendar, periods, indicators (+ selected assessment subquery, + their stored summaries),
    # selected, clinic marks (clinics.services.clinic_marks, one query added for issue 14),
    # directorates. No window query (issue 12): every row's sparkline and year columns come from
    # its `IndicatorSummary`, read with the indicators.
    with django_assert_num_queries(6):
        card = cmt_scorecard(user)
    assert card.total == size


@pytest.mark.parametrize("size", SIZES)
def test_cmt_scorecard_with_a_stale_summary_reads_the_window_query(
    size, scorecard_council, users, django_assert_num_queries
):
    scorecard_council(size)
    # Changed without a recompute: its summary was drawn with other decimal places, so its row is
    # worked out from the window query, one query more (the old count), whatever the size.
    Indicator.objects.filter(reference="GEN000").update(decimal_places=2)
    user = warm(users["cmt"])
    with django_assert_num_queries(7):
        card = cmt_scorecard(user)
    assert card.total == size


@pytest.mark.parametrize("size", SIZES)
def test_directorate_scorecard(size, scorecard_council, users, django_assert_num_queries, org):
    scorecard_council(size)
    user = warm(users["director"])
    # directorate, calendar, periods, indicators (with their summaries: no window query), selected, and (a director's scope is
    # their directorate) how many of the scorecard's indicators are outside it; + the clinic marks
    with django_assert_num_queries(7):
        card = scorecard(user, roles.SCORECARD_DIRECTORATE, "oce", period="fy2015-16")
    assert card.total == len([n for n in range(size) if n % 2 and not str(n).endswith("1")])


@pytest.mark.parametrize("size", SIZES)
def test_council_plan_scorecard(size, scorecard_council, users, django_assert_num_queries):
    scorecard_council(size)
    user = warm(users["hub"])
    # calendar, periods, indicators (with their summaries: no window query), selected, clinic
    # marks, themes, theme links
    with django_assert_num_queries(7):
        card = scorecard(user, roles.SCORECARD_COUNCIL_PLAN)
    assert card.total == size


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize(
    "kind,slug,role", [("portfolio", "finance-performance", "councillor"), ("board", "hwb", "scrutiny")]
)
def test_portfolio_and_board_scorecards(
    size, kind, slug, role, scorecard_council, users, django_assert_num_queries
):
    scorecard_council(size)
    user = warm(users[role])
    # subject, calendar, periods, indicators (with their summaries: no window query), selected,
    # clinic marks, count beyond the user's scope
    with django_assert_num_queries(7):
        card = scorecard(user, kind, slug)
    assert card.total == size


@pytest.mark.parametrize("size", SIZES)
def test_dashboard(size, scorecard_council, users, django_assert_num_queries):
    scorecard_council(size)
    user = warm(users["councillor"])
    # themes, portfolios, calendar, indicators, selected, window, the indicators' themes, clinic marks
    with django_assert_num_queries(8):
        board = dashboard(user, None)
    assert len(board.rows) == size
    with django_assert_num_queries(8):  # filtered by a tile: the same reads
        board = dashboard(user, None, {"rag": "red", "direction": "bad"})
    assert sum(len(g.rows) for g in board.groups) == board.shown
    with django_assert_num_queries(7):  # a theme is its own group: no look-up of themes
        board = dashboard(user, "theme:listens")
    assert len(board.rows) == size


@pytest.mark.parametrize("size", SIZES)
def test_public_overview(size, scorecard_council, django_assert_num_queries):
    scorecard_council(size)
    with django_assert_num_queries(4):
        groups, _ = public_overview()
    assert sum(len(g.rows) for g in groups) == len([n for n in range(size) if n % 3 == 0])
