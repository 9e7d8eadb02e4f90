"""Individual objectives: a person records theirs for the year, linked to plan actions or indicators;
their manager reads them. Writes check that the actions are in plans the person may read."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

from organisation import roles
from organisation.models import Role
from service_plans.models import Objective


@transaction.atomic
def objective_save(
    *, user, objective_id: int | None, financial_year: int, text: str, actions, indicators
) -> Objective:
    from service_plans.selectors import visible_plans

    if user is None or not user.is_authenticated:
        raise PermissionDenied("Sign in to record objectives.")
    errors = {}
    text = (text or "").strip()
    if len(text) < 10:
        errors["text"] = "Describe the objective (at least 10 characters)."
    if not 2000 <= financial_year <= 2100:
        errors["financial_year"] = "Choose the year."
    plans = set(visible_plans(user).values_list("id", flat=True))
    if any(a.plan_id not in plans for a in actions):
        errors["actions"] = "Choose actions of plans you may read."
    if not actions and not indicators:
        errors["actions"] = "Link the objective to at least one plan action or indicator."
    if errors:
        raise ValidationError(errors)
    if objective_id is None:
        objective = Objective(owner=user)
    else:
        objective = Objective.objects.filter(id=objective_id).first()
        if objective is None or objective.owner_id != user.id:
            raise PermissionDenied("Only the person whose objective it is changes it.")
    objective.financial_year, objective.text = financial_year, text
    objective.save()
    objective.actions.set(actions)
    objective.indicators.set(indicators)
    return objective


@transaction.atomic
def objective_delete(*, user, objective_id: int) -> None:
    objective = Objective.objects.filter(id=objective_id).first()
    if objective is None or objective.owner_id != user.id:
        raise PermissionDenied("Only the person whose objective it is removes it.")
    objective.delete()


def team_objectives(user):
    """The objectives of the people the user manages (see `organisation.roles.manages_person`)."""
    queryset = Objective.objects.select_related("owner__profile").prefetch_related("actions", "indicators")
    role = roles.role_of(user)
    if roles.is_hub(user):
        scope = Q()
    elif role == Role.HEAD and roles.service_id_of(user):
        scope = Q(owner__profile__service_id=roles.service_id_of(user))
    elif role == Role.DIRECTOR and roles.directorate_id_of(user):
        directorate = roles.directorate_id_of(user)
        scope = Q(owner__profile__directorate_id=directorate) | Q(
            owner__profile__service__directorate_id=directorate
        )
    else:
        return []
    return list(
        queryset.filter(scope).exclude(owner=user).order_by("owner__last_name", "-financial_year", "id")
    )
