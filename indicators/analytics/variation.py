"""XmR (individuals and moving range) charts: the NHS "Making Data Count" method.

Direction of travel compares two points and so over-reacts to noise. An XmR
chart asks instead whether the latest value is within the range the process
normally produces ("common cause") or shows a signal ("special cause").
Reference implementation: the R package NHSRplotthedots (``ptd_spc_standard``).

Per segment (all points, or a new segment from each rebase index):

* centre line = mean of the baseline points (all, or the first ``baseline_points``);
* moving ranges mR_i = |x_i - x_(i-1)| over the baseline; ranges >= 3.267 x
  mean(mR) are screened out (one pass, as NHSRplotthedots does) so a single
  step change does not widen the limits; mR-bar = mean of the rest;
* process limits = mean +/- 2.66 x mR-bar; near limits = mean +/- (2/3 x 2.66) x mR-bar.

Special-cause rules, in precedence order (a point flagged by several reports
the highest):

1. ``outside_limits``: the point is strictly beyond a process limit;
2. ``trend``: 7 consecutive points each strictly higher (or each strictly
   lower) than the one before -- 6 rises; every point in the run is marked. A
   point that ends one trend and starts another in the opposite direction (a
   peak or a trough shared by a rise and a fall) takes the later trend's
   direction;
3. ``two_of_three``: within 3 consecutive points, 2 (or 3) are strictly beyond
   the same near limit *and all three lie strictly on that side of the mean*
   (Making Data Count's rule: a neighbour across the mean, or on it, breaks it).
   A point beyond the process limit is beyond the near limit too, so it counts
   as near (as Making Data Count's own tool does since 2023). The points beyond
   the near limit are marked, not the other one;
4. ``shift``: 7 consecutive points on the same side of the mean; a point
   exactly on the mean breaks the run; every point in the run is marked.

Rules are applied within a segment, never across a rebase.

A **sustained shift** (DOMAIN.md "Variation"): a point that ends a run of 7 or more consecutive
points on the same side of the centre line, or a 7-point trend, shows a process that has left the
one its limits describe. ``shift_start[i]`` is the index where that run began (the start of the
same-side run; failing one, of the trend), within the point's segment and never at the segment's
own start (a rebase there would change nothing). The portal suggests a rebase from it, and until
the hub accepts or dismisses it the assurance is not judged (``LIMITS_PREDATE_CHANGE``): a target
compared with limits the process has left says nothing. ``dismissed_shift_starts`` lists the run
starts the hub dismissed: those are neither suggested again nor stop the assurance.

Polarity turns a signal into "improving" or "concerning": for up is good a
point above the mean, a rising trend or the upper near limit is improving; for
up is bad the reverse; neutral polarity gives "special cause" without judgement.

A constant baseline has mR-bar = 0, so the limits collapse onto the mean. No
division is involved, so nothing breaks: points equal to the mean are common
cause, and any later point that differs *is* outside the limits -- a change
after a perfectly stable run is a real signal.
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from .constants import (
    COMMON_CAUSE,
    CONSISTENTLY_FAILS,
    CONSISTENTLY_PASSES,
    HIT_AND_MISS,
    LIMITS_PREDATE_CHANGE,
    NEUTRAL,
    NO_VARIATION,
    RULE_OUTSIDE_LIMITS,
    RULE_SHIFT,
    RULE_TREND,
    RULE_TWO_OF_THREE,
    RULES,
    SPECIAL_CONCERNING,
    SPECIAL_IMPROVING,
    SPECIAL_NEUTRAL,
    UP_IS_GOOD,
)
from .rag import check_polarity

LIMIT_SIGMA = 2.66  # 3 / d2 with d2 = 1.128 for moving ranges of 2 points.
NEAR_LIMIT_SIGMA = 2 * LIMIT_SIGMA / 3
SCREEN_FACTOR = 3.267  # D4 for n = 2: the upper limit of the moving-range chart.
RUN_LENGTH = 7  # points in a trend or shift
MIN_BASELINE_FOR_FIRM_LIMITS = 13  # fewer baseline points -> trial limits

Value = int | float | Decimal


@dataclass
class XmRResult:
    """Per-point XmR chart data, plus the summary shown for the indicator.

    Per-point lists are the same length as the input values. Limits are None for
    a point whose segment has fewer than 2 baseline points. ``rule`` is the
    highest-precedence rule that fired (or None); ``side`` is +1 when the signal
    is high/rising, -1 low/falling, 0 for none.
    """

    values: list[float]
    mean: list[float | None]
    upper_limit: list[float | None]
    lower_limit: list[float | None]
    upper_near: list[float | None]
    lower_near: list[float | None]
    moving_range: list[float | None]
    average_moving_range: list[float | None]
    special_cause: list[bool]
    rule: list[str | None]
    side: list[int]
    variation: list[str]
    # Per point: the index where the sustained shift it ends began (see the module docstring), or None.
    shift_start: list[int | None] = field(default_factory=list)
    segment_starts: list[int] = field(default_factory=list)
    # True when the latest segment's baseline has fewer than 13 points.
    trial_limits: bool = True
    latest_variation: str = NO_VARIATION
    latest_rule: str | None = None
    # None without a target, for neutral polarity, or without limits; LIMITS_PREDATE_CHANGE while
    # the latest point ends a sustained shift that has not been dismissed.
    assurance: str | None = None
    # Index where the latest point's sustained shift began (None: no shift, or it was dismissed).
    latest_shift_start: int | None = None


def _segments(n: int, rebase_at: int | Iterable[int] | None) -> list[int]:
    """Sorted start indices of the segments (always includes 0)."""
    if rebase_at is None:
        starts = set()
    elif isinstance(rebase_at, int):
        starts = {rebase_at}
    else:
        starts = set(rebase_at)
    for start in starts:
        if not 0 <= start < n:
            raise ValueError(f"rebase index {start} is outside the series of {n} points")
    return sorted(starts | {0})


def _average_moving_range(baseline: Sequence[float]) -> float:
    """mR-bar after one pass of screening out moving ranges >= 3.267 x their mean."""
    ranges = [abs(b - a) for a, b in zip(baseline, baseline[1:], strict=False)]
    first_mean = sum(ranges) / len(ranges)
    if first_mean == 0:
        # Constant baseline: every range is 0, and screening "0 >= 0" would
        # discard them all (NHSRplotthedots then returns NaN). The honest answer is 0.
        return 0.0
    kept = [r for r in ranges if r < SCREEN_FACTOR * first_mean]
    return sum(kept) / len(kept)


def _sign(x: float) -> int:
    return (x > 0) - (x < 0)


def _mark_runs(flags: list[int], run_length: int) -> list[int]:
    """Given a per-point sign (+1, -1, 0), mark every point in a run of >= run_length equal non-zero signs."""
    out = [0] * len(flags)
    i = 0
    while i < len(flags):
        j = i
        while j + 1 < len(flags) and flags[j + 1] == flags[i]:
            j += 1
        if flags[i] != 0 and j - i + 1 >= run_length:
            out[i : j + 1] = [flags[i]] * (j - i + 1)
        i = j + 1
    return out


def _trend_sides(ys: Sequence[float]) -> list[int]:
    """+1/-1 for points in a run of 7 strictly rising/falling points (6 rises/falls)."""
    runs = []  # (first point, last point, direction) of every trend, in either direction
    for direction in (1, -1):
        # step[i] = direction when ys[i] moved that way from ys[i-1]; a run of 6
        # such steps ending at i covers points i-6 .. i.
        steps = [0] + [
            direction if _sign(b - a) == direction else 0 for a, b in zip(ys, ys[1:], strict=False)
        ]
        i = 1
        while i < len(ys):
            if steps[i] != direction:
                i += 1
                continue
            j = i
            while j + 1 < len(ys) and steps[j + 1] == direction:
                j += 1
            if j - i + 1 >= RUN_LENGTH - 1:
                runs.append((i - 1, j, direction))
            i = j + 1
    out = [0] * len(ys)
    # Two runs can share only their turning point (the last of one is the first of the other);
    # marking them in order of their start lets the later run's direction win there.
    for first, last, direction in sorted(runs):
        out[first : last + 1] = [direction] * (last - first + 1)
    return out


def _two_of_three_sides(near: list[int], sides: list[int]) -> list[int]:
    """+1/-1 for points beyond a near limit with a same-side partner within a window of 3.

    ``near``: per point +1/-1 beyond the upper/lower near limit (a point beyond the process limit
    included), else 0; ``sides``: per point the sign of (value - mean). A window counts only when
    all three of its points lie on the near points' side of the mean.
    """
    out = [0] * len(near)
    for start in range(len(near) - 2):
        window = near[start : start + 3]
        for side in (1, -1):
            if window.count(side) >= 2 and all(s == side for s in sides[start : start + 3]):
                for k in range(start, start + 3):
                    if near[k] == side:
                        out[k] = side
    return out


def _judge(side: int, polarity: str) -> str:
    if polarity == NEUTRAL:
        return SPECIAL_NEUTRAL
    return SPECIAL_IMPROVING if (side > 0) == (polarity == UP_IS_GOOD) else SPECIAL_CONCERNING


def _assurance(target: float, lower: float, upper: float, polarity: str) -> str:
    """Can the process as it stands meet the target?

    Up is good: a target at or below the lower limit is met by (nearly) every
    point -> passes; at or above the upper limit is (nearly) never met ->
    fails, the process itself must change; in between -> hit and miss.
    """
    if polarity == UP_IS_GOOD:
        if target <= lower:
            return CONSISTENTLY_PASSES
        return CONSISTENTLY_FAILS if target >= upper else HIT_AND_MISS
    if target >= upper:
        return CONSISTENTLY_PASSES
    return CONSISTENTLY_FAILS if target <= lower else HIT_AND_MISS


def assurance_for(target: Value, lower: float, upper: float, polarity: str) -> str | None:
    """Assurance of a target against given process limits; None for neutral polarity."""
    check_polarity(polarity)
    if polarity == NEUTRAL:
        return None
    return _assurance(float(target), lower, upper, polarity)


def _sustained_shift_starts(ys: Sequence[float], sides: Sequence[int]) -> list[int | None]:
    """Per point of one segment: the offset where the sustained shift it ends began, or None.

    A same-side run of 7 or more ending at the point (a point on the centre line breaks it) gives
    its first point; otherwise a trend of 7 or more points (6 strict rises or falls) ending there
    gives the trend's first point. A run that starts at the segment's first point gives None.
    """
    out: list[int | None] = [None] * len(ys)
    run = 0  # same-side points ending here
    steps = 0  # consecutive strict moves in one direction ending here
    step_sign = 0
    for i in range(len(ys)):
        run = run + 1 if i and sides[i] != 0 and sides[i] == sides[i - 1] else (1 if sides[i] else 0)
        move = _sign(ys[i] - ys[i - 1]) if i else 0
        steps = steps + 1 if move != 0 and move == step_sign else (1 if move else 0)
        step_sign = move
        if run >= RUN_LENGTH:
            start = i - run + 1
        elif steps >= RUN_LENGTH - 1:
            start = i - steps
        else:
            continue
        out[i] = start if start > 0 else None
    return out


def xmr(
    values: Sequence[Value],
    polarity: str,
    baseline_points: int | None = None,
    rebase_at: int | Iterable[int] | None = None,
    target: Value | None = None,
    dismissed_shift_starts: Iterable[int] = (),
) -> XmRResult:
    """Compute an XmR chart for ``values`` (oldest first, no gaps: drop None before calling).

    ``baseline_points``: fix the centre line and limits on the first N points of
    each segment (the rest are judged against them). ``rebase_at``: index (or
    indices) where a new segment with its own limits starts, e.g. from a chart
    annotation marking a process change. ``target`` enables the assurance.
    ``dismissed_shift_starts``: indices of sustained-shift starts the hub dismissed.
    """
    check_polarity(polarity)
    if baseline_points is not None and baseline_points < 1:
        raise ValueError("baseline_points must be at least 1")
    ys = [float(v) for v in values]
    if any(not math.isfinite(y) for y in ys):
        raise ValueError("values must be finite numbers (drop missing periods before calling)")
    n = len(ys)
    none: list[float | None] = [None] * n
    result = XmRResult(
        values=ys,
        mean=list(none),
        upper_limit=list(none),
        lower_limit=list(none),
        upper_near=list(none),
        lower_near=list(none),
        moving_range=list(none),
        average_moving_range=list(none),
        special_cause=[False] * n,
        rule=[None] * n,
        side=[0] * n,
        variation=[NO_VARIATION] * n,
        shift_start=[None] * n,
    )
    if n == 0:
        return result
    starts = _segments(n, rebase_at)
    result.segment_starts = starts
    for seg_start, seg_end in zip(starts, starts[1:] + [n], strict=True):
        baseline_len = _fill_segment(result, seg_start, seg_end, baseline_points, polarity)
        result.trial_limits = baseline_len < MIN_BASELINE_FOR_FIRM_LIMITS
    dismissed = set(dismissed_shift_starts)
    result.shift_start = [None if s in dismissed else s for s in result.shift_start]
    last = n - 1
    result.latest_variation = result.variation[last]
    result.latest_rule = result.rule[last]
    result.latest_shift_start = result.shift_start[last]
    lower, upper = result.lower_limit[last], result.upper_limit[last]
    if target is not None and polarity != NEUTRAL and lower is not None and upper is not None:
        if result.latest_shift_start is not None:
            result.assurance = LIMITS_PREDATE_CHANGE
        else:
            result.assurance = _assurance(float(target), lower, upper, polarity)
    return result


def _fill_segment(result: XmRResult, start: int, end: int, baseline_points: int | None, polarity: str) -> int:
    """Compute limits and signals for points start..end-1 in place; return the baseline size."""
    ys = result.values[start:end]
    for i in range(1, len(ys)):
        result.moving_range[start + i] = abs(ys[i] - ys[i - 1])
    baseline = ys[:baseline_points] if baseline_points else ys
    if len(baseline) < 2:
        return len(baseline)
    centre = sum(baseline) / len(baseline)
    mr_bar = _average_moving_range(baseline)
    upper, lower = centre + LIMIT_SIGMA * mr_bar, centre - LIMIT_SIGMA * mr_bar
    upper_near, lower_near = centre + NEAR_LIMIT_SIGMA * mr_bar, centre - NEAR_LIMIT_SIGMA * mr_bar

    outside = [1 if y > upper else -1 if y < lower else 0 for y in ys]
    near = [1 if y > upper_near else -1 if y < lower_near else 0 for y in ys]
    sides = [_sign(y - centre) for y in ys]
    rule_sides = {
        RULE_OUTSIDE_LIMITS: outside,
        RULE_TREND: _trend_sides(ys),
        RULE_TWO_OF_THREE: _two_of_three_sides(near, sides),
        RULE_SHIFT: _mark_runs(sides, RUN_LENGTH),
    }
    shift_starts = _sustained_shift_starts(ys, sides)
    for offset in range(len(ys)):
        i = start + offset
        if shift_starts[offset] is not None:
            result.shift_start[i] = start + shift_starts[offset]
        result.mean[i], result.average_moving_range[i] = centre, mr_bar
        result.upper_limit[i], result.lower_limit[i] = upper, lower
        result.upper_near[i], result.lower_near[i] = upper_near, lower_near
        result.variation[i] = COMMON_CAUSE
        for rule in RULES:  # precedence order
            side = rule_sides[rule][offset]
            if side:
                result.special_cause[i], result.rule[i], result.side[i] = True, rule, side
                result.variation[i] = _judge(side, polarity)
                break
    return len(baseline)


def xmr_latest(
    values: Sequence[Value], polarity: str, target: Value | None = None
) -> tuple[str, str | None, str | None]:
    """(variation, assurance, rule) of the latest point: what an indicator's summary shows."""
    result = xmr(values, polarity, target=target)
    return result.latest_variation, result.assurance, result.latest_rule
