"""Result entry: a re-sent form with new values, plain decimals in forms, import commentary, the fraction check."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from indicators.data_entry.services.results import (
    ResultConflict,
    result_import,
    result_save_draft,
    result_submit,
    validity_errors,
)
from indicators.models import Indicator, Result, ResultChange
from organisation.models import ReportingCalendar

DEC_2015 = ("month", datetime.date(2015, 12, 1))
URL = "/returns/STF90/2015-12/"


def _post(client, url=URL, follow=False, **data):
    form = {"value": "", "commentary": "", "version": "0", "key": "", "action": "draft"}
    form.update({k: str(v) for k, v in data.items()})
    return client.post(url, form, follow=follow)


# --- 1. A re-sent form with different values is never reported as saved ----------------------


@pytest.mark.django_db
def test_back_edit_resave_with_same_key_is_not_reported_saved(client, users, pdr):
    client.force_login(users["officer"])
    first = _post(client, value="90", key="k-back", version="0", follow=True)
    assert "saved as a draft" in first.content.decode()  # shows, and uses up, the message
    # Back, change the value, save again: the same form (same key, same version).
    again = _post(client, value="91", key="k-back", version="0", follow=True)
    body = again.content.decode()
    assert "saved as a draft" not in body
    assert "changed this result" in body  # the usual conflict message
    assert Result.objects.get().value == Decimal(90)
    assert ResultChange.objects.count() == 1


@pytest.mark.django_db
def test_same_form_sent_twice_with_same_values_is_still_a_success(client, users, pdr):
    client.force_login(users["officer"])
    assert _post(client, value="90", key="k-twice").status_code == 302
    response = _post(client, value="90", key="k-twice", follow=True)
    assert "saved as a draft" in response.content.decode()
    assert Result.objects.get().value == Decimal(90) and ResultChange.objects.count() == 1


@pytest.mark.django_db
def test_service_repeat_key_with_new_values_goes_through_version_check(pdr, periods, users):
    kwargs = dict(user=users["officer"], indicator=pdr, period=periods[DEC_2015], key="k-svc")
    result_save_draft(value=Decimal(90), expected_version=0, **kwargs)
    with pytest.raises(ResultConflict):
        result_save_draft(value=Decimal(91), expected_version=0, **kwargs)
    with pytest.raises(ResultConflict):  # same values but submitted instead of saved
        result_submit(value=Decimal(90), expected_version=0, **kwargs)
    assert Result.objects.get().value == Decimal(90)
    # The form at the current version may apply the change even with the old key.
    outcome = result_save_draft(value=Decimal(91), expected_version=1, **kwargs)
    assert not outcome.repeated and Result.objects.get().value == Decimal(91)
    repeat = result_save_draft(value=Decimal(91), expected_version=1, **kwargs)
    assert repeat.repeated and ResultChange.objects.count() == 2


@pytest.mark.django_db
def test_someone_elses_key_is_still_refused(pdr, periods, users):
    from django.core.exceptions import PermissionDenied

    result_save_draft(
        user=users["officer"],
        indicator=pdr,
        period=periods[DEC_2015],
        value=Decimal(90),
        expected_version=0,
        key="k-mine",
    )
    with pytest.raises(PermissionDenied):
        result_save_draft(
            user=users["head"],
            indicator=pdr,
            period=periods[DEC_2015],
            value=Decimal(90),
            expected_version=1,
            key="k-mine",
        )


# --- 2. Plain decimals in the entry forms -----------------------------------------------------


@pytest.fixture
def headcount(org, users):
    indicator = Indicator.objects.create(
        reference="CNT01",
        title="Staff headcount",
        category="workforce",
        unit="count",
        polarity="neutral",
        frequency="monthly",
        service=org["hr"],
    )
    indicator.data_entry_officers.add(users["officer"])
    return indicator


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["100", "1000", "20", "140"])
def test_entry_form_shows_round_numbers_plainly(client, users, headcount, periods, typed):
    client.force_login(users["officer"])
    url = "/returns/CNT01/2015-12/"
    assert _post(client, url=url, value=typed).status_code == 302
    body = client.get(url).content.decode()
    assert f'value="{typed}"' in body and "E+" not in body
    row = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert f'value="{typed}"' in row and "E+" not in row


@pytest.mark.django_db
def test_fraction_fields_and_bulk_grid_show_plain_decimals(client, users, pdr, periods):
    ReportingCalendar.objects.create(id=1, as_of=datetime.date(2016, 1, 25))
    client.force_login(users["officer"])
    assert _post(client, value="100", numerator="1000", denominator="1000").status_code == 302
    body = client.get(URL).content.decode()
    assert 'value="100"' in body and 'value="1000"' in body and "E+" not in body
    grid = client.get("/returns/bulk/?period=2015-12").content.decode()
    assert 'value="100"' in grid and "E+" not in grid


@pytest.mark.django_db
def test_fractional_values_keep_their_places(client, users, pdr, periods):
    client.force_login(users["officer"])
    pdr.decimal_places = 1
    pdr.save()
    assert _post(client, value="1.4", numerator="7", denominator="500").status_code == 302
    body = client.get(URL).content.decode()
    assert 'value="1.4"' in body and 'value="500"' in body and "E+" not in body


# --- 3. Imports keep commentary when the row's commentary is blank ----------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("blank", ["", "   ", None])
def test_import_with_blank_commentary_keeps_existing(pdr, periods, users, blank):
    period = periods[DEC_2015]
    result_save_draft(
        user=users["head"],
        indicator=pdr,
        period=period,
        value=Decimal(90),
        commentary="Head's note",
        expected_version=0,
    )
    assert result_import(
        user=users["hub"],
        indicator=pdr,
        period=period,
        value=Decimal(91),
        commentary=blank,
        status="approved",
    )
    result = Result.objects.get()
    assert result.value == Decimal(91) and result.commentary == "Head's note"
    # Same value and blank commentary: nothing to write.
    assert not result_import(
        user=users["hub"],
        indicator=pdr,
        period=period,
        value=Decimal(91),
        commentary=blank,
        status="approved",
    )


@pytest.mark.django_db
def test_import_with_commentary_replaces_it(pdr, periods, users):
    period = periods[DEC_2015]
    result_save_draft(
        user=users["head"],
        indicator=pdr,
        period=period,
        value=Decimal(90),
        commentary="Old",
        expected_version=0,
    )
    assert result_import(
        user=users["hub"],
        indicator=pdr,
        period=period,
        value=Decimal(90),
        commentary="New",
        status="approved",
    )
    assert Result.objects.get().commentary == "New"


# --- 4. Value must match numerator / denominator ----------------------------------------------


def _errors(unit="percentage", places=0, **numbers):
    numbers = {k: Decimal(v) for k, v in numbers.items()}
    return validity_errors(
        unit=unit, decimal_places=places, plausible_min=None, plausible_max=None, **numbers
    )


@pytest.mark.parametrize(
    "unit, places, value, numerator, denominator",
    [
        ("percentage", 0, "50", "5", "10"),
        ("percentage", 0, "67", "2", "3"),
        ("percentage", 1, "66.7", "2", "3"),
        ("percentage", 2, "66.67", "2", "3"),
        ("ratio", 0, "0.5", "1", "2"),  # finer than the places is fine when exact
        ("ratio", 2, "0.33", "1", "3"),
        ("percentage", 0, "0", "0", "10"),
    ],
)
def test_matching_fraction_is_accepted(unit, places, value, numerator, denominator):
    assert _errors(unit, places, value=value, numerator=numerator, denominator=denominator) == {}


@pytest.mark.parametrize(
    "unit, places, value, numerator, denominator, gives",
    [
        ("percentage", 0, "50", "500", "10", "5000%"),
        ("percentage", 0, "66", "2", "3", "66.67%"),
        ("percentage", 1, "66.6", "2", "3", "66.67%"),
        ("ratio", 2, "2", "1", "2", "give 0.5 ("),
    ],
)
def test_mismatched_fraction_is_refused_on_value(unit, places, value, numerator, denominator, gives):
    errors = _errors(unit, places, value=value, numerator=numerator, denominator=denominator)
    assert set(errors) == {"value"} and gives in errors["value"]


def test_fraction_check_needs_both_parts_and_a_fraction_unit():
    assert _errors(value="50", numerator="500") == {}
    assert _errors(value="50", denominator="10") == {}
    assert _errors("count", value="50", numerator="500", denominator="10") == {}
    # A zero denominator gets its own message, not a fraction one.
    assert set(_errors(value="50", numerator="5", denominator="0")) == {"denominator"}


@pytest.mark.django_db
def test_entry_refuses_a_value_that_does_not_match_its_fraction(client, users, pdr, periods):
    client.force_login(users["officer"])
    response = _post(client, value="50", numerator="500", denominator="10")
    body = response.content.decode()
    assert response.status_code == 200 and "5000%" in body and "govuk-error-summary" in body
    assert not Result.objects.exists()
    with pytest.raises(ValidationError) as refused:
        result_submit(
            user=users["officer"],
            indicator=pdr,
            period=periods[DEC_2015],
            value=Decimal(50),
            numerator=Decimal(500),
            denominator=Decimal(10),
            expected_version=0,
        )
    assert "value" in refused.value.message_dict
    assert _post(client, value="50", numerator="5", denominator="10").status_code == 302
