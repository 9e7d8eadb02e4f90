"""Whose scorecard: its subject (a directorate, portfolio, board, the Council Plan or CMT), who may
open it, and its indicators.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import (
    Q,
    QuerySet,
)
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse

from indicators.models import Indicator
from organisation import roles
from organisation.models import Board, Directorate, Portfolio

KIND_TITLES = {
    roles.SCORECARD_DIRECTORATE: "Directorate scorecard",
    roles.SCORECARD_COUNCIL_PLAN: "Council Plan scorecard",
    roles.SCORECARD_PORTFOLIO: "Executive portfolio scorecard",
    roles.SCORECARD_CMT: "Corporate Management Team scorecard",
    roles.SCORECARD_BOARD: "Board scorecard",
}


def subject_for(user, kind: str, slug: str | None):
    """Fetch the scorecard's subject and check the user may see it (404 unknown, 403 out of scope)."""
    model = {
        roles.SCORECARD_DIRECTORATE: Directorate,
        roles.SCORECARD_PORTFOLIO: Portfolio,
        roles.SCORECARD_BOARD: Board,
    }.get(kind)
    if kind not in KIND_TITLES:
        raise Http404("No such scorecard.")
    subject = get_object_or_404(model, slug=slug) if model else None
    if not roles.may_see_scorecard(user, kind, subject.id if subject else None):
        raise PermissionDenied("This scorecard is outside your role's scope.")
    return subject


def scorecard_indicators(
    indicators: QuerySet[Indicator], kind: str, subject, show_all: bool
) -> QuerySet[Indicator]:
    """The scorecard's active indicators among `indicators` (what the user may see, or all)."""
    indicators = indicators.filter(is_active=True)
    if kind == roles.SCORECARD_DIRECTORATE:
        indicators = indicators.filter(service__directorate=subject)
        return indicators if show_all else indicators.filter(on_scorecard=True)
    if kind == roles.SCORECARD_PORTFOLIO:
        return indicators.filter(portfolio=subject)
    if kind == roles.SCORECARD_BOARD:
        return indicators.filter(
            id__in=Indicator.boards.through.objects.filter(board=subject).values("indicator_id")
        )
    if kind == roles.SCORECARD_COUNCIL_PLAN:
        return indicators.filter(id__in=Indicator.themes.through.objects.values("indicator_id"))
    return indicators.filter(Q(on_scorecard=True) | Q(statutory=True))  # CMT


def scorecard_url(kind: str, subject=None) -> str:
    if subject is None:
        return reverse(f"scorecards:{kind.replace('-', '_')}")
    return reverse(f"scorecards:{kind.replace('-', '_')}", args=[subject.slug])


def scorecards_for(user) -> list[tuple[str, str]]:
    """(title, url) of every scorecard the user may open, for the index and the home page."""
    if not user.is_authenticated:
        return []
    links = []
    if roles.may_see_scorecard(user, roles.SCORECARD_CMT):
        links.append((KIND_TITLES[roles.SCORECARD_CMT], scorecard_url(roles.SCORECARD_CMT)))
    if roles.may_see_scorecard(user, roles.SCORECARD_COUNCIL_PLAN):
        links.append((KIND_TITLES[roles.SCORECARD_COUNCIL_PLAN], scorecard_url(roles.SCORECARD_COUNCIL_PLAN)))
    for kind, model in (
        (roles.SCORECARD_DIRECTORATE, Directorate),
        (roles.SCORECARD_PORTFOLIO, Portfolio),
        (roles.SCORECARD_BOARD, Board),
    ):
        for subject in model.objects.order_by("name"):
            if roles.may_see_scorecard(user, kind, subject.id):
                links.append((f"{subject.name}: {KIND_TITLES[kind].lower()}", scorecard_url(kind, subject)))
    return links
