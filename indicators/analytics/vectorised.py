"""RAG and direction of travel for every series at once (pandas/numpy), equal to `assess_series`.

Pure (no Django). `indicators.analytics.series.assess_series` is the reference: this module must
give exactly its answers, point for point (tests/indicators/assessments/
test_vectorised_equivalence.py checks it with Hypothesis and on the demo council).

Exactness: the scalar rules compare in Decimal so that a value exactly on a boundary is amber,
never red by float error. Here every value, target, tolerance and threshold is turned into an
exact integer count of ten-thousandths (stored values have 4 decimal places) and the boundary
tests are done on those integers, with percentages multiplied out rather than divided:

* percent tolerance, up is good: amber iff ``act >= tgt - tol·|tgt|/100``, i.e. in ten-thousandths
  ``10⁶·(A − T) >= −L·|T|``; up is bad: ``10⁶·(A − T) <= L·|T|``;
* absolute tolerance: ``A − T >= −L`` (up is good), ``A − T <= L`` (up is bad);
* no significant change: ``|C − P| <= Th`` (absolute) or ``10⁶·|C − P| <= Th·|P|`` (percent).

The arithmetic is int64 when no intermediate can exceed it (`_int64_is_exact`: twice the largest
value or target times the largest multiplier, 10⁶ or a tolerance or threshold, below 2⁶³ — every
realistic council), else Python ints in numpy object arrays, which never overflow: the same
formulas on either, so the same answers (the equivalence test runs both). Whatever this
module cannot reproduce exactly is left to the reference, indicator by indicator (`assess_frames`
returns their ids): indicators that compare across period kinds, configurations the scalar code
rejects (it raises, and still does), values that are not whole ten-thousandths, duplicate
periods, and magnitudes where Decimal's 28-digit context would itself round.
"""

import datetime
from collections.abc import Mapping
from decimal import Decimal

import numpy as np
import pandas as pd

from .constants import (
    ABSOLUTE,
    AMBER,
    BAD,
    GOOD,
    GREEN,
    MEASURE_SNAPSHOT,
    MEASURE_YTD,
    MONTH,
    NEUTRAL,
    NO_RAG,
    NOT_COMPARABLE,
    PERCENT,
    POLARITIES,
    QUARTER,
    RED,
    SAME,
    UP_IS_GOOD,
    YEAR,
)
from .direction import _shift_months
from .series import FREQUENCY_KIND, IndicatorRules, PointAssessment

SCALE = 10_000  # stored values have 4 decimal places
KIND_MONTHS = {MONTH: 1, QUARTER: 3, YEAR: 12}
_KIND_CODE = {MONTH: 0, QUARTER: 1, YEAR: 2}  # in `_period_key`s: codes 0, 1, 2 in this order
# Beyond this a product in Decimal's default 28-digit context could be rounded: leave it to the reference.
EXACT_LIMIT = 10**27

COLUMNS = [
    "indicator_id",
    "kind",
    "start",
    "value",
    "target",
    "rag",
    "direction",
    "comparator_kind",
    "comparator_start",
    "comparator_value",
    "is_latest",
]


