"""String constants shared by the analytics functions and the Django models.

They are plain strings so models can use them directly as ``choices`` and so
values stored in the database stay readable.
"""

# --- Polarity: which direction of change is an improvement -----------------
UP_IS_GOOD = "up_is_good"
UP_IS_BAD = "up_is_bad"
NEUTRAL = "neutral"

POLARITIES = (UP_IS_GOOD, UP_IS_BAD, NEUTRAL)
POLARITY_LABELS = {
    UP_IS_GOOD: "Up is Good",
    UP_IS_BAD: "Up is Bad",
    NEUTRAL: "Neutral",
}

# --- RAG -------------------------------------------------------------------
GREEN = "green"
AMBER = "amber"
RED = "red"
# Neutral polarity or no target: contextual only, shown grey, never red.
NO_RAG = "none"
# Due and absent: a data-quality fact (late), not a judgement on performance.
MISSING = "missing"

RAG_LABELS = {
    GREEN: "Green",
    AMBER: "Amber",
    RED: "Red",
    NO_RAG: "No RAG",
    MISSING: "Missing",
}

# --- Direction of travel ---------------------------------------------------
GOOD = "good"
BAD = "bad"
SAME = "neutral"
NOT_COMPARABLE = "na"

DIRECTION_LABELS = {
    GOOD: "Good",
    BAD: "Bad",
    SAME: "Neutral",
    NOT_COMPARABLE: "Not comparable",
}

# --- Tolerance / threshold kind ---------------------------------------------
PERCENT = "percent"
ABSOLUTE = "absolute"

TOLERANCE_KINDS = (PERCENT, ABSOLUTE)
TOLERANCE_KIND_LABELS = {
    PERCENT: "Percentage of target",
    ABSOLUTE: "Absolute amount",
}

# --- Period kinds and measure types (used by comparator selection) ---------
MONTH = "month"
QUARTER = "quarter"
YEAR = "year"

MEASURE_PERIOD = "period"
MEASURE_YTD = "ytd"
MEASURE_SNAPSHOT = "snapshot"

# --- Variation (XmR / Making Data Count) -------------------------------------
COMMON_CAUSE = "common_cause"
SPECIAL_IMPROVING = "special_improving"
SPECIAL_CONCERNING = "special_concerning"
# Special cause on a neutral-polarity indicator: no improving/concerning judgement.
SPECIAL_NEUTRAL = "special_cause"
# Too few points to compute limits.
NO_VARIATION = ""

VARIATION_LABELS = {
    COMMON_CAUSE: "Common cause",
    SPECIAL_IMPROVING: "Special cause – improving",
    SPECIAL_CONCERNING: "Special cause – concerning",
    SPECIAL_NEUTRAL: "Special cause",
    NO_VARIATION: "Not enough data",
}

CONSISTENTLY_PASSES = "passes"
CONSISTENTLY_FAILS = "fails"
HIT_AND_MISS = "hit_and_miss"
# A sustained shift (DOMAIN.md "Variation"): the limits describe a process that has since changed,
# so no verdict is given from them until the hub accepts or dismisses the suggested rebase.
LIMITS_PREDATE_CHANGE = "predates_change"

ASSURANCE_LABELS = {
    CONSISTENTLY_PASSES: "Consistently passes",
    CONSISTENTLY_FAILS: "Consistently fails",
    HIT_AND_MISS: "Hit and miss",
    LIMITS_PREDATE_CHANGE: "Not judged: the limits pre-date a change",
}

# Special-cause rule names, in order of precedence (highest first).
RULE_OUTSIDE_LIMITS = "outside_limits"
RULE_TREND = "trend"
RULE_TWO_OF_THREE = "two_of_three"
RULE_SHIFT = "shift"

RULES = (RULE_OUTSIDE_LIMITS, RULE_TREND, RULE_TWO_OF_THREE, RULE_SHIFT)
RULE_LABELS = {
    RULE_OUTSIDE_LIMITS: "Point outside the process limits",
    RULE_TREND: "Trend: 7 points all rising or all falling",
    RULE_TWO_OF_THREE: "2 of 3 points near a process limit",
    RULE_SHIFT: "Shift: 7 points on one side of the mean",
}

# --- Forecast methods --------------------------------------------------------------
FORECAST_RUN_RATE = "run_rate"
FORECAST_SEASONAL_PROFILE = "seasonal_profile"
FORECAST_HOLT_WINTERS = "holt_winters"
FORECAST_LINEAR_TREND = "linear_trend"
# All twelve months are in: the "forecast" is the year's actual outturn.
FORECAST_YEAR_COMPLETE = "year_complete"

FORECAST_METHODS = (
    FORECAST_RUN_RATE,
    FORECAST_SEASONAL_PROFILE,
    FORECAST_HOLT_WINTERS,
    FORECAST_LINEAR_TREND,
    FORECAST_YEAR_COMPLETE,
)
FORECAST_METHOD_LABELS = {
    FORECAST_RUN_RATE: "Run rate (year-to-date pace)",
    FORECAST_SEASONAL_PROFILE: "Year-to-date profiled by last year's seasonal shape",
    FORECAST_HOLT_WINTERS: "Holt-Winters (trend and seasonality)",
    FORECAST_LINEAR_TREND: "Linear trend",
    FORECAST_YEAR_COMPLETE: "Year complete (actual outturn)",
}
