"""Benchmark rank and quartile: polarity picks the best end, ties share the better rank."""

from decimal import Decimal

import pytest

from indicators.analytics.benchmark import rank_and_quartile
from indicators.analytics.constants import NEUTRAL, UP_IS_BAD, UP_IS_GOOD

# Seven comparators plus us = 8 councils: quartiles are ranks 1-2, 3-4, 5-6, 7-8.
OTHERS = [10, 20, 30, 40, 50, 60, 70]


def test_up_is_good_highest_is_rank_one():
    assert rank_and_quartile(80, OTHERS, UP_IS_GOOD) == (1, 8, 1)


def test_up_is_good_lowest_is_last_and_bottom_quartile():
    assert rank_and_quartile(5, OTHERS, UP_IS_GOOD) == (8, 8, 4)


def test_up_is_bad_lowest_is_rank_one():
    assert rank_and_quartile(5, OTHERS, UP_IS_BAD) == (1, 8, 1)
    assert rank_and_quartile(80, OTHERS, UP_IS_BAD) == (8, 8, 4)


@pytest.mark.parametrize(
    ("own", "rank", "quartile"),
    [(65, 2, 1), (55, 3, 2), (45, 4, 2), (35, 5, 3), (25, 6, 3), (15, 7, 4)],
)
def test_quartile_is_ceiling_of_four_times_rank_over_n(own, rank, quartile):
    assert rank_and_quartile(own, OTHERS, UP_IS_GOOD) == (rank, 8, quartile)


def test_ties_share_the_better_rank():
    # 50 ties with one comparator: 60 and 70 are better, so both 50s are 3rd.
    assert rank_and_quartile(50, OTHERS, UP_IS_GOOD) == (3, 8, 2)
    assert rank_and_quartile(50, OTHERS, UP_IS_BAD) == (5, 8, 3)
    assert rank_and_quartile(7, [7, 7, 7], UP_IS_GOOD) == (1, 4, 1)


def test_neutral_ranks_highest_first_without_a_quartile():
    assert rank_and_quartile(45, OTHERS, NEUTRAL) == (4, 8, None)


def test_missing_comparators_are_dropped():
    assert rank_and_quartile(45, [None, 50, None, 40, 30], UP_IS_GOOD) == (2, 4, 2)


def test_no_own_value_gives_no_rank():
    assert rank_and_quartile(None, OTHERS, UP_IS_GOOD) == (None, 7, None)


def test_groups_smaller_than_four_have_a_rank_but_no_quartile():
    assert rank_and_quartile(3, [], UP_IS_BAD) == (1, 1, None)
    assert rank_and_quartile(3, [4, 5], UP_IS_BAD) == (1, 3, None)
    assert rank_and_quartile(3, [4, 5, 6], UP_IS_BAD) == (1, 4, 1)


def test_decimal_and_float_values_compare_exactly():
    # Float 0.3 is the decimal 0.3 as typed, so it ties with Decimal("0.3") and shares 1st.
    assert rank_and_quartile(Decimal("0.3"), [0.3, 0.2, 0.1], UP_IS_GOOD) == (1, 4, 1)
    assert rank_and_quartile(0.3, [Decimal("0.30"), 0.2, 0.1], UP_IS_GOOD) == (1, 4, 1)


def test_unknown_polarity_is_rejected():
    with pytest.raises(ValueError):
        rank_and_quartile(1, [2], "sideways")
