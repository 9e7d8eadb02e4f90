"""RAG status: polarity-based, inclusive amber boundary, exact arithmetic."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indicators.analytics.constants import (
    ABSOLUTE,
    AMBER,
    GREEN,
    NEUTRAL,
    NO_RAG,
    RAG_LABELS,
    RED,
    UP_IS_BAD,
    UP_IS_GOOD,
)
from indicators.analytics.rag import amber_tolerance, rag_status


@pytest.mark.parametrize(
    ("actual", "expected"),
    [(101, GREEN), (100, GREEN), (99, AMBER), (95, AMBER), (94.99, RED), (0, RED)],
)
def test_up_is_good_with_default_five_percent(actual, expected):
    assert rag_status(actual, 100, UP_IS_GOOD) == expected


@pytest.mark.parametrize(
    ("actual", "expected"),
    [(99, GREEN), (100, GREEN), (101, AMBER), (105, AMBER), (105.01, RED), (200, RED)],
)
def test_up_is_bad_with_default_five_percent(actual, expected):
    assert rag_status(actual, 100, UP_IS_BAD) == expected


def test_value_exactly_on_the_amber_boundary_is_amber_despite_float_noise():
    # 0.3 - 5% of 0.3 = 0.285; in binary floats 0.3 * 0.95 is 0.285 but 0.3 - 0.015 is
    # 0.28500000000000003, which would make 0.285 red if compared naively.
    assert rag_status(0.285, 0.3, UP_IS_GOOD) == AMBER
    assert rag_status(0.315, 0.3, UP_IS_BAD) == AMBER
    assert rag_status(100.2, 100.3, UP_IS_GOOD, 0.1, ABSOLUTE) == AMBER


def test_decimal_inputs_are_compared_exactly():
    assert rag_status(Decimal("95.00"), Decimal("100.00"), UP_IS_GOOD) == AMBER
    assert rag_status(Decimal("94.999"), Decimal("100"), UP_IS_GOOD) == RED
    assert rag_status(Decimal("95"), 100, UP_IS_GOOD, Decimal("5")) == AMBER


def test_absolute_tolerance_is_an_amount_not_a_share():
    assert rag_status(8, 10, UP_IS_GOOD, 2, ABSOLUTE) == AMBER
    assert rag_status(7.9, 10, UP_IS_GOOD, 2, ABSOLUTE) == RED
    assert rag_status(12, 10, UP_IS_BAD, 2, ABSOLUTE) == AMBER
    assert rag_status(12.1, 10, UP_IS_BAD, 2, ABSOLUTE) == RED


def test_zero_tolerance_means_any_miss_is_red():
    assert rag_status(99.9, 100, UP_IS_GOOD, 0) == RED
    assert rag_status(100, 100, UP_IS_GOOD, 0) == GREEN


def test_zero_target_with_percent_tolerance_has_no_amber_band():
    assert amber_tolerance(0) == 0
    assert rag_status(0, 0, UP_IS_BAD) == GREEN
    assert rag_status(0.01, 0, UP_IS_BAD) == RED
    assert rag_status(-0.01, 0, UP_IS_GOOD) == RED


def test_zero_target_with_absolute_tolerance_can_be_amber():
    assert rag_status(1, 0, UP_IS_BAD, 1, ABSOLUTE) == AMBER


def test_negative_budget_target_uses_magnitude_for_percent_tolerance():
    # Underspend target -50 (£000s), up is bad; 5% of |-50| = 2.5 so amber up to -47.5.
    assert rag_status(-60, -50, UP_IS_BAD) == GREEN
    assert rag_status(-50, -50, UP_IS_BAD) == GREEN
    assert rag_status(-47.5, -50, UP_IS_BAD) == AMBER
    assert rag_status(-47.4, -50, UP_IS_BAD) == RED
    assert rag_status(-40, -50, UP_IS_BAD) == RED


def test_negative_target_up_is_good():
    assert rag_status(-52.5, -50, UP_IS_GOOD) == AMBER
    assert rag_status(-52.6, -50, UP_IS_GOOD) == RED


def test_neutral_polarity_is_never_red():
    assert rag_status(0, 100, NEUTRAL) == NO_RAG
    assert rag_status(1000, 100, NEUTRAL) == NO_RAG


def test_no_target_gives_no_rag():
    assert rag_status(5, None, UP_IS_GOOD) == NO_RAG
    assert rag_status(5, None, UP_IS_BAD) == NO_RAG


def test_no_actual_returns_none_so_the_caller_decides_missing():
    assert rag_status(None, 100, UP_IS_GOOD) is None
    assert rag_status(None, None, NEUTRAL) is None


def test_negative_tolerance_is_rejected():
    with pytest.raises(ValueError, match="negative"):
        rag_status(95, 100, UP_IS_GOOD, -1)


def test_unknown_polarity_is_rejected():
    with pytest.raises(ValueError, match="polarity"):
        rag_status(95, 100, "sideways")


def test_unknown_tolerance_kind_is_rejected():
    with pytest.raises(ValueError, match="kind"):
        rag_status(95, 100, UP_IS_GOOD, 5, "fraction")


def test_non_numbers_and_non_finite_values_are_rejected():
    with pytest.raises(TypeError):
        rag_status("95", 100, UP_IS_GOOD)
    with pytest.raises(ValueError):
        rag_status(float("nan"), 100, UP_IS_GOOD)


def test_every_status_has_a_label():
    assert {GREEN, AMBER, RED, NO_RAG} <= set(RAG_LABELS)


# --- properties -------------------------------------------------------------------------

amounts = st.decimals(min_value=-(10**6), max_value=10**6, allow_nan=False, allow_infinity=False, places=2)
ORDER = {GREEN: 0, AMBER: 1, RED: 2}


@given(amounts, amounts, amounts, st.decimals(min_value=0, max_value=50, places=1))
def test_up_is_good_rag_never_gets_better_as_the_actual_falls(a, b, target, tolerance):
    low, high = sorted((a, b))
    assert (
        ORDER[rag_status(low, target, UP_IS_GOOD, tolerance)]
        >= ORDER[rag_status(high, target, UP_IS_GOOD, tolerance)]
    )


@given(amounts, amounts, st.decimals(min_value=0, max_value=50, places=1))
def test_up_is_bad_is_the_mirror_image_of_up_is_good(actual, target, tolerance):
    assert rag_status(actual, target, UP_IS_BAD, tolerance) == rag_status(
        -actual, -target, UP_IS_GOOD, tolerance
    )
