"""XmR charts for many series at once (numpy), exactly equal to `variation.xmr` point for point.

`indicators.analytics.variation.xmr` is the reference and states the rules; this module lays every
series end to end in flat arrays, each segment (a series, or its part from a rebase) a group, and
applies the same rules with array operations instead of a Python loop per point. The full
recompute charts 1,000 series of 120 points: the per-point loops were a fifth of its CPU time.

Exactness: everything that could differ in the last bit is done the reference's way. The centre
line and mR-bar of each segment come from the same Python expressions (`sum` of Python floats,
which compensates its rounding, then `variation._average_moving_range`), one call per segment;
the limits are those scalars combined as the reference combines them. What is done on arrays is
only what IEEE arithmetic makes identical element by element: differences, absolute values and
comparisons of float64. Runs (trends, shifts, sustained shifts) are run lengths over the segment,
never crossing a segment boundary. tests/indicators/analytics/test_variation_bulk.py compares
every per-point list with `xmr` on random series (Hypothesis) and on the demo council.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from .constants import (
    COMMON_CAUSE,
    NEUTRAL,
    NO_VARIATION,
    RULE_OUTSIDE_LIMITS,
    RULE_SHIFT,
    RULE_TREND,
    RULE_TWO_OF_THREE,
    SPECIAL_CONCERNING,
    SPECIAL_IMPROVING,
    SPECIAL_NEUTRAL,
    UP_IS_GOOD,
)
from .rag import check_polarity
from .variation import (
    LIMIT_SIGMA,
    MIN_BASELINE_FOR_FIRM_LIMITS,
    NEAR_LIMIT_SIGMA,
    RUN_LENGTH,
    _average_moving_range,
    _segments,
)

# The rule that fired, by the code `xmr_many` gives it (0: none), in precedence order.
RULE_BY_CODE = np.array([None, RULE_OUTSIDE_LIMITS, RULE_TREND, RULE_TWO_OF_THREE, RULE_SHIFT], dtype=object)


@dataclass(frozen=True)
class Series:
    """One series to chart: `xmr`'s arguments (no target: the assurance is the caller's)."""

    values: Sequence[float]
    polarity: str
    baseline_points: int | None = None
    rebase_at: Iterable[int] | None = None
    dismissed_shift_starts: Iterable[int] = ()


@dataclass
class Charts:
    """Per point of every series, end to end (series ``k`` is ``offsets[k]:offsets[k + 1]``).

    Floats are NaN where `xmr` gives None (no limits, or no moving range); ``shift_start`` is the
    index within the point's own series, -1 for None; ``trial`` is per point: whether the point's
    segment has fewer than 13 baseline points (`xmr` reports it for the latest segment only).
    """

    offsets: np.ndarray
    values: np.ndarray
    mean: np.ndarray
    upper_limit: np.ndarray
    lower_limit: np.ndarray
    upper_near: np.ndarray
    lower_near: np.ndarray
    moving_range: np.ndarray
    average_moving_range: np.ndarray
    special_cause: np.ndarray
    rule: np.ndarray
    side: np.ndarray
    variation: np.ndarray
    shift_start: np.ndarray
    trial: np.ndarray
    has_limits: np.ndarray


def _run_ending_here(key: np.ndarray, new_group: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per point: how many consecutive equal ``key`` values end here, and the run's full length.

    A run never continues across a point where ``new_group`` is True (a segment's first point).
    """
    n = len(key)
    starts_run = new_group.copy()
    starts_run[1:] |= key[1:] != key[:-1]
    starts = np.flatnonzero(starts_run)
    run = np.cumsum(starts_run) - 1
    lengths = np.diff(np.append(starts, n))
    return np.arange(n) - starts[run] + 1, lengths[run]


