"""The bulk recompute: variation and forecasts stored with each assessment, fixed queries, rebase."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import F

from indicators.analytics import constants as c
from indicators.analytics.bulk import forecast_type, is_additive
from indicators.models import Annotation, Assessment, Indicator, Result, Target
from indicators.services.assessments import recompute, recompute_assessments
from indicators.services.periods import ensure_periods

# Each one more than before the scorecard summaries (issue 12): the upsert of the changed
# `IndicatorSummary` rows (read with the indicators, so no read of their own).
WRITE_QUERIES = 18 if connection.vendor == "postgresql" else 13
# After an edit both vendors write by the two upserts (PostgreSQL's temporary table, COPY and
# MERGEs are for the full recompute).
EDIT_QUERIES = 13


def month(i: int) -> datetime.date:
    return datetime.date(2013 + (3 + i) // 12, (3 + i) % 12 + 1, 1)  # i = 0 is April 2013


def make(org, reference, values, polarity=c.UP_IS_GOOD, unit="count", target=None, **fields):
    indicator = Indicator.objects.create(
        reference=reference,
        title=reference,
        category="performance",
        unit=unit,
        polarity=polarity,
        frequency="monthly",
        service=org["hr"],
        **fields,
    )
    starts = [month(i) for i in range(len(values))]
    periods = ensure_periods([("month", s) for s in starts])
    Result.objects.bulk_create(
        Result(indicator=indicator, period=periods[("month", s)], value=Decimal(str(v)), status="approved")
        for s, v in zip(starts, values, strict=True)
    )
    if target is not None:
        fy = datetime.date(
            month(len(values) - 1).year
            if month(len(values) - 1).month >= 4
            else month(len(values) - 1).year - 1,
            4,
            1,
        )
        year = ensure_periods([("year", fy)])[("year", fy)]
        Target.objects.create(indicator=indicator, period=year, value=Decimal(target))
    return indicator


def latest(indicator):
    return Assessment.objects.get(indicator=indicator, is_latest=True)


def test_variation_is_stored_with_each_assessment(org):
    # 12 points alternating 12/8 (mean 10, mR-bar 4, limits -0.64 .. 20.64) then 30: outside.
    indicator = make(org, "VAR01", [12, 8] * 6 + [30], unit="percentage", target=15, baseline_points=12)
    recompute_assessments()
    a = latest(indicator)
    assert (a.variation, a.special_cause_rule) == (c.SPECIAL_IMPROVING, c.RULE_OUTSIDE_LIMITS)
    assert a.centre_line == Decimal("10.0000")
    assert a.upper_limit == Decimal("20.6400")
    assert a.lower_limit == Decimal("-0.6400")
    assert a.trial_limits is True  # 12 baseline points < 13
    assert a.assurance == c.HIT_AND_MISS  # 15 between the limits
    first = Assessment.objects.get(indicator=indicator, period__start=month(0))
    assert first.variation == c.COMMON_CAUSE


def test_an_annotation_that_starts_a_new_baseline_rebases_the_limits(org):
    values = [12, 8] * 6 + [30, 31, 29, 30, 31, 29]
    indicator = make(org, "VAR02", values, unit="percentage")
    recompute_assessments()
    assert latest(indicator).centre_line != Decimal(30)
    Annotation.objects.create(
        indicator=indicator, date=month(12), text="New process", starts_new_baseline=True
    )
    recompute_assessments(indicator_ids=[indicator.id])
    a = latest(indicator)
    assert a.centre_line == Decimal("30.0000")  # the new segment's own mean
    assert a.variation == c.COMMON_CAUSE
    before = Assessment.objects.get(indicator=indicator, period__start=month(11))
    assert before.centre_line == Decimal("10.0000")


def test_forecast_is_stored_with_method_and_rag_against_the_annual_target(org):
    # 2013/14 complete (100 a month), 2014/15 April–September at 100 a month: the seasonal profile
    # gives 600 / (600/1200) = 1200 against a target of 1500 (up is good): red.
    indicator = make(org, "FC01", [100] * 18, target=1500)
    recompute_assessments()
    a = latest(indicator)
    assert a.forecast_method == c.FORECAST_SEASONAL_PROFILE
    assert a.forecast_value == Decimal("1200.0000")
    assert a.forecast_rag == c.RED
    assert a.forecast_inputs["annual_target"] == 1500.0
    # Only the latest financial year is forecast.
    assert Assessment.objects.get(indicator=indicator, period__start=month(3)).forecast_method == ""


def test_a_cumulative_count_is_charted_by_its_monthly_amounts(org):
    # YTD 10, 20, ..., 120 each year: every month adds 10, so no trend is signalled.
    values = [10 * (i % 12 + 1) for i in range(24)]
    indicator = make(org, "YTD01", values, measure_type="ytd")
    recompute_assessments()
    assert set(Assessment.objects.filter(indicator=indicator).values_list("variation", flat=True)) == {
        c.COMMON_CAUSE
    }


@pytest.mark.parametrize(
    "measure_type, unit, additive, kind",
    [
        ("period", "count", True, "additive_period"),
        ("ytd", "days", True, "additive_ytd"),
        ("ytd", "percentage", False, "level"),
        ("snapshot", "count", False, "level"),
        ("period", "percentage", False, "level"),
    ],
)
def test_forecast_types(measure_type, unit, additive, kind):
    assert is_additive(measure_type, unit) is additive
    assert forecast_type(measure_type, unit) == kind


def test_one_indicator_recompute_leaves_the_others_alone(build_council):
    first, second = build_council(2)[:2]
    before = Assessment.objects.filter(indicator=second).values_list("id", flat=True)
    before = set(before)
    recompute_assessments(indicator_ids=[first.id])
    assert set(Assessment.objects.filter(indicator=second).values_list("id", flat=True)) == before


@pytest.mark.parametrize("count", [3, 30])
def test_full_recompute_of_unchanged_data_reads_and_writes_nothing(
    build_council, django_assert_num_queries, count
):
    build_council(count, months=24)  # already recomputed once
    # indicators, periods, results, targets, annotations, dismissed rebase suggestions, the stored
    # assessments; savepoint and its release. No write, and no exception-list refresh (nothing changed).
    with django_assert_num_queries(9):
        outcome = recompute()
    assert (outcome.assessed, outcome.written) == (count * 24, 0)


@pytest.mark.parametrize("count", [3, 30])
def test_full_recompute_after_every_result_changed_runs_a_fixed_number_of_queries(
    build_council, django_assert_num_queries, count
):
    build_council(count, months=24)
    Result.objects.update(value=F("value") + 1)
    # the seven reads; savepoint, the upserts of rows that are not latest and of latest ones, the
    # summaries' upsert, the exception-list check (no list built yet), savepoint release. PostgreSQL instead of the two
    # upserts: foreign keys immediate, temporary table, COPY, two MERGEs, drop, keys deferred.
    with django_assert_num_queries(WRITE_QUERIES):
        outcome = recompute()
    assert (outcome.assessed, outcome.updated, outcome.inserted, outcome.deleted) == (
        count * 24,
        count * 24,
        0,
        0,
    )


@pytest.mark.parametrize("count", [3, 30])
def test_one_indicator_recompute_runs_a_fixed_number_of_queries(
    build_council, django_assert_num_queries, count
):
    indicators = build_council(count, months=24)
    Result.objects.filter(indicator=indicators[0]).update(value=F("value") + 1)
    # the seven reads; savepoint, the two upserts, the summary's upsert, the exception-list check, savepoint release.
    with django_assert_num_queries(EDIT_QUERIES):
        outcome = recompute(indicator_ids=[indicators[0].id])
    assert outcome.updated == 24


def test_a_series_with_a_sustained_shift_is_unchanged_by_a_second_recompute(org):
    # Ten months about 10, then ten about 20: a sustained shift, so points carry shift_since (a date
    # column, which SQLite's cursor gives back as a date and the computed row holds as text).
    make(org, "SHIFT01", [10, 11, 9, 10, 11, 9, 10, 11, 9, 10] + [20, 21, 19, 20, 21, 19, 20, 21, 19, 20])
    recompute()
    assert Assessment.objects.filter(indicator__reference="SHIFT01", shift_since__isnull=False).exists()
    assert recompute().written == 0


def test_only_the_changed_assessments_are_rewritten_and_the_others_keep_their_rows(build_council):
    first, second = build_council(2, months=24)[:2]
    before = dict(Assessment.objects.values_list("id", "computed_at"))
    last = Result.objects.filter(indicator=first).order_by("-period__start").first()
    Result.objects.filter(id=last.id).update(value=last.value + 1000)
    outcome = recompute()
    assert outcome.written > 0 and outcome.inserted == outcome.deleted == 0
    after = dict(Assessment.objects.values_list("id", "computed_at"))
    assert after.keys() == before.keys()  # updated in place: same rows, same ids
    rewritten = {i for i in after if after[i] != before[i]}
    assert rewritten == set(
        Assessment.objects.filter(indicator=first, id__in=rewritten).values_list("id", flat=True)
    )
    assert recompute().written == 0


def test_a_deleted_result_deletes_its_assessment_and_a_new_one_is_inserted(build_council):
    first = build_council(1, months=24)[0]
    last = Result.objects.filter(indicator=first).order_by("-period__start").first()
    period = last.period
    last.delete()
    outcome = recompute()
    assert outcome.deleted == 1
    assert not Assessment.objects.filter(indicator=first, period=period).exists()
    assert Assessment.objects.filter(indicator=first, is_latest=True).count() == 1
    Result.objects.create(indicator=first, period=period, value=Decimal(5), status="approved")
    outcome = recompute()
    assert outcome.inserted == 1
    assert Assessment.objects.get(indicator=first, is_latest=True).period == period


def test_a_quarterly_count_is_forecast_on_its_quarters(org):
    # 2013/14: 300 a quarter (1,200); 2014/15 Q1 and Q2 at 300: last year's profile gives
    # 600 / (600/1200) = 1200, stored on Q2 2014/15, against a target of 1000 (up is bad): red.
    indicator = Indicator.objects.create(
        reference="FCQ01",
        title="Complaints",
        category="customer",
        unit="count",
        polarity="up_is_bad",
        frequency="quarterly",
        measure_type="period",
        service=org["hr"],
    )
    starts = [datetime.date(2013, m, 1) for m in (4, 7, 10)] + [datetime.date(2014, 1, 1)]
    starts += [datetime.date(2014, 4, 1), datetime.date(2014, 7, 1)]
    periods = ensure_periods([("quarter", s) for s in starts] + [("year", datetime.date(2014, 4, 1))])
    Result.objects.bulk_create(
        Result(indicator=indicator, period=periods[("quarter", s)], value=300, status="approved")
        for s in starts
    )
    Target.objects.create(
        indicator=indicator, period=periods[("year", datetime.date(2014, 4, 1))], value=1000
    )
    recompute_assessments()
    q2 = Assessment.objects.get(indicator=indicator, period=periods[("quarter", datetime.date(2014, 7, 1))])
    assert q2.forecast_value == Decimal("1200.0000")
    assert q2.forecast_method == c.FORECAST_SEASONAL_PROFILE
    assert q2.forecast_rag == c.RED
    q4_last_year = Assessment.objects.get(
        indicator=indicator, period=periods[("quarter", datetime.date(2014, 1, 1))]
    )
    assert q4_last_year.forecast_method == ""  # only the latest financial year is forecast
