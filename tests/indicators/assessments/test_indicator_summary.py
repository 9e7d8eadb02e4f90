"""`IndicatorSummary`: written by the recompute, only when it changed."""

import pytest
from django.db.models import F

from indicators.models import IndicatorSummary, Result
from indicators.services.assessments import recompute

pytestmark = pytest.mark.django_db


def test_every_indicator_gets_a_summary_and_a_recompute_of_unchanged_data_writes_none(build_council):
    indicators = build_council(3, months=24)
    assert IndicatorSummary.objects.count() == 3
    summary = IndicatorSummary.objects.get(indicator=indicators[0])
    assert (summary.financial_year, summary.latest_end.isoformat()) == (2016, "2017-03-31")
    assert summary.sparkline.startswith('<svg class="kpi-sparkline"') and summary.next_sparkline
    outcome = recompute()
    assert (outcome.summaries, outcome.written) == (0, 0)


def test_an_edit_rewrites_that_indicators_summary_only(build_council):
    first, second = build_council(2, months=24)[:2]
    before = IndicatorSummary.objects.get(indicator=second).sparkline
    Result.objects.filter(indicator=first).update(value=F("value") + 5)
    assert recompute(indicator_ids=[first.id]).summaries == 1
    assert recompute(indicator_ids=[first.id]).summaries == 0
    assert IndicatorSummary.objects.get(indicator=second).sparkline == before
