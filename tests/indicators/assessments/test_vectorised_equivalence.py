"""The vectorised RAG and direction of travel give exactly `assess_series`'s answers, point for point."""

import datetime
from decimal import Decimal
from unittest import mock

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicators.analytics import constants as c
from indicators.analytics import vectorised
from indicators.analytics.series import IndicatorRules, SeriesPoint, assess_series
from indicators.analytics.vectorised import assess_frames, point_assessments

FIRST_FY = 2012
YEARS = 4


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def _periods():
    """Every month, quarter and financial year of four years: (kind, start, end)."""
    out = []
    april = datetime.date(FIRST_FY, 4, 1)
    for i in range(12 * YEARS):
        start = _add_months(april, i)
        out.append((c.MONTH, start, _add_months(start, 1) - datetime.timedelta(days=1)))
        if i % 3 == 0:
            out.append((c.QUARTER, start, _add_months(start, 3) - datetime.timedelta(days=1)))
        if i % 12 == 0:
            out.append((c.YEAR, start, _add_months(start, 12) - datetime.timedelta(days=1)))
    return out


PERIODS = _periods()
OWN = {"monthly": c.MONTH, "quarterly": c.QUARTER, "annual": c.YEAR}

# Values with up to 4 decimal places: mostly small and coarse, so that values land exactly on
# targets and on amber boundaries (5 % of 20 is 1; 12.5 % of 8 is 1), sometimes anything.
coarse = st.integers(-400, 400).map(lambda n: Decimal(n) / 4)
fine = st.integers(-(10**10), 10**10).map(lambda n: Decimal(n).scaleb(-4))
tiny = st.integers(-2000, 2000).map(lambda n: Decimal(n).scaleb(-4))
values = st.one_of(coarse, coarse, fine, tiny)
sizes = st.one_of(
    st.integers(0, 40).map(Decimal),
    st.integers(0, 400).map(lambda n: Decimal(n) / 8),
    st.integers(0, 10**6).map(lambda n: Decimal(n).scaleb(-4)),
)


@st.composite
def rules(draw):
    return IndicatorRules(
        polarity=draw(st.sampled_from(c.POLARITIES)),
        frequency=draw(st.sampled_from(list(OWN))),
        measure_type=draw(st.sampled_from([c.MEASURE_PERIOD, c.MEASURE_YTD, c.MEASURE_SNAPSHOT])),
        unit=draw(st.sampled_from(["count", "percentage", "ratio", "currency", "days"])),
        seasonal=draw(st.booleans()),
        tolerance=draw(sizes),
        tolerance_kind=draw(st.sampled_from([c.PERCENT, c.ABSOLUTE])),
        change_threshold=draw(st.one_of(st.none(), sizes)),
        change_threshold_kind=draw(st.sampled_from([c.PERCENT, c.ABSOLUTE])),
    )


@st.composite
def series(draw):
    """(rules, points, targets): mostly the indicator's own kind, with gaps and some other kinds."""
    rule = draw(rules())
    own = OWN[rule.frequency]
    chosen = []
    for kind, start, end in PERIODS:
        keep = draw(st.floats(0, 1)) < (0.8 if kind == own else 0.08)
        if keep:
            chosen.append(SeriesPoint(kind, start, end, draw(values)))
    # Targets: some of the points' own periods, and some years (for parts to fall back on).
    targets = {}
    for kind, start, _end in PERIODS:
        if (kind == c.YEAR and draw(st.floats(0, 1)) < 0.6) or (draw(st.floats(0, 1)) < 0.15):
            near = [p.value for p in chosen if p.key == (kind, start)]
            targets[(kind, start)] = draw(st.one_of(values, st.sampled_from(near))) if near else draw(values)
    return rule, chosen, targets


def frames(many):
    results, targets = [], []
    for ident, (_rule, points, tmap) in many.items():
        results += [(ident, p.kind, p.start, p.end, p.value) for p in points]
        targets += [(ident, k, s, v) for (k, s), v in tmap.items()]
    return (
        pd.DataFrame.from_records(results, columns=["indicator_id", "kind", "start", "end", "value"]),
        pd.DataFrame.from_records(targets, columns=["indicator_id", "kind", "start", "value"]),
    )


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(st.lists(series(), min_size=1, max_size=4), st.sampled_from(["int64 where exact", "Python ints"]))
def test_vectorised_equals_assess_series(generated, arithmetic):
    many = {ident: item for ident, item in enumerate(generated, start=1)}
    results, targets = frames(many)
    # Both arithmetics, on the same series: int64 whenever it is exact (the usual case), and the
    # object arrays of Python ints it falls back to.
    exact = vectorised._int64_is_exact if arithmetic == "int64 where exact" else (lambda *_: False)
    with mock.patch.object(vectorised, "_int64_is_exact", exact):
        frame, fallback = assess_frames({i: rule for i, (rule, _, _) in many.items()}, results, targets)
    assert fallback == set()
    got = point_assessments(frame)
    for ident, (rule, points, tmap) in many.items():
        assert got.get(ident, []) == assess_series(points, tmap, rule)


