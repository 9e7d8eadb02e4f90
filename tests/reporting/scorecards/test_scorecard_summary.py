"""The scorecard rows read from `IndicatorSummary` are the rows the window query gives."""

import pytest

from indicators.models import Indicator
from indicators.services.assessments import recompute
from reporting.scorecards import rows as scorecard_rows
from reporting.scorecards import scorecard

pytestmark = pytest.mark.django_db


def _rows(user, **kwargs):
    card = scorecard(user, "cmt", **kwargs)
    return [
        (r.reference, r.years, r.years_display, r.years_notes, str(r.sparkline), r.sparkline_text)
        for r in card.rows
    ]


@pytest.mark.parametrize("period", [None, "fy2016-17", "2016-12", "fy2015-16"])
def test_the_summary_gives_the_rows_the_window_query_gives(period, scorecard_council, users, monkeypatch):
    scorecard_council(6, months=24)
    # An annual indicator (its latest result last year's: the summary's "next year" figures) and
    # one whose summary is stale (changed since the recompute: never served).
    Indicator.objects.filter(reference="GEN002").update(frequency="annual")
    recompute()
    Indicator.objects.filter(reference="GEN003").update(decimal_places=3)
    answers = []
    serves = scorecard_rows._summary_serves
    monkeypatch.setattr(
        scorecard_rows, "_summary_serves", lambda i, p: answers.append(serves(i, p)) or answers[-1]
    )
    served = _rows(users["cmt"], period=period)
    # A year (fy2015-16) or a month (2016-12) before the latest results (March 2017) is the
    # window query's throughout; GEN003's stale summary is never served.
    assert answers.count(True) == (0 if period in ("fy2015-16", "2016-12") else 5)
    monkeypatch.setattr(scorecard_rows, "_summary_serves", lambda indicator, period: False)
    assert served == _rows(users["cmt"], period=period)
