"""`IndicatorSummary`: written by the recompute, only when it changed."""

import pytest
from django.db.models import F

from indicators.models import Indicator, IndicatorSummary, Result
from indicators.services import assessments, summary_writes
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


def test_a_stale_or_missing_summary_is_rewritten_although_no_assessment_changed(build_council):
    """Unchanged indicators keep their summaries unless what drew them changed (`made_with`)."""
    first, second, third = build_council(3, months=24)
    Indicator.objects.filter(id=first.id).update(reference="NEW001")  # printed in the sparkline text
    IndicatorSummary.objects.filter(indicator=second).delete()
    outcome = recompute()
    assert (outcome.inserted, outcome.updated, outcome.deleted, outcome.summaries) == (0, 0, 0, 2)
    assert "NEW001" in IndicatorSummary.objects.get(indicator=first).made_with
    assert IndicatorSummary.objects.filter(indicator=second).exists()
    assert recompute().written == 0


def test_skipping_unchanged_indicators_gives_the_summaries_working_every_one_out_would(
    build_council, monkeypatch
):
    indicators = build_council(4, months=30)
    Result.objects.filter(indicator=indicators[0]).update(value=F("value") + 3)
    recompute()
    skipped = {s.indicator_id: _fields(s) for s in IndicatorSummary.objects.all()}
    IndicatorSummary.objects.all().delete()
    everything = summary_writes.changed_summaries

    def every_one(indicators, assessed, periods, changed_indicator_ids=None):
        return everything(indicators, assessed, periods, None)

    monkeypatch.setattr(assessments, "changed_summaries", every_one)
    assert recompute().summaries == 4
    assert {s.indicator_id: _fields(s) for s in IndicatorSummary.objects.all()} == skipped


def _fields(summary: IndicatorSummary) -> tuple:
    return tuple(getattr(summary, name) for name in summary_writes.SUMMARY_COLUMNS)
