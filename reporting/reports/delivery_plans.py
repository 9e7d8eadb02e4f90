"""Boards' annual delivery plans: every read with its permission check, every write with its history.

Kept by the hub or the board's own members (`roles.may_keep_delivery_plan`); read also by those who
read everything and by directors (who sign off board reports). A priority is never deleted: it is
marked dropped, so the plan's history still explains every row. A change to a priority needs a
reason; the history (`DeliveryPlanChange`) records who, when, what (old → new) and why.
"""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone

from indicators.models import Period
from organisation import roles
from organisation.ids import parse_id
from organisation.models import Board
from reporting.reports.models import DeliveryPlan, DeliveryPlanChange, DeliveryPlanItem

MAX_TEXT = 5_000
MAX_REASON = 2_000
ITEM_FIELDS = ("title", "owner", "due_date", "status", "progress_note")
FIELD_LABELS = {
    "title": "Priority",
    "owner": "Owner",
    "due_date": "Due date",
    "status": "Status",
    "progress_note": "Progress note",
}


class PlanRefused(Exception):
    """Bad input, with a message per field (shown by the field and in the error summary)."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def _person(user):
    return user if user is not None and user.is_authenticated else None


# --- Reading --------------------------------------------------------------------------------


def plans_for(user) -> list[DeliveryPlan]:
    plans = DeliveryPlan.objects.select_related("board", "year").order_by("board__name", "-year__start")
    if not roles.reads_every_delivery_plan(user):
        own = roles.board_id_of(user)
        plans = plans.filter(board_id=own) if own else plans.none()
    return list(plans)


def plan_for(user, plan_id: int) -> DeliveryPlan:
    """The plan, if the user may read it (404 unknown, 403 outside their role)."""
    plan = get_object_or_404(DeliveryPlan.objects.select_related("board", "year"), pk=plan_id)
    if not roles.may_read_delivery_plan(user, plan.board_id):
        raise PermissionDenied("This board's delivery plan is outside your role's scope.")
    return plan


def boards_kept_by(user) -> list[Board]:
    """The boards whose delivery plans the user may start."""
    if roles.is_hub(user):
        return list(Board.objects.order_by("name"))
    own = roles.board_id_of(user)
    return list(Board.objects.filter(pk=own)) if own else []


def history(plan: DeliveryPlan) -> list[dict]:
    rows = []
    for change in plan.changes.select_related("by", "item"):
        rows.append(
            {
                "at": change.at,
                "by": (change.by.get_full_name() or change.by.get_username()) if change.by else "—",
                "action": change.action,
                "item": change.item.title if change.item else "",
                "changes": [
                    (FIELD_LABELS.get(field, field), old, new) for field, (old, new) in change.changes.items()
                ],
                "reason": change.reason,
            }
        )
    return rows


# --- Writing --------------------------------------------------------------------------------


def _require_keeper(user, board_id: int | None) -> None:
    if not roles.may_keep_delivery_plan(user, board_id):
        raise PermissionDenied("Only the hub or the board's members keep its delivery plan.")


def create_plan(user, board_id, year_id, summary: str) -> DeliveryPlan:
    board_number = parse_id(board_id)
    _require_keeper(user, board_number)
    errors = {}
    board = Board.objects.filter(pk=board_number).first() if board_number else None
    if board is None:
        errors["board"] = "Choose the board the plan is for."
    year_number = parse_id(year_id)
    year = Period.objects.filter(pk=year_number, kind="year").first() if year_number else None
    if year is None:
        errors["year"] = "Choose the financial year the plan is for."
    summary = (summary or "").strip()
    if len(summary) > MAX_TEXT:
        errors["summary"] = f"The summary must be {MAX_TEXT:,} characters or fewer."
    if not errors and DeliveryPlan.objects.filter(board=board, year=year).exists():
        errors["year"] = f"{board.name} already has a delivery plan for {year.label}: open it to change it."
    if errors:
        raise PlanRefused(errors)
    now = timezone.now()
    with transaction.atomic():
        plan = DeliveryPlan.objects.create(
            board=board, year=year, summary=summary, created_by=_person(user), created_at=now
        )
        DeliveryPlanChange.objects.create(
            plan=plan, action="created", changes={"summary": ["", summary]}, by=_person(user), at=now
        )
    return plan


def clean_item(data) -> dict:
    """The priority's fields from a form, or `PlanRefused` with a message per bad field."""
    errors, values = {}, {}
    for field, most, missing in (
        ("title", 300, "Enter the priority."),
        ("owner", 200, "Enter who owns the priority."),
    ):
        values[field] = (data.get(field) or "").strip()
        if not values[field]:
            errors[field] = missing
        elif len(values[field]) > most:
            errors[field] = f"The {FIELD_LABELS[field].lower()} must be {most} characters or fewer."
    try:
        values["due_date"] = datetime.date.fromisoformat((data.get("due_date") or "").strip())
    except ValueError:
        errors["due_date"] = "Enter the due date as a real date, for example 2016-03-31."
    status = data.get("status") or DeliveryPlanItem.Status.NOT_STARTED
    if status not in DeliveryPlanItem.Status.values:
        errors["status"] = "Choose a status from the list."
    values["status"] = status
    note = (data.get("progress_note") or "").replace("\r\n", "\n").strip()
    if len(note) > MAX_TEXT:
        errors["progress_note"] = f"The progress note must be {MAX_TEXT:,} characters or fewer."
    values["progress_note"] = note
    if errors:
        raise PlanRefused(errors)
    return values


def _shown(field: str, value) -> str:
    if field == "status":
        return DeliveryPlanItem.Status(value).label
    return value.isoformat() if isinstance(value, datetime.date) else str(value)


def save_item(user, plan: DeliveryPlan, data, item: DeliveryPlanItem | None = None) -> DeliveryPlanItem:
    """Add a priority, or change one (which needs a reason: "why" is in the history)."""
    _require_keeper(user, plan.board_id)
    try:
        values = clean_item(data)
        errors = {}
    except PlanRefused as refused:
        values, errors = {}, dict(refused.errors)
    reason = (data.get("reason") or "").strip()
    if item is not None and not reason:
        errors["reason"] = "Say why the priority changes (it is kept in the plan's history)."
    elif len(reason) > MAX_REASON:
        errors["reason"] = f"The reason must be {MAX_REASON:,} characters or fewer."
    if errors:
        raise PlanRefused(errors)
    now = timezone.now()
    with transaction.atomic():
        if item is None:
            order = plan.items.count() + 1
            item = DeliveryPlanItem.objects.create(plan=plan, order=order, updated_at=now, **values)
            changes = {f: ["", _shown(f, values[f])] for f in ITEM_FIELDS if values[f] != ""}
            action = "added"
        else:
            item = DeliveryPlanItem.objects.select_for_update().get(pk=item.pk, plan=plan)
            changes = {
                f: [_shown(f, getattr(item, f)), _shown(f, values[f])]
                for f in ITEM_FIELDS
                if getattr(item, f) != values[f]
            }
            if not changes:
                raise PlanRefused({"title": "Nothing has changed: change a field, or go back to the plan."})
            for field, value in values.items():
                setattr(item, field, value)
            item.updated_at = now
            item.save()
            action = "changed"
        DeliveryPlanChange.objects.create(
            plan=plan, item=item, action=action, changes=changes, reason=reason, by=_person(user), at=now
        )
    return item
