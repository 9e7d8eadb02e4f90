"""Which indicators a user may see: their role and scope (from `organisation.roles`) applied to the library.

Every view that fetches indicators narrows its queryset through `visible_indicators`, so a page
can never show what the user's role and organisation scope do not allow (DOMAIN.md "Who uses it").
"""

from django.db.models import Q, QuerySet

from indicators.models import Indicator
from organisation.models import Role
from organisation.roles import READS_EVERYTHING, heads_service, is_hub, role_of


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
    if profile.role in READS_EVERYTHING:
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
    if role in READS_EVERYTHING:
        return True
    profile = user.profile
    return (
        indicator.responsible_officer_id == user.id
        or (role in (Role.HEAD, Role.OFFICER) and indicator.service_id == profile.service_id)
        or (role == Role.DIRECTOR and indicator.service.directorate_id == profile.directorate_id)
    )


# --- Entering and approving results ---------------------------------------------------------


def can_enter_results(user, indicator: Indicator, *, entry_officer_ids: set[int] | None = None) -> bool:
    """Data officers of the indicator, its responsible officer, its service's head, and the hub.

    `entry_officer_ids` lets a page that prefetched the data officers ask without a query.
    """
    if not user.is_authenticated:
        return False
    if is_hub(user):
        return True
    if indicator.responsible_officer_id == user.id:
        return True
    if heads_service(user, indicator.service_id):
        return True
    if entry_officer_ids is None:
        return indicator.data_entry_officers.filter(id=user.id).exists()
    return user.id in entry_officer_ids


def can_approve_results(user, indicator: Indicator) -> bool:
    """The responsible officer, the head of the indicator's service, and the hub."""
    if not user.is_authenticated:
        return False
    if is_hub(user):
        return True
    if indicator.responsible_officer_id == user.id:
        return True
    return heads_service(user, indicator.service_id)


def can_see_import(user, batch) -> bool:
    """An import job (its preview, progress and result) is seen by its uploader and by the hub only;
    only the uploader may confirm it (checked by the import service)."""
    return user.is_authenticated and (batch.uploaded_by_id == user.id or is_hub(user))
