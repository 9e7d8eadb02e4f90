"""Scorecards: read paths with a fixed number of SQL queries.

Every scorecard is built the same way, whatever its subject (a directorate, the Council Plan, a
portfolio, CMT, a board): pick its indicators, narrow them to what the user may see, then read
(1) the indicators, with the year columns and sparkline the recompute stored for each
(`IndicatorSummary`), (2) each one's assessment for the chosen period and, only for rows whose
summary does not answer the period (an earlier year, a period before the latest result), (3)
their assessments in the three-year window — one query each, whatever the count.

Product decisions the framework leaves open, made here:
- The directorate scorecard shows the indicators marked "Include" (`on_scorecard`) by default,
  as the framework's Table 3.3 intends; `?indicators=all` shows every active indicator of the
  directorate (how Table 3.3's STF01 and STF32, not included, can still be reviewed).
- The CMT scorecard is every directorate's included indicators plus all statutory / single data
  list ones. The Council Plan scorecard is every active indicator with a theme, one section per
  theme (an indicator serving two themes appears in both).
- Period: a scorecard "as at" a period shows, for each indicator, its assessment for that exact
  period or else its latest assessment ending within it, labelled with its own period. With no
  period chosen it is the financial year of the reporting date (ReportingCalendar).
- As reported: once a period has been reported (its exception list built, which freezes its
  assessments as `ReportedAssessment`), the scorecard as at that period shows by default what was
  reported then — each row's as-reported assessment for that period, else its latest as-reported
  one ending within it — labelled "as reported on <date>". `?view=current` shows today's
  assessments instead (a changed target re-colours those, never the as-reported ones). A row with
  no as-reported assessment (an indicator added since) shows its current one, marked as such.
  Years are never reported as a whole (lists are monthly and quarterly), so year scorecards are
  always current.
- The year columns are the approved year results (period kind "year") of the chosen period's
  financial year and the two before it that had ended by the chosen period's end. Where the
  chosen year has no year result yet, its column shows the latest result of the year so far with
  its period, as Table 3.3 prints "1,918 (Q3)"; earlier years without a year result stay blank
  (a quarter's count is not a year's).
- Statutory / single data list indicators are marked in the table and counted in the summary,
  which filters to them (`?statutory=yes`): CMT watches them for the council's standing.
- A user whose role sees only part of a scorecard (an officer on their directorate's) is told how
  many of its indicators are outside their scope; the rows never include them.
- Rows are narrowed by `visible_indicators`: a councillor's Council Plan scorecard lists their
  portfolio's indicators and the published ones, never more than their role can open.
"""

from reporting.scorecards.filters import SORTS
from reporting.scorecards.rows import build_rows, short_period_label
from reporting.scorecards.scorecard import VIEWS, Scorecard, cmt_scorecard, scorecard
from reporting.scorecards.subjects import scorecard_url, scorecards_for

__all__ = [
    "SORTS",
    "VIEWS",
    "Scorecard",
    "build_rows",
    "cmt_scorecard",
    "scorecard",
    "scorecard_url",
    "scorecards_for",
    "short_period_label",
]