def scaled(value) -> int | None:
    """``value`` in ten-thousandths as an exact int; None when that is not exact (or not a Decimal/int)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value * SCALE
    if not isinstance(value, Decimal) or not value.is_finite():
        return None
    number = value.scaleb(4)
    whole = number.to_integral_value()
    return int(whole) if whole == number else None


def _rules_ok(rules: IndicatorRules) -> tuple[int, int | None] | None:
    """(scaled tolerance, scaled threshold) when the vectorised rules apply exactly, else None."""
    if rules.compare_across_period_kinds or rules.polarity not in POLARITIES:
        return None
    if rules.tolerance_kind not in (PERCENT, ABSOLUTE):
        return None
    tol = scaled(rules.tolerance)
    if tol is None or tol < 0:
        return None
    if rules.change_threshold is None:
        return tol, None
    if rules.change_threshold_kind not in (PERCENT, ABSOLUTE):
        return None
    threshold = scaled(rules.change_threshold)
    if threshold is None or threshold < 0:
        return None
    return tol, threshold


def _annual_applies(rules: IndicatorRules) -> bool:
    if rules.measure_type == MEASURE_YTD:
        return False
    return rules.measure_type == MEASURE_SNAPSHOT or rules.unit in {"percentage", "ratio"}


def _fy_start(day: datetime.date) -> datetime.date:
    return datetime.date(day.year if day.month >= 4 else day.year - 1, 4, 1)


def _ints(values) -> np.ndarray:
    """An object array of Python ints (exact, never overflows)."""
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


def _int64(values) -> np.ndarray:
    """The same integers in int64: exact only where `_int64_is_exact` said so."""
    return np.array(list(values), dtype=np.int64)


def _int64_is_exact(biggest: int, factor: int) -> bool:
    """Whether every intermediate of the rules fits in int64, so that int64 gives the exact answers.

    ``biggest``: the largest |value| or |target| in ten-thousandths; ``factor``: the largest
    multiplier the rules apply to a value or a difference of two (10⁶ for a percentage, or a
    tolerance or threshold in ten-thousandths). The largest intermediate is a difference of two
    values times the factor: at most ``2 · biggest · factor``.
    """
    return 2 * biggest * factor < 2**63


def _scaled_all(values) -> list[int | None]:
    """`scaled` of each value, each distinct value converted once.

    Exact: `scaled` of a Decimal depends only on its numeric value, and equal Decimals (82.1 and
    82.1000) are one value to `pd.factorize`. Only when every value is a Decimal: equal values of
    other types (1, True, 1.0) scale differently, so a mixture goes through `scaled` one by one.
    A column's own object array is factorised as it is (`np.array` of 120,000 Decimals took as
    long as the factorising, inspecting each one for a nested sequence).
    """
    if isinstance(values, pd.Series):
        values = values.to_numpy(dtype=object)
    else:
        values = np.fromiter(values, dtype=object)
    if set(map(type, values)) != {Decimal}:
        return [scaled(v) for v in values]
    try:
        codes, uniques = pd.factorize(values)  # a NaN is code -1: not scaled
    except TypeError:  # a signalling NaN cannot be hashed
        return [scaled(v) for v in values]
    numbers = np.empty(len(uniques) + 1, dtype=object)
    numbers[:-1] = [scaled(v) for v in uniques]
    numbers[-1] = None
    return numbers[codes].tolist()


def _kind_codes(kinds: np.ndarray) -> np.ndarray:
    """Each period kind's `_KIND_CODE` (every kind is one of them), looked up once per kind."""
    codes, uniques = pd.factorize(kinds)
    return np.array([_KIND_CODE[k] for k in uniques], dtype=np.int64)[codes]


def _period_key(indicator_ids: np.ndarray, kind_codes, ordinals: np.ndarray) -> np.ndarray:
    """One int64 per (indicator, kind, start), equal exactly when all three are: the indicator id,
    then the kind's code (2 bits), then the start's proleptic ordinal (22 bits: any date)."""
    return (indicator_ids << 24) | (np.asarray(kind_codes, dtype=np.int64) << 22) | ordinals


def _looked_up(frame: pd.DataFrame, positions: np.ndarray, columns: list[str]) -> pd.DataFrame:
    """``frame``'s ``columns`` at ``positions`` (-1: not found, None there), as a left merge gives."""
    found = positions >= 0
    out = {}
    for column in columns:
        values = frame[column].to_numpy(dtype=object)
        taken = np.empty(len(positions), dtype=object)
        taken[found] = values[positions[found]]
        out[column] = taken
    return pd.DataFrame(out)


