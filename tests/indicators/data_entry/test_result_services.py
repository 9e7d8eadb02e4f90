import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from indicators.data_entry.services.results import (
    ResultConflict,
    result_approve,
    result_restore,
    result_return,
    result_save_draft,
    result_submit,
    validity_errors,
)
from indicators.models import Assessment, Result, ResultChange

DEC_2015 = ("month", datetime.date(2015, 12, 1))  # the fixture's `periods` key


def _validity(unit, value, places=0, low=None, high=None, **kw):
    return validity_errors(
        unit=unit,
        decimal_places=places,
        plausible_min=low,
        plausible_max=high,
        value=None if value is None else Decimal(value),
        **kw,
    )


@pytest.mark.parametrize(
    "unit,value,places,field",
    [
        ("percentage", "100.5", 1, "value"),
        ("percentage", "-0.1", 1, "value"),
        ("count", "3.5", 0, "value"),
        ("count", "-1", 0, "value"),
        ("currency", "12.345", 2, "value"),
        ("currency_thousands", "1.5", 0, "value"),
    ],
)
def test_unit_rules_refuse(unit, value, places, field):
    assert field in _validity(unit, value, places)


@pytest.mark.parametrize(
    "unit,value,places",
    [
        ("percentage", "0", 0),
        ("percentage", "100", 0),
        ("count", "13805", 0),
        ("currency", "-12.34", 2),
        ("days", "6.5", 1),
    ],
)
def test_unit_rules_accept(unit, value, places):
    assert _validity(unit, value, places) == {}


def test_plausible_range_and_denominator():
    assert "value" in _validity("days", "40", low=Decimal(0), high=Decimal(30))
    assert _validity("days", "30", low=Decimal(0), high=Decimal(30)) == {}
    errors = _validity("percentage", "50", numerator=Decimal(1), denominator=Decimal(0))
    assert errors["denominator"] == "The denominator cannot be 0"


def test_missing_value_says_what_to_enter():
    assert _validity("count", None)["value"].startswith("Enter the result")


@pytest.mark.django_db
def test_draft_then_submit_keeps_history_with_before_and_after(pdr, periods, users):
    officer = users["officer"]
    draft = result_save_draft(
        user=officer, indicator=pdr, period=periods[DEC_2015], value=Decimal(90), expected_version=0
    )
    assert draft.result.status == "draft" and draft.result.version == 1
    submitted = result_submit(
        user=officer, indicator=pdr, period=periods[DEC_2015], value=Decimal(91), expected_version=1
    )
    assert submitted.result.status == "submitted" and submitted.result.version == 2
    changes = list(ResultChange.objects.order_by("id"))
    assert [c.action for c in changes] == ["create", "submit"]
    assert changes[1].before["value"] == "90" and changes[1].after["value"] == "91"
    assert (changes[1].old_value, changes[1].new_value) == (Decimal(90), Decimal(91))
    assert changes[1].changed_by == officer


@pytest.mark.django_db
def test_red_result_cannot_be_submitted_without_commentary(pdr, periods, users):
    with pytest.raises(ValidationError) as refused:
        result_submit(
            user=users["officer"],
            indicator=pdr,
            period=periods[DEC_2015],
            value=Decimal(70),
            expected_version=0,
        )
    assert "commentary" in refused.value.message_dict
    assert not Result.objects.exists() and not ResultChange.objects.exists()
    # A red draft is fine; so is a red submission with commentary.
    result_save_draft(
        user=users["officer"], indicator=pdr, period=periods[DEC_2015], value=Decimal(70), expected_version=0
    )
    outcome = result_submit(
        user=users["officer"],
        indicator=pdr,
        period=periods[DEC_2015],
        value=Decimal(70),
        commentary="Two managers were on leave; PDRs booked for January.",
        expected_version=1,
    )
    assert outcome.rag == "red" and outcome.result.status == "submitted"


@pytest.mark.django_db
def test_invalid_percentage_writes_nothing(pdr, periods, users):
    with pytest.raises(ValidationError) as refused:
        result_save_draft(user=users["officer"], indicator=pdr, period=periods[DEC_2015], value=Decimal(101))
    assert refused.value.message_dict["value"] == ["A percentage must be between 0 and 100"]
    assert not Result.objects.exists()


@pytest.mark.django_db
def test_later_of_two_edits_is_refused_and_shows_the_other_change(pdr, periods, users):
    officer, head = users["officer"], users["head"]
    result_save_draft(
        user=officer, indicator=pdr, period=periods[DEC_2015], value=Decimal(80), expected_version=0
    )
    # Both open version 1; the head saves first.
    result_save_draft(
        user=head, indicator=pdr, period=periods[DEC_2015], value=Decimal(81), expected_version=1
    )
    with pytest.raises(ResultConflict) as conflict:
        result_save_draft(
            user=officer, indicator=pdr, period=periods[DEC_2015], value=Decimal(82), expected_version=1
        )
    assert conflict.value.current.value == Decimal(81)
    assert conflict.value.change.changed_by == head
    assert "Head" in str(conflict.value)
    assert Result.objects.get().value == Decimal(81)


