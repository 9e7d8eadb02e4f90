"""Report kinds, their sections, who signs them off and when their deadlines fall. Pure Python.

Product decisions the issue leaves open (made here):
- Sections follow DOMAIN.md's audience table. The Executive report has one section of outcome
  indicators per Council Plan theme (as York's Finance and Performance Monitor), then the
  finance and workforce position, the exceptions, and the actions, risks and clinics that the
  Service Improvement Plan and clinics apps supply. CMT's adds the statutory indicators; the
  year-end report adds the plausibility assessment; DMT's is the directorate's actions, its
  scorecard and its risks; a board's is its indicators, remedial plans and delivery plans.
- Sign-off: the hub signs off DMT reports; a director or CMT the others (`SIGN_OFF_ROLES`).
- Deadlines are worked back from the meeting date: narrative due 10 working days before, sign-off
  5 working days before (weekends skipped), so papers can be dispatched a week ahead.
"""

import datetime
from dataclasses import dataclass

EXECUTIVE = "executive"
CMT = "cmt"
DMT = "dmt"
BOARD = "board"
YEAR_END = "year_end"
EXCEPTION_REPORT = "exception"

KIND_LABELS = {
    EXECUTIVE: "Executive quarterly progress report",
    CMT: "Corporate Management Team quarterly report",
    DMT: "Directorate Management Team monthly report",
    BOARD: "Board and scrutiny quarterly report",
    YEAR_END: "Year-end Council Plan report",
    EXCEPTION_REPORT: "Exception report",
}
# The kind of period each report is written for.
PERIOD_KIND = {
    EXECUTIVE: "quarter",
    CMT: "quarter",
    DMT: "month",
    BOARD: "quarter",
    YEAR_END: "year",
    EXCEPTION_REPORT: "month, quarter or year",
}
# The kinds of period each report may be written for (an ad hoc exception report: any chosen period
# the exception lists cover, the year meaning its last month's and quarter's lists).
PERIOD_KINDS = {kind: frozenset({period}) for kind, period in PERIOD_KIND.items()}
PERIOD_KINDS[EXCEPTION_REPORT] = frozenset({"month", "quarter", "year"})

# Section kinds (each has one builder in `reporting.reports.sections`).
THEME_INDICATORS = "theme_indicators"  # one per Council Plan theme
STRATEGIC_ACTIONS = "strategic_actions"
FINANCE_WORKFORCE = "finance_workforce"
RISKS = "risks"
EXCEPTIONS = "exceptions"
CLINICS = "clinics"
STATUTORY = "statutory"
SERVICE_PLAN_ACTIONS = "service_plan_actions"
DIRECTORATE_SCORECARD = "directorate_scorecard"
RISKS_ABOVE_TARGET = "risks_above_target"
BOARD_INDICATORS = "board_indicators"
REMEDIAL_PLANS = "remedial_plans"
DELIVERY_PLANS = "delivery_plans"
SCOPE_INDICATORS = "scope_indicators"  # an exception report's indicators
PLAUSIBILITY = "plausibility"

EXECUTIVE_SECTIONS = [THEME_INDICATORS, STRATEGIC_ACTIONS, FINANCE_WORKFORCE, RISKS, EXCEPTIONS, CLINICS]
SECTIONS = {
    EXECUTIVE: EXECUTIVE_SECTIONS,
    CMT: [*EXECUTIVE_SECTIONS, STATUTORY],
    YEAR_END: [*EXECUTIVE_SECTIONS, PLAUSIBILITY],
    DMT: [SERVICE_PLAN_ACTIONS, DIRECTORATE_SCORECARD, RISKS_ABOVE_TARGET, EXCEPTIONS],
    BOARD: [BOARD_INDICATORS, EXCEPTIONS, REMEDIAL_PLANS, DELIVERY_PLANS],
    # On request, for a board or a set of indicators: what is off track and what is being done.
    EXCEPTION_REPORT: [EXCEPTIONS, SCOPE_INDICATORS, REMEDIAL_PLANS],
}

# Who signs a report off, by role (organisation.models.Role values).
SIGN_OFF_ROLES = {
    EXECUTIVE: frozenset({"director", "cmt"}),
    CMT: frozenset({"director", "cmt"}),
    YEAR_END: frozenset({"director", "cmt"}),
    BOARD: frozenset({"director", "cmt"}),
    DMT: frozenset({"hub"}),
    EXCEPTION_REPORT: frozenset({"director", "cmt"}),
}

# Working days before the meeting.
NARRATIVE_DUE_WORKING_DAYS = 10
SIGN_OFF_DUE_WORKING_DAYS = 5


def working_days_before(day: datetime.date, count: int) -> datetime.date:
    """The date `count` working days (Monday to Friday) before `day`."""
    while count > 0:
        day -= datetime.timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


@dataclass(frozen=True)
class Deadlines:
    narrative_due: datetime.date
    sign_off_due: datetime.date


def deadlines_for(meeting: datetime.date) -> Deadlines:
    """Narrative and sign-off deadlines worked back from a meeting date."""
    return Deadlines(
        narrative_due=working_days_before(meeting, NARRATIVE_DUE_WORKING_DAYS),
        sign_off_due=working_days_before(meeting, SIGN_OFF_DUE_WORKING_DAYS),
    )


# Narrative slots: the summary, one per section, one per exception indicator.
SUMMARY_SLOT = "summary"


def section_slot(section_key: str) -> str:
    return f"section:{section_key}"


def exception_slot(reference: str) -> str:
    return f"exception:{reference}"


PLAUSIBILITY_PREFIX = "plausibility:"
# The year-end judgement of a strategic action (stored on its narrative item).
JUDGEMENTS = {
    "plausible": "Plausible",
    "not_plausible": "Not plausible",
    "insufficient_evidence": "Insufficient evidence",
}


def plausibility_slot(reference: str) -> str:
    return f"{PLAUSIBILITY_PREFIX}{reference}"


def required_slots(sections: list[dict]) -> list[tuple[str, str]]:
    """(slot, what it is) for every narrative the report needs, in reading order.

    A section that has no data source yet needs no narrative (there is nothing to explain), nor
    does one marked `"needs_narrative": False` (a list the section before it already explains).
    """
    slots = [(SUMMARY_SLOT, "Overall summary")]
    for section in sections:
        if not section.get("available", True) or section.get("needs_narrative") is False:
            continue
        slots.append((section_slot(section["key"]), f"Section: {section['title']}"))
        for item in section.get("exceptions", []):
            slots.append(
                (
                    exception_slot(item["reference"]),
                    f"Exception {item['reference']}: why, and what is being done",
                )
            )
        for item in section.get("judgements", []):
            slots.append(
                (
                    plausibility_slot(item["reference"]),
                    f"Plausibility of {item['reference']}: judgement and reasoning",
                )
            )
    return slots