def assess_frames(
    rules_by_id: Mapping[int, IndicatorRules], results: pd.DataFrame, targets: pd.DataFrame
) -> tuple[pd.DataFrame, set[int]]:
    """RAG and direction of travel for every result of every indicator in ``rules_by_id``.

    ``results``: columns indicator_id, kind, start, end, value (Decimal); ``targets``: indicator_id,
    kind, start, value (Decimal). Returns (frame, fallback ids): one row per result of the
    indicators done here, in `COLUMNS`, ordered by indicator then as `assess_series` orders them
    (start, kind); and the ids of indicators left to `assess_series`.
    """
    res = results.loc[
        results["indicator_id"].isin(list(rules_by_id)), ["indicator_id", "kind", "start", "end", "value"]
    ]
    res = res.reset_index(drop=True)
    res["order"] = np.arange(len(res))
    ids = pd.unique(res["indicator_id"])

    fallback: set[int] = set()
    config = {}
    for ident in ids:
        ok = _rules_ok(rules_by_id[ident])
        if ok is None:
            fallback.add(ident)
        else:
            config[ident] = ok

    res["scaled"] = pd.Series(_scaled_all(res["value"]), index=res.index, dtype=object)
    bad = res["scaled"].isna() | ~res["kind"].isin(list(KIND_MONTHS))
    bad |= res.duplicated(["indicator_id", "kind", "start"], keep=False)
    fallback.update(res.loc[bad, "indicator_id"].unique().tolist())

    tgt = targets.loc[
        targets["indicator_id"].isin(list(rules_by_id)), ["indicator_id", "kind", "start", "value"]
    ]
    # A dict built from the rows keeps the last of any duplicate key: so does this.
    tgt = tgt.drop_duplicates(["indicator_id", "kind", "start"], keep="last").reset_index(drop=True)
    tgt["t_scaled"] = pd.Series(_scaled_all(tgt["value"]), index=tgt.index, dtype=object)
    fallback.update(tgt.loc[tgt["t_scaled"].isna(), "indicator_id"].unique().tolist())
    tgt = tgt.rename(columns={"value": "t_value"})

    # Magnitude guard (see EXACT_LIMIT): tolerance x |target| and threshold x |value| stay exact.
    if len(res):
        biggest = res.loc[~bad].assign(a=lambda f: f["scaled"].map(abs)).groupby("indicator_id")["a"].max()
        big_t = tgt.dropna(subset=["t_scaled"]).assign(a=lambda f: f["t_scaled"].map(abs))
        big_t = big_t.groupby("indicator_id")["a"].max()
        biggest, big_t = biggest.to_dict(), big_t.to_dict()  # `Series.get` costs 15 µs a call
        for ident, (tol, threshold) in config.items():
            size = max(int(biggest.get(ident, 0)), int(big_t.get(ident, 0)), 1)
            if size * max(tol, threshold or 0, SCALE) >= EXACT_LIMIT:
                fallback.add(ident)

    res = res.loc[~res["indicator_id"].isin(fallback)].reset_index(drop=True)
    tgt = tgt.loc[~tgt["indicator_id"].isin(fallback)]
    if res.empty:
        return pd.DataFrame(columns=COLUMNS), fallback

    # Plain int64 arithmetic when nothing can overflow it (every council's figures so far), else
    # Python ints in object arrays: the same formulas either way, so the same answers.
    # The largest |value| or |target| left: from the per-indicator maxima above (`res` is not
    # empty, so they were worked out), not another pass over every row.
    biggest = max(
        (int(size) for ident, size in (*biggest.items(), *big_t.items()) if ident not in fallback), default=0
    )
    factor = max([1_000_000, *(max(tol, threshold or 0) for tol, threshold in config.values())])
    ints = _int64 if _int64_is_exact(biggest, factor) else _ints

    ident_col = res["indicator_id"]
    # Each indicator's settings worked out once and spread over its rows by position (not a
    # Python call per row).
    codes, uniques = pd.factorize(ident_col)
    rules_of = [rules_by_id[i] for i in uniques]

    def per_row(values, dtype=object) -> np.ndarray:
        column = np.empty(len(values), dtype=dtype)
        column[:] = values
        return column[codes]

    polarity = per_row([r.polarity for r in rules_of])
    tol_kind = per_row([r.tolerance_kind for r in rules_of])
    tol = ints(per_row([config[i][0] for i in uniques]))
    has_threshold = per_row([config[i][1] is not None for i in uniques], bool)
    threshold = ints(per_row([config[i][1] or 0 for i in uniques]))
    threshold_kind = per_row([r.change_threshold_kind for r in rules_of])
    annual = per_row([_annual_applies(r) for r in rules_of], bool)
    yearly = per_row([r.measure_type == MEASURE_YTD or r.seasonal for r in rules_of], bool)
    own_kind = per_row([FREQUENCY_KIND.get(r.frequency) for r in rules_of])
    kinds = res["kind"].to_numpy(dtype=object)

    # --- target: the period's own, else (where it applies) the financial year's ---------------
    # Looked up by one int64 key per (indicator, kind, start) (`_period_key`), not by merging on
    # the three object columns: hashing dates and strings row by row was most of a merge's time.
    # Each distinct start's ordinal, financial year and comparators are worked out once.
    ids = ident_col.to_numpy(dtype=np.int64)
    kind_codes = _kind_codes(kinds)
    start_codes, start_uniques = pd.factorize(res["start"].to_numpy(dtype=object))
    start_ordinal = np.array([d.toordinal() for d in start_uniques], dtype=np.int64)[start_codes]
    res_keys = _period_key(ids, kind_codes, start_ordinal)
    tgt = tgt.loc[tgt["kind"].isin(list(_KIND_CODE))].reset_index(drop=True)  # no result of another kind
    tgt_index = pd.Index(
        _period_key(
            tgt["indicator_id"].to_numpy(dtype=np.int64),
            _kind_codes(tgt["kind"].to_numpy(dtype=object)),
            np.array([d.toordinal() for d in tgt["start"].tolist()], dtype=np.int64),
        )
    )
    own = _looked_up(tgt, tgt_index.get_indexer(res_keys), ["t_value", "t_scaled"])
    year_ordinal = np.array([_fy_start(d).toordinal() for d in start_uniques], dtype=np.int64)
    year_keys = _period_key(ids, _KIND_CODE[YEAR], year_ordinal[start_codes])
    # Only year targets have a YEAR key, so the same index finds them.
    yearly_t = _looked_up(tgt, tgt_index.get_indexer(year_keys), ["t_value", "t_scaled"])
    has_own = own["t_scaled"].notna().to_numpy()
    use_year = ~has_own & (kinds != YEAR) & annual & yearly_t["t_scaled"].notna().to_numpy()
    has_target = has_own | use_year
    t_value = np.where(
        has_own, own["t_value"].to_numpy(dtype=object), yearly_t["t_value"].to_numpy(dtype=object)
    )
    t_value = np.where(has_target, t_value, None)
    t_scaled = np.where(
        has_own, own["t_scaled"].to_numpy(dtype=object), yearly_t["t_scaled"].to_numpy(dtype=object)
    )
    t_scaled = ints(np.where(has_target, t_scaled, 0))

    # --- RAG -------------------------------------------------------------------------------
    a_scaled = ints(res["scaled"])
    diff = a_scaled - t_scaled
    percent = tol_kind == PERCENT
    band = np.where(percent, tol * np.abs(t_scaled), tol)
    lhs = np.where(percent, diff * 1_000_000, diff)
    good_up = polarity == UP_IS_GOOD
    green = np.where(good_up, diff >= 0, diff <= 0).astype(bool)
    amber = np.where(good_up, lhs >= -band, lhs <= band).astype(bool)
    rag = np.where(green, GREEN, np.where(amber, AMBER, RED)).astype(object)
    rag[(polarity == NEUTRAL) | ~has_target] = NO_RAG

    # --- comparator: previous period of the same kind, or a year earlier ------------------
    # The comparator's start for each distinct start and each step back (1, 3 or 12 months).
    steps = (1, 3, 12)
    step_of_kind = np.array([steps.index(KIND_MONTHS[k]) for k in _KIND_CODE])  # by kind code
    step = np.where(yearly, steps.index(12), step_of_kind[kind_codes])
    back = [[_shift_months(d, -months) for months in steps] for d in start_uniques]
    back_start = np.empty((len(start_uniques), len(steps)), dtype=object)
    back_start[:] = back
    back_ordinal = np.array([[d.toordinal() for d in row] for row in back], dtype=np.int64)
    comp_starts = back_start[start_codes, step]
    # `res` has no two rows of one (indicator, kind, start): those indicators were left out above.
    prev = _looked_up(
        res,
        pd.Index(res_keys).get_indexer(_period_key(ids, kind_codes, back_ordinal[start_codes, step])),
        ["value", "scaled"],
    )
    has_comp = prev["scaled"].notna().to_numpy()
    p_scaled = ints(prev["scaled"].fillna(0))
    change = a_scaled - p_scaled
    size = np.abs(change)
    t_percent = threshold_kind == PERCENT
    within = np.where(t_percent, size * 1_000_000 <= threshold * np.abs(p_scaled), size <= threshold)
    same = (change == 0).astype(bool) | (has_threshold & within.astype(bool))
    rising = (change > 0).astype(bool)
    direction = np.where(rising == good_up, GOOD, BAD).astype(object)
    direction[same | (polarity == NEUTRAL)] = SAME
    direction[~has_comp] = NOT_COMPARABLE

    # --- latest: latest end; on a tie the indicator's own frequency, then the latest start ---
    # `max` keeps the first of equal keys, so among exact ties the earliest row wins. Sorted by
    # numpy on integer keys (dates as ordinals), as the stable sort of these columns orders them.
    end_codes, end_uniques = pd.factorize(res["end"].to_numpy(dtype=object))
    end_ordinal = np.array([d.toordinal() for d in end_uniques], dtype=np.int64)[end_codes]
    own_frequency = (kinds == own_kind).astype(bool)
    by_latest = np.lexsort((-res["order"].to_numpy(), start_ordinal, own_frequency, end_ordinal, ids))
    last_of_indicator = np.ones(len(by_latest), dtype=bool)
    last_of_indicator[:-1] = ids[by_latest][1:] != ids[by_latest][:-1]
    is_latest = np.zeros(len(res), dtype=bool)
    is_latest[by_latest[last_of_indicator]] = True

    # Rows by indicator, start, then kind (month < quarter < year: their codes' order too).
    rows = np.lexsort((kind_codes, start_ordinal, ids))

    def column(values) -> pd.Series:
        # dtype object, so that None stays None (pandas would make text columns `str`, None NaN).
        return pd.Series(np.asarray(values, dtype=object)[rows], dtype=object)

    out = pd.DataFrame(
        {
            "indicator_id": ids[rows],
            "kind": column(kinds),
            "start": column(res["start"].to_numpy(dtype=object)),
            "value": column(res["value"].to_numpy(dtype=object)),
            "target": column(t_value),
            "rag": column(rag),
            "direction": column(direction),
            "comparator_kind": column(np.where(has_comp, kinds, None)),
            "comparator_start": column(np.where(has_comp, comp_starts, None)),
            "comparator_value": column(np.where(has_comp, prev["value"].to_numpy(dtype=object), None)),
            "is_latest": is_latest[rows],
        }
    )
    return out[COLUMNS], fallback


def point_assessments(frame: pd.DataFrame) -> dict[int, list[PointAssessment]]:
    """The frame from `assess_frames` as `assess_series` would return it, per indicator."""
    out: dict[int, list[PointAssessment]] = {}
    for row in frame.itertuples(index=False):
        comparator = (row.comparator_kind, row.comparator_start) if row.comparator_kind is not None else None
        out.setdefault(row.indicator_id, []).append(
            PointAssessment(
                key=(row.kind, row.start),
                value=row.value,
                target=row.target,
                rag=row.rag,
                direction=row.direction,
                comparator=comparator,
                comparator_value=row.comparator_value,
                is_latest=bool(row.is_latest),
            )
        )
    return out


__all__ = ["COLUMNS", "assess_frames", "point_assessments", "scaled"]
