"""Risk scores and ratings on a likelihood × impact matrix (pure: no Django).

Score = likelihood × impact (1–25 on the default 5 × 5 matrix). The matrix's bands turn a score
into a RAG rating: green below `amber_from`, red from `red_from`, amber between. A risk with no
likelihood or impact is "to be scored" (e.g. imported from a workbook that held only a RAG).
"""

from dataclasses import dataclass

GREEN, AMBER, RED = "green", "amber", "red"
TO_BE_SCORED = "to_be_scored"
RATING_LABELS = {GREEN: "Green", AMBER: "Amber", RED: "Red", TO_BE_SCORED: "To be scored"}


@dataclass(frozen=True)
class Matrix:
    likelihood_levels: int = 5
    impact_levels: int = 5
    amber_from: int = 5
    red_from: int = 15

    def __post_init__(self):
        if self.likelihood_levels < 2 or self.impact_levels < 2:
            raise ValueError("A matrix needs at least two levels of likelihood and of impact.")
        if not (1 < self.amber_from < self.red_from <= self.max_score):
            raise ValueError("Bands must rise: 1 < amber from < red from ≤ the highest score.")

    @property
    def max_score(self) -> int:
        return self.likelihood_levels * self.impact_levels


DEFAULT_MATRIX = Matrix()


def check_rating(matrix: Matrix, likelihood: int | None, impact: int | None) -> str | None:
    """An error message when the pair is not a rating on this matrix; None when it is (or is blank)."""
    if likelihood is None and impact is None:
        return None
    if likelihood is None or impact is None:
        return "Give both the likelihood and the impact, or neither (to be scored)."
    if not 1 <= likelihood <= matrix.likelihood_levels:
        return f"Likelihood is from 1 to {matrix.likelihood_levels} on this matrix."
    if not 1 <= impact <= matrix.impact_levels:
        return f"Impact is from 1 to {matrix.impact_levels} on this matrix."
    return None


def score(matrix: Matrix, likelihood: int | None, impact: int | None) -> int | None:
    if check_rating(matrix, likelihood, impact) is not None:
        raise ValueError(check_rating(matrix, likelihood, impact))
    if likelihood is None:
        return None
    return likelihood * impact


def rating(matrix: Matrix, likelihood: int | None, impact: int | None) -> str:
    """GREEN / AMBER / RED, or TO_BE_SCORED when the risk has no score."""
    value = score(matrix, likelihood, impact)
    if value is None:
        return TO_BE_SCORED
    if value >= matrix.red_from:
        return RED
    if value >= matrix.amber_from:
        return AMBER
    return GREEN


def band_of_score(matrix: Matrix, value: int) -> str:
    return RED if value >= matrix.red_from else AMBER if value >= matrix.amber_from else GREEN


def grid(matrix: Matrix) -> list[list[tuple[int, int, int, str]]]:
    """Rows from the highest likelihood down: (likelihood, impact, score, rating) per cell."""
    return [
        [(li, im, li * im, band_of_score(matrix, li * im)) for im in range(1, matrix.impact_levels + 1)]
        for li in range(matrix.likelihood_levels, 0, -1)
    ]


def target_worse_than_current(matrix: Matrix, current: tuple, target: tuple) -> bool:
    """The target score is higher than the current one (both scored)."""
    if None in current or None in target:
        return False
    return target[0] * target[1] > current[0] * current[1]


def review_overdue(review_date, today) -> bool:
    return review_date is not None and review_date < today
