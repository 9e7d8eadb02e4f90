"""A scorecard as at a reported period shows what was reported then; `?view=current` shows today's."""

import datetime
from decimal import Decimal

import pytest

from indicators.models import Assessment, Period, Target
from indicators.services.assessments import recompute_assessments
from organisation import roles
from reporting.exceptions import exception_list_build
from reporting.models import ReportedAssessment
from reporting.scorecards import scorecard

pytestmark = pytest.mark.django_db
CMT = "/scorecards/cmt/"
DEC = "2015-12"


@pytest.fixture
def reported_council(scorecard_council):
    """12 indicators with Dec 2015 reported (its exception list built, assessments frozen)."""
    scorecard_council(12)
    december = Period.objects.get(kind="month", start=datetime.date(2015, 12, 1))
    exception_list_build(period=december)
    return december


def move_target_of_gen000(value: str) -> None:
    """Change GEN000's (up-is-good) annual target after Dec 2015 was reported, and reassess."""
    Target.objects.filter(indicator__reference="GEN000").update(value=Decimal(value))
    recompute_assessments()


def test_changed_target_recolours_current_but_not_as_reported(reported_council, client, users):
    reported = ReportedAssessment.objects.get(indicator__reference="GEN000", period=reported_council)
    # A target no result can reach (current: red) or that every result beats (current: green).
    new_target = "1" if reported.rag != "green" else "100"
    move_target_of_gen000(new_target)
    current = Assessment.objects.get(indicator__reference="GEN000", period=reported_council)
    assert current.rag != reported.rag and current.target != reported.target

    client.force_login(users["cmt"])
    response = client.get(CMT + f"?period={DEC}")
    card = response.context["card"]
    assert card.view == "reported" and card.reported_on == reported.reported_at.date()
    row = next(r for r in card.rows if r.reference == "GEN000")
    assert (row.rag, row.target, row.direction, row.variation) == (
        reported.rag,
        reported.target,
        reported.direction,
        reported.variation,
    )
    html = response.content.decode()
    assert f"as reported on {reported.reported_at:%-d %B %Y}" in html
    assert "?period=2015-12&amp;view=current" in html  # the toggle, a plain link

    response = client.get(CMT + f"?period={DEC}&view=current")
    card = response.context["card"]
    assert card.view == "current"
    row = next(r for r in card.rows if r.reference == "GEN000")
    assert (row.rag, row.target) == (current.rag, current.target)
    assert 'name="view" value="current"' in response.content.decode()  # rides along a period switch


def test_summary_counts_and_filters_use_the_as_reported_figures(reported_council, users):
    reported = dict(
        ReportedAssessment.objects.filter(period=reported_council).values_list("indicator__reference", "rag")
    )
    Target.objects.update(value=Decimal("1"))  # everything up-is-good now beats its target
    recompute_assessments()
    card = scorecard(users["cmt"], roles.SCORECARD_CMT, period=DEC, params={"rag": "red"})
    assert {r.reference for r in card.rows} == {ref for ref, rag in reported.items() if rag == "red"}
    assert sum(c.count for c in card.summary["rag"] if c.key == "red") == list(reported.values()).count("red")


def test_an_indicator_added_after_reporting_shows_current_marked_as_such(reported_council, users):
    ReportedAssessment.objects.filter(indicator__reference="GEN001").delete()
    card = scorecard(users["cmt"], roles.SCORECARD_CMT, period=DEC)
    row = next(r for r in card.rows if r.reference == "GEN001")
    assert row.not_reported and row.reported_on is None and row.rag  # still shows today's figures
    other = next(r for r in card.rows if r.reference == "GEN000")
    assert not other.not_reported and other.reported_on is not None


def test_unreported_period_is_current_and_asking_for_reported_says_why(reported_council, users):
    card = scorecard(users["cmt"], roles.SCORECARD_CMT, period="2015-11", view="reported")
    assert card.view == "current" and card.reported_on is None
    assert any("has not been reported yet" in n for n in card.notices)
    card = scorecard(users["cmt"], roles.SCORECARD_CMT, period=DEC, view="<b>odd</b>")
    assert card.view == "reported"
    assert any("is not a way to show a scorecard" in n for n in card.notices)


def test_unknown_view_is_escaped_on_the_page(reported_council, client, users):
    client.force_login(users["cmt"])
    response = client.get(CMT + f"?period={DEC}&view=<script>x</script>")
    assert response.status_code == 200
    assert "<script>x</script>" not in response.content.decode()


@pytest.mark.parametrize("size", [10, 300])
def test_as_reported_scorecard_runs_a_fixed_number_of_queries(
    size, scorecard_council, users, django_assert_num_queries
):
    scorecard_council(size)
    exception_list_build(period=Period.objects.get(kind="month", start=datetime.date(2015, 12, 1)))
    user = users["cmt"]
    roles.role_of(user)
    # calendar, periods (+ when reported), indicators (+ the as-reported selection), as-reported rows,
    # window, clinic marks, directorates: as many as the current view. Every row was reported, so
    # no current assessment is read (issue 12: it was, for every row, a query of 1,000 unshown rows).
    with django_assert_num_queries(7):
        card = scorecard(user, roles.SCORECARD_CMT, period=DEC)
    assert card.view == "reported" and card.total == size
    assert all(r.reported_on for r in card.rows)
    # An indicator added since (nothing reported for it): its current assessment, one query more.
    ReportedAssessment.objects.filter(indicator__reference="GEN001").delete()
    with django_assert_num_queries(8):
        card = scorecard(user, roles.SCORECARD_CMT, period=DEC)
    row = next(r for r in card.rows if r.reference == "GEN001")
    assert row.not_reported and row.rag and row.period_label
    assert sum(1 for r in card.rows if r.reported_on) == size - 1
    # Chosen as the current view chooses it (`_current_for`: the same rule, in its own query).
    current = next(
        r
        for r in scorecard(user, roles.SCORECARD_CMT, period=DEC, view="current").rows
        if r.reference == "GEN001"
    )
    assert (row.value, row.target, row.rag, row.period_label) == (
        current.value,
        current.target,
        current.rag,
        current.period_label,
    )
