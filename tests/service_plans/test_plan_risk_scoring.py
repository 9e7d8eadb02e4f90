"""Risk scores and ratings on the matrix (pure)."""

import pytest

from service_plans import risk_scoring as r

M = r.DEFAULT_MATRIX


def test_default_matrix_is_five_by_five_scoring_1_to_25():
    assert M.max_score == 25
    assert r.score(M, 1, 1) == 1
    assert r.score(M, 5, 5) == 25


@pytest.mark.parametrize(
    "likelihood,impact,expected",
    [(1, 4, r.GREEN), (2, 2, r.GREEN), (1, 5, r.AMBER), (3, 4, r.AMBER), (3, 5, r.RED), (5, 5, r.RED)],
)
def test_bands(likelihood, impact, expected):
    assert r.rating(M, likelihood, impact) == expected


def test_no_score_is_to_be_scored():
    assert r.rating(M, None, None) == r.TO_BE_SCORED


@pytest.mark.parametrize("likelihood,impact", [(0, 3), (6, 1), (3, 6), (3, None), (None, 2), (-1, -1)])
def test_scores_outside_the_matrix_are_refused(likelihood, impact):
    assert r.check_rating(M, likelihood, impact)
    with pytest.raises(ValueError):
        r.score(M, likelihood, impact)


def test_a_four_by_four_matrix_has_its_own_range_and_bands():
    small = r.Matrix(4, 4, amber_from=4, red_from=10)
    assert r.check_rating(small, 5, 1)
    assert r.rating(small, 3, 3) == r.AMBER
    assert r.rating(small, 4, 3) == r.RED


def test_bands_must_rise_within_the_matrix():
    with pytest.raises(ValueError):
        r.Matrix(5, 5, amber_from=10, red_from=8)
    with pytest.raises(ValueError):
        r.Matrix(5, 5, amber_from=5, red_from=30)


def test_grid_from_highest_likelihood_down():
    grid = r.grid(M)
    assert grid[0][0] == (5, 1, 5, r.AMBER)
    assert grid[-1][-1] == (1, 5, 5, r.AMBER)
    assert grid[0][-1] == (5, 5, 25, r.RED)


def test_target_worse_than_current():
    assert r.target_worse_than_current(M, (2, 2), (3, 3))
    assert not r.target_worse_than_current(M, (3, 3), (2, 2))
    assert not r.target_worse_than_current(M, (None, None), (3, 3))
