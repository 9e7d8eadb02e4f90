"""Who may see and change which indicators: the one place role and scope are applied.

Every view that fetches indicators narrows its queryset through `visible_indicators`, so a page
can never show what the user's role and organisation scope do not allow (DOMAIN.md "Who uses it").
"""

from django.db.models import Q, QuerySet

from indicators.models import Indicator
from service_plans.models import Role

SEE_EVERYTHING = {Role.HUB, Role.CMT, Role.AUDITOR}


def role_of(user) -> str | None:
    if not user.is_authenticated:
        return None
    profile = getattr(user, "profile", None)
    return profile.role if profile else None


def scope_filter(user) -> Q | None:
    """A Q narrowing indicators to the user's scope; None means no restriction."""
    if user.is_authenticated and user.is_superuser:
        return None
    published = Q(published=True, is_active=True)
    if not user.is_authenticated:
        return published
    profile = getattr(user, "profile", None)
    if profile is None:
        return published
    if profile.role in SEE_EVERYTHING:
        return None
    mine = Q(data_entry_officers=user) | Q(responsible_officer=user)
    if profile.role == Role.DIRECTOR and profile.directorate_id:
        return published | mine | Q(service__directorate_id=profile.directorate_id)
    if profile.role in (Role.HEAD, Role.OFFICER) and profile.service_id:
        return published | mine | Q(service_id=profile.service_id)
    if profile.role == Role.COUNCILLOR and profile.portfolio_id:
        return published | Q(portfolio_id=profile.portfolio_id)
    if profile.role == Role.SCRUTINY and profile.board_id:
        return published | Q(boards=profile.board_id)
    return published | mine


def visible_indicators(user) -> QuerySet[Indicator]:
    scope = scope_filter(user)
    if scope is None:
        return Indicator.objects.all()
    # The scope can join many-to-many tables: select ids first so no indicator appears twice.
    return Indicator.objects.filter(id__in=Indicator.objects.filter(scope).values("id"))


def sees_drafts(user, indicator: Indicator) -> bool:
    """Owners, their managers, the hub and audit see unapproved results (marked as drafts)."""
    role = role_of(user)
    if role is None:
        return bool(user.is_authenticated and user.is_superuser)
    if role in SEE_EVERYTHING:
        return True
    profile = user.profile
    return (
        indicator.responsible_officer_id == user.id
        or (role in (Role.HEAD, Role.OFFICER) and indicator.service_id == profile.service_id)
        or (role == Role.DIRECTOR and indicator.service.directorate_id == profile.directorate_id)
    )


# --- Scorecards (reporting) -------------------------------------------------------------------
# Who may open which scorecard. The rows a scorecard shows are still narrowed by
# `visible_indicators`, so a scorecard never reveals an indicator the user could not open.
SCORECARD_DIRECTORATE = "directorate"
SCORECARD_COUNCIL_PLAN = "council-plan"
SCORECARD_PORTFOLIO = "portfolio"
SCORECARD_CMT = "cmt"
SCORECARD_BOARD = "board"


def _own_directorate_id(profile) -> int | None:
    if profile.directorate_id:
        return profile.directorate_id
    return profile.service.directorate_id if profile.service_id else None


def may_see_scorecard(user, kind: str, scope_id: int | None = None) -> bool:
    """Director → own directorate; heads and officers → their directorate's; CMT, hub, audit →
    all; councillor → own portfolio and the Council Plan; scrutiny → own board; anonymous → none.
    """
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    role = role_of(user)
    if role in SEE_EVERYTHING:
        return True
    profile = user.profile
    if kind == SCORECARD_DIRECTORATE and role in (Role.DIRECTOR, Role.HEAD, Role.OFFICER):
        return scope_id is not None and scope_id == _own_directorate_id(profile)
    if role == Role.COUNCILLOR:
        return kind == SCORECARD_COUNCIL_PLAN or (
            kind == SCORECARD_PORTFOLIO and scope_id is not None and scope_id == profile.portfolio_id
        )
    if role == Role.SCRUTINY:
        return kind == SCORECARD_BOARD and scope_id is not None and scope_id == profile.board_id
    return False


def own_scorecard(user) -> tuple[str, int | None] | None:
    """The scorecard a user meets first: (kind, scope id), or None when they have none."""
    if not user.is_authenticated:
        return None
    role = role_of(user)
    if user.is_superuser or role in SEE_EVERYTHING:
        return (SCORECARD_CMT, None)
    profile = getattr(user, "profile", None)
    if profile is None:
        return None
    if role in (Role.DIRECTOR, Role.HEAD, Role.OFFICER) and _own_directorate_id(profile):
        return (SCORECARD_DIRECTORATE, _own_directorate_id(profile))
    if role == Role.COUNCILLOR:
        if profile.portfolio_id:
            return (SCORECARD_PORTFOLIO, profile.portfolio_id)
        return (SCORECARD_COUNCIL_PLAN, None)
    if role == Role.SCRUTINY and profile.board_id:
        return (SCORECARD_BOARD, profile.board_id)
    return None