@pytest.mark.django_db
def test_two_people_creating_the_same_return_conflict(pdr, periods, users):
    result_save_draft(
        user=users["head"], indicator=pdr, period=periods[DEC_2015], value=Decimal(81), expected_version=0
    )
    with pytest.raises(ResultConflict):
        result_save_draft(
            user=users["officer"],
            indicator=pdr,
            period=periods[DEC_2015],
            value=Decimal(82),
            expected_version=0,
        )


@pytest.mark.django_db
def test_same_form_sent_twice_is_applied_once(pdr, periods, users):
    kwargs = dict(
        user=users["officer"],
        indicator=pdr,
        period=periods[DEC_2015],
        value=Decimal(90),
        expected_version=0,
        key="k-1",
    )
    first = result_submit(**kwargs)
    second = result_submit(**kwargs)
    assert second.repeated and second.result.pk == first.result.pk
    assert Result.objects.count() == 1 and ResultChange.objects.count() == 1


@pytest.mark.django_db
def test_refused_form_can_be_corrected_and_sent_with_the_same_key(pdr, periods, users):
    kwargs = dict(
        user=users["officer"], indicator=pdr, period=periods[DEC_2015], expected_version=0, key="k-2"
    )
    with pytest.raises(ValidationError):
        result_submit(value=Decimal(120), **kwargs)
    assert result_submit(value=Decimal(90), **kwargs).result.value == Decimal(90)


@pytest.mark.django_db
def test_approval_updates_assessment_and_is_recorded(pdr, periods, users, django_capture_on_commit_callbacks):
    outcome = result_submit(
        user=users["officer"], indicator=pdr, period=periods[DEC_2015], value=Decimal(90), expected_version=0
    )
    assert not Assessment.objects.exists()  # drafts and submissions are not assessed
    with django_capture_on_commit_callbacks(execute=True):
        result_approve(user=users["head"], result=outcome.result, expected_version=1)
    assessment = Assessment.objects.get(indicator=pdr)
    assert assessment.rag == "green" and assessment.value == Decimal(90)
    assert ResultChange.objects.first().action == "approve"


@pytest.mark.django_db
def test_return_needs_a_reason_and_reaches_the_officer(pdr, periods, users):
    outcome = result_submit(
        user=users["officer"], indicator=pdr, period=periods[DEC_2015], value=Decimal(90), expected_version=0
    )
    with pytest.raises(ValidationError):
        result_return(user=users["head"], result=outcome.result, reason=" ", expected_version=1)
    returned = result_return(
        user=users["head"], result=outcome.result, reason="Check against HR system", expected_version=1
    )
    assert (
        returned.result.status == "returned" and returned.result.returned_reason == "Check against HR system"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["officer", "director", "cmt", "councillor", "scrutiny", "auditor"])
def test_only_approvers_approve(pdr, periods, users, role):
    outcome = result_submit(
        user=users["officer"], indicator=pdr, period=periods[DEC_2015], value=Decimal(90), expected_version=0
    )
    with pytest.raises(PermissionDenied):
        result_approve(user=users[role], result=outcome.result, expected_version=1)
    with pytest.raises(PermissionDenied):
        result_return(user=users[role], result=outcome.result, reason="x", expected_version=1)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["director", "cmt", "councillor", "scrutiny", "auditor"])
def test_only_owners_enter(pdr, periods, users, role):
    with pytest.raises(PermissionDenied):
        result_save_draft(user=users[role], indicator=pdr, period=periods[DEC_2015], value=Decimal(90))
    assert not Result.objects.exists()


@pytest.mark.django_db
def test_officer_cannot_enter_for_an_indicator_not_assigned(other_indicator, periods, users):
    with pytest.raises(PermissionDenied):
        result_save_draft(
            user=users["officer"], indicator=other_indicator, period=periods[DEC_2015], value=Decimal(3)
        )


@pytest.mark.django_db
def test_restore_brings_back_an_earlier_version_and_is_recorded(pdr, periods, users):
    first = result_submit(
        user=users["officer"], indicator=pdr, period=periods[DEC_2015], value=Decimal(90), expected_version=0
    )
    result_approve(user=users["head"], result=first.result, expected_version=1)
    result_save_draft(
        user=users["officer"], indicator=pdr, period=periods[DEC_2015], value=Decimal(60), expected_version=2
    )
    approved_version = ResultChange.objects.get(action="approve")
    with pytest.raises(PermissionDenied):
        result_restore(user=users["officer"], result=first.result, change=approved_version)
    restored = result_restore(user=users["head"], result=first.result, change=approved_version, reason="Typo")
    assert restored.result.value == Decimal(90) and restored.result.status == "approved"
    last = ResultChange.objects.first()
    assert last.action == "restore" and last.reason == "Typo" and last.before["value"] == "60"
    assert ResultChange.objects.filter(action="edit_after_approval").count() == 1
