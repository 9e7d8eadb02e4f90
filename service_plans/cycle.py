"""The sign-off cycle as the framework's timeline (pure: no Django).

draft → DMT review (the director) → Executive Member review (the portfolio's councillor) →
signed off and launched → annual review (from December; a new year's draft is opened). A
reviewer may return a plan to draft with a reason. Who may make each move is decided by
`organisation.roles` predicates; this module says which moves exist and which need a reason.
"""

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
