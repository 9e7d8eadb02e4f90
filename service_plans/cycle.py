"""The sign-off cycle as the framework's timeline (pure: no Django).

draft → DMT review (the director) → Executive Member review (the portfolio's councillor) →
signed off and launched → annual review (from December; a new year's draft is opened). A
reviewer may return a plan to draft with a reason. Who may make each move is decided by
`organisation.roles` predicates; this module says which moves exist and which need a reason.
"""

import datetime
from dataclasses import dataclass

DRAFT = "draft"
DMT_REVIEW = "dmt_review"
MEMBER_REVIEW = "member_review"
SIGNED_OFF = "signed_off"
ANNUAL_REVIEW = "annual_review"

SUBMIT = "submit"  # draft → DMT review: the plan holder / head of service
DMT_APPROVE = "dmt_approve"  # DMT review → Executive Member review: the director
MEMBER_APPROVE = "member_approve"  # → signed off: the Executive Member
RETURN = "return"  # DMT or member review → draft, with a reason
START_REVIEW = "start_review"  # signed off → annual review (from December)

# Who acts on each move (the name of the actor the roles predicate checks).
HOLDER, DIRECTOR, MEMBER, REVIEWER = "holder", "director", "member", "reviewer"


@dataclass(frozen=True)
class Move:
    name: str
    label: str
    sources: frozenset
    target: str
    actor: str
    needs_reason: bool = False


MOVES = {
    m.name: m
    for m in (
        Move(SUBMIT, "Submit for DMT review", frozenset({DRAFT}), DMT_REVIEW, HOLDER),
        Move(DMT_APPROVE, "Approve at DMT", frozenset({DMT_REVIEW}), MEMBER_REVIEW, DIRECTOR),
        Move(MEMBER_APPROVE, "Approve and sign off", frozenset({MEMBER_REVIEW}), SIGNED_OFF, MEMBER),
        Move(
            RETURN,
            "Return to draft",
            frozenset({DMT_REVIEW, MEMBER_REVIEW}),
            DRAFT,
            REVIEWER,
            needs_reason=True,
        ),
        Move(START_REVIEW, "Start the annual review", frozenset({SIGNED_OFF}), ANNUAL_REVIEW, HOLDER),
    )
}


def move_for(name: str, status: str) -> Move | None:
    """The move if it exists and may be made from `status`; None otherwise."""
    move = MOVES.get(name)
    return move if move is not None and status in move.sources else None


def moves_from(status: str) -> list[Move]:
    return [m for m in MOVES.values() if status in m.sources]


def annual_review_open(month: int) -> bool:
    """The annual review cycle begins in December (and runs to the end of the financial year)."""
    return month in (12, 1, 2, 3)


# --- The calendar -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Calendar:
    templates_agreed: datetime.date
    drafts_due: datetime.date
    sign_off_due: datetime.date
    review_from: datetime.date


def default_calendar(financial_year: int) -> Calendar:
    """The framework's timeline for plans starting in April of `financial_year`."""
    return Calendar(
        templates_agreed=datetime.date(financial_year, 2, 28),
        drafts_due=datetime.date(financial_year, 4, 30),
        sign_off_due=datetime.date(financial_year, 7, 31),
        review_from=datetime.date(financial_year, 12, 1),
    )


ON_TIME, DRAFT_LATE, SIGN_OFF_LATE, NO_PLAN_LATE = "on_time", "draft_late", "sign_off_late", "no_plan_late"
LATENESS_LABELS = {
    ON_TIME: "On time",
    DRAFT_LATE: "Draft late (not yet submitted)",
    SIGN_OFF_LATE: "Sign-off late",
    NO_PLAN_LATE: "No plan (drafts were due)",
}


def lateness(status: str | None, *, ever_submitted: bool, today: datetime.date, calendar: Calendar) -> str:
    """Whether a service's plan for the year is late against the calendar (None: no plan)."""
    if status in (SIGNED_OFF, ANNUAL_REVIEW):
        return ON_TIME
    if status is None:
        return NO_PLAN_LATE if today > calendar.drafts_due else ON_TIME
    if today > calendar.sign_off_due:
        return SIGN_OFF_LATE
    if status == DRAFT and not ever_submitted and today > calendar.drafts_due:
        return DRAFT_LATE
    return ON_TIME