def xmr_many(series: Sequence[Series]) -> Charts:
    """`xmr` for every series in ``series``, as flat arrays (see `Charts`).

    Raises as `xmr` does (bad polarity, baseline_points < 1, non-finite values, a rebase index
    outside its series).
    """
    sizes = [len(s.values) for s in series]
    offsets = np.zeros(len(series) + 1, dtype=np.int64)
    np.cumsum(sizes, out=offsets[1:])
    n = int(offsets[-1])
    values: list[float] = []
    seg_bounds: list[tuple[int, int, int, str]] = []  # global start, end, baseline size, polarity
    for offset, s in zip(offsets.tolist(), series, strict=False):
        check_polarity(s.polarity)
        if s.baseline_points is not None and s.baseline_points < 1:
            raise ValueError("baseline_points must be at least 1")
        ys = [float(v) for v in s.values]
        values.extend(ys)
        if not ys:
            continue
        starts = _segments(len(ys), s.rebase_at)
        for start, end in zip(starts, starts[1:] + [len(ys)], strict=True):
            size = min(s.baseline_points or end - start, end - start)
            seg_bounds.append((offset + start, offset + end, size, s.polarity))
    ys = np.array(values, dtype=np.float64)
    if not np.isfinite(ys).all():
        raise ValueError("values must be finite numbers (drop missing periods before calling)")

    nan = np.full(n, np.nan)
    mean, upper, lower, upper_near, lower_near, mr_bar = (nan.copy() for _ in range(6))
    new_segment = np.zeros(n, dtype=bool)
    trial = np.zeros(n, dtype=bool)
    good_up = np.zeros(n, dtype=bool)
    neutral = np.zeros(n, dtype=bool)
    seg_first = np.zeros(n, dtype=np.int64)  # each point's segment start (global index)
    for start, end, size, polarity in seg_bounds:
        new_segment[start] = True
        seg_first[start:end] = start
        trial[start:end] = size < MIN_BASELINE_FOR_FIRM_LIMITS
        good_up[start:end] = polarity == UP_IS_GOOD
        neutral[start:end] = polarity == NEUTRAL
        if size < 2:
            continue
        baseline = values[start : start + size]
        centre = sum(baseline) / len(baseline)  # exactly the reference's expressions
        bar = _average_moving_range(baseline)
        mean[start:end], mr_bar[start:end] = centre, bar
        upper[start:end], lower[start:end] = centre + LIMIT_SIGMA * bar, centre - LIMIT_SIGMA * bar
        upper_near[start:end] = centre + NEAR_LIMIT_SIGMA * bar
        lower_near[start:end] = centre - NEAR_LIMIT_SIGMA * bar
    has_limits = ~np.isnan(mean)

    moving_range = nan.copy()
    moves = np.zeros(n, dtype=np.int64)  # sign of the step from the previous point of the segment
    if n > 1:
        step = ys[1:] - ys[:-1]
        inner = ~new_segment[1:]
        moving_range[1:] = np.where(inner, np.abs(step), np.nan)
        moves[1:] = np.where(inner, np.sign(step), 0).astype(np.int64)

    with np.errstate(invalid="ignore"):
        outside = np.where(ys > upper, 1, np.where(ys < lower, -1, 0))
        near = np.where(ys > upper_near, 1, np.where(ys < lower_near, -1, 0))
        sides = np.sign(ys - mean)
    sides = np.where(has_limits, sides, 0).astype(np.int64)

    # Trend: runs of 6+ equal moves; a point takes the direction of the run its next move is in
    # (a turning point shared by two trends takes the later one's), else of its own move's run.
    moved, move_runs = _run_ending_here(moves, new_segment)
    in_trend = np.where((moves != 0) & (move_runs >= RUN_LENGTH - 1), moves, 0)
    following = np.append(in_trend[1:], 0)
    trend = np.where(following != 0, following, in_trend)

    # Two of three: windows of three points of one segment, all strictly on one side of the mean,
    # two or three of them beyond that side's near limit; those beyond are marked.
    window_ok = {1: np.zeros(n, dtype=bool), -1: np.zeros(n, dtype=bool)}
    if n > 2:
        whole = seg_first[:-2] == seg_first[2:]
        for side, ok in window_ok.items():
            beyond = (near == side).astype(np.int64)
            count = beyond[:-2] + beyond[1:-1] + beyond[2:]
            same = (sides[:-2] == side) & (sides[1:-1] == side) & (sides[2:] == side)
            ok[:-2] = whole & same & (count >= 2)
    two_of_three = np.zeros(n, dtype=np.int64)
    for side, ok in window_ok.items():
        covered = ok.copy()
        covered[1:] |= ok[:-1]
        covered[2:] |= ok[:-2]
        two_of_three = np.where((near == side) & covered, side, two_of_three)

    # Shift: runs of 7+ points on one side (a point on the mean breaks a run).
    same_side, side_runs = _run_ending_here(sides, new_segment)
    shift = np.where((sides != 0) & (side_runs >= RUN_LENGTH), sides, 0)

    # Sustained shift: the same-side run ending here (7+), else the trend ending here (6+ moves).
    index = np.arange(n)
    side_start = np.where((sides != 0) & (same_side >= RUN_LENGTH), index - same_side + 1, -1)
    trend_start = np.where((moves != 0) & (moved >= RUN_LENGTH - 1), index - moved, -1)
    begun = np.where(side_start >= 0, side_start, trend_start)
    sustained = has_limits & (begun > seg_first)
    series_of = np.repeat(np.arange(len(series)), sizes)
    shift_start = np.where(sustained, begun - offsets[:-1][series_of], -1)
    for k, s in enumerate(series):
        dismissed = set(s.dismissed_shift_starts)
        if dismissed:
            part = shift_start[offsets[k] : offsets[k + 1]]
            part[np.isin(part, list(dismissed))] = -1

    # Precedence: outside the limits, trend, two of three, shift (the first that fired).
    fired = np.select([outside != 0, trend != 0, two_of_three != 0, shift != 0], [1, 2, 3, 4], 0)
    fired[~has_limits] = 0
    side = np.choose(fired, [np.zeros(n, dtype=np.int64), outside, trend, two_of_three, shift])
    rule = RULE_BY_CODE[fired]
    special = side != 0
    judged = np.where((side > 0) == good_up, SPECIAL_IMPROVING, SPECIAL_CONCERNING).astype(object)
    judged[neutral] = SPECIAL_NEUTRAL
    variation = np.where(special, judged, COMMON_CAUSE).astype(object)
    variation[~has_limits] = NO_VARIATION
    return Charts(
        offsets=offsets,
        values=ys,
        mean=mean,
        upper_limit=upper,
        lower_limit=lower,
        upper_near=upper_near,
        lower_near=lower_near,
        moving_range=moving_range,
        average_moving_range=mr_bar,
        special_cause=special,
        rule=rule,
        side=side,
        variation=variation,
        shift_start=shift_start,
        trial=trial,
        has_limits=has_limits,
    )


__all__ = ["Charts", "Series", "xmr_many"]