def test_boundaries_are_exact():
    # 100.3 - 0.1 is not 100.2 in binary floats; 5 % of 100.3 is 5.015: both exactly amber here.
    may = datetime.date(2013, 5, 1)
    april = datetime.date(2013, 4, 1)
    cases = [
        (IndicatorRules(c.UP_IS_GOOD, tolerance=Decimal("0.1"), tolerance_kind=c.ABSOLUTE), "100.2", "100.3"),
        (IndicatorRules(c.UP_IS_GOOD), "95.285", "100.3"),
        (IndicatorRules(c.UP_IS_BAD), "105.315", "100.3"),
        (IndicatorRules(c.UP_IS_GOOD, change_threshold=Decimal("0.2")), "0.3", "0.1"),
        (
            IndicatorRules(c.UP_IS_BAD, change_threshold=Decimal(10), change_threshold_kind=c.PERCENT),
            "0.33",
            "0.3",
        ),
    ]
    for rule, value, other in cases:
        points = [
            SeriesPoint(c.MONTH, april, datetime.date(2013, 4, 30), Decimal(other)),
            SeriesPoint(c.MONTH, may, datetime.date(2013, 5, 31), Decimal(value)),
        ]
        tmap = {(c.MONTH, may): Decimal(other)}
        results, targets = frames({7: (rule, points, tmap)})
        frame, fallback = assess_frames({7: rule}, results, targets)
        assert not fallback
        expected = assess_series(points, tmap, rule)
        assert point_assessments(frame)[7] == expected
    assert expected[1].direction == c.SAME


def test_cross_kind_and_invalid_indicators_are_left_to_the_reference():
    april = datetime.date(2013, 4, 1)
    points = [SeriesPoint(c.MONTH, april, datetime.date(2013, 4, 30), Decimal(1))]
    results, targets = frames({1: (None, points, {}), 2: (None, points, {}), 3: (None, points, {})})
    rules_by_id = {
        1: IndicatorRules(c.UP_IS_GOOD, compare_across_period_kinds=True),
        2: IndicatorRules("sideways"),
        3: IndicatorRules(c.UP_IS_GOOD),
    }
    frame, fallback = assess_frames(rules_by_id, results, targets)
    assert fallback == {1, 2}
    assert list(frame["indicator_id"]) == [3]


def test_int64_only_where_no_intermediate_can_overflow():
    """Figures near the stored maximum (14 digits before the point) take the Python-int path."""
    april, may = datetime.date(2013, 4, 1), datetime.date(2013, 5, 1)
    chosen = []
    real = vectorised._int64_is_exact

    def spy(biggest, factor):
        chosen.append(real(biggest, factor))
        return chosen[-1]

    for size in ("85.5", "99999999999999.9999"):
        rule = IndicatorRules(c.UP_IS_GOOD, tolerance=Decimal(50), change_threshold=Decimal(1))
        points = [
            SeriesPoint(c.MONTH, april, datetime.date(2013, 4, 30), Decimal(size)),
            SeriesPoint(c.MONTH, may, datetime.date(2013, 5, 31), -Decimal(size)),
        ]
        tmap = {(c.MONTH, may): Decimal(size)}
        results, targets = frames({7: (rule, points, tmap)})
        with mock.patch.object(vectorised, "_int64_is_exact", spy):
            frame, fallback = assess_frames({7: rule}, results, targets)
        assert not fallback
        assert point_assessments(frame)[7] == assess_series(points, tmap, rule)
    assert chosen == [True, False]
    assert vectorised._int64_is_exact(2**62 // 10**6 - 1, 10**6)
    assert not vectorised._int64_is_exact(2**62 // 10**6 + 1, 10**6)


@given(
    st.lists(
        st.one_of(
            values,
            st.decimals(allow_nan=True, allow_infinity=True),
            st.sampled_from([Decimal("1.0"), Decimal("1.00"), Decimal("-0"), Decimal("sNaN"), 1, True, 1.0]),
        ),
        max_size=30,
    )
)
def test_scaled_all_is_scaled_of_each(numbers):
    assert vectorised._scaled_all(numbers) == [vectorised.scaled(v) for v in numbers]
