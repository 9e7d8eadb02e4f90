"""Benchmarking: where a council's value sits among its comparator group.

Polarity decides which end is best: rank 1 is the highest value for up is good
and the lowest for up is bad. Neutral polarity has no best end, so values are
ranked highest first for display but no quartile (a judgement) is given.
"""

import math
from collections.abc import Iterable
from decimal import Decimal

from ._numbers import to_decimal
from .constants import NEUTRAL, UP_IS_BAD
from .rag import check_polarity

Value = int | float | Decimal
MIN_GROUP_FOR_QUARTILES = 4


def rank_and_quartile(
    own_value: Value | None, comparator_values: Iterable[Value | None], polarity: str
) -> tuple[int | None, int, int | None]:
    """(rank, n, quartile) of ``own_value`` in a group of itself plus the comparators.

    ``comparator_values`` are the *other* councils' values (None entries, i.e. no
    return, are dropped); ``n`` counts them plus our own. Ties share the better
    rank (1 + the number of strictly better values), as in a league table: two
    councils equal best are both 1st. Quartile 1 is the best quarter, from the
    rank's position: ``ceil(4 x rank / n)``; it is None for groups of fewer than
    4 councils, where quarters mean nothing (alone, the formula would say "bottom
    quartile" for being 1st of 1). Without an own value the rank and
    quartile are None and ``n`` counts the comparators only.
    """
    check_polarity(polarity)
    others = [to_decimal(v, "comparator value") for v in comparator_values if v is not None]
    if own_value is None:
        return None, len(others), None
    own = to_decimal(own_value, "own value")
    if polarity == UP_IS_BAD:
        better = sum(1 for v in others if v < own)
    else:  # up is good; neutral is ordered the same way, highest first
        better = sum(1 for v in others if v > own)
    rank, n = better + 1, len(others) + 1
    if polarity == NEUTRAL or n < MIN_GROUP_FOR_QUARTILES:
        return rank, n, None
    return rank, n, math.ceil(4 * rank / n)
