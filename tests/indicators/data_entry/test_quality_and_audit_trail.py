"""Data quality: periods before an indicator's first result, lateness at the reporting date.
Audit trail: what else changed, case-insensitive filter, values in the indicator's decimal places."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from indicators.data_entry.services.data_quality import data_quality
from indicators.data_entry.services.results import result_save_draft, result_submit
from indicators.formatting import format_value
from indicators.models import Indicator, Result, ResultChange
from indicators.selectors import change_details, result_history
from indicators.services.periods import ensure_periods
from organisation.models import ReportingCalendar

pytestmark = pytest.mark.django_db
AS_OF = datetime.date(2016, 1, 20)
AUG_2015, DEC_2015 = ("month", datetime.date(2015, 8, 1)), ("month", datetime.date(2015, 12, 1))


@pytest.fixture
def as_of(db):
    ReportingCalendar.objects.create(id=1, as_of=AS_OF)


@pytest.fixture
def late_starter(org):
    """Monthly, first result Jul 2015 (like ECO07), then Aug–Oct; Nov 2015 is a real gap."""
    indicator = Indicator.objects.create(
        reference="ECOX7",
        title="Late starter",
        category="performance",
        unit="count",
        polarity="up_is_good",
        frequency="monthly",
        service=org["hr"],
    )
    starts = [datetime.date(2015, m, 1) for m in range(7, 11)]
    periods = ensure_periods([("month", s) for s in starts])
    Result.objects.bulk_create(
        Result(indicator=indicator, period=periods[("month", s)], value=Decimal(5), status="approved")
        for s in starts
    )
    return indicator


def _missing(council, reference):
    return [r.period for r in council.records["missing"] if r.reference == reference]


# --- Data quality ------------------------------------------------------------------------------


def test_periods_before_the_first_result_are_not_due(late_starter, users, as_of):
    council, _, _ = data_quality(users["hub"])
    missing = _missing(council, "ECOX7")
    for label in ("Jan 2015", "Feb 2015", "Mar 2015", "Apr 2015", "May 2015", "Jun 2015"):
        assert label not in missing
    # Gaps after the first result still count: Nov (due 20 Dec) is missing; Dec is due 20 Jan,
    # the reporting date itself, so not yet missing.
    assert missing == ["Nov 2015"]
    assert council.due == 5 and council.present == 4 and council.completeness == 80.0


def test_an_indicator_with_no_result_at_all_still_owes_its_returns(org, users, as_of):
    Indicator.objects.create(
        reference="NONE1",
        title="Never reported",
        category="performance",
        unit="count",
        polarity="up_is_good",
        frequency="monthly",
        service=org["hr"],
    )
    council, _, _ = data_quality(users["hub"])
    assert len(_missing(council, "NONE1")) == council.due > 0
    assert [r.reference for r in council.records["no_data"]] == ["NONE1"]


def test_lateness_is_measured_at_the_reporting_date_not_the_real_clock(pdr, users, as_of):
    periods = ensure_periods([AUG_2015, DEC_2015])
    outcome = result_submit(
        user=users["officer"], indicator=pdr, period=periods[AUG_2015], value=Decimal(90), expected_version=0
    )
    # Submitted "today" (long after the demo reporting date).
    Result.objects.filter(pk=outcome.result.pk).update(submitted_at=timezone.now())
    council, _, _ = data_quality(users["hub"])
    # Aug 2015 was due 20 Sep 2015; at the reporting date 20 Jan 2016 it was 122 days late.
    assert council.days_late == [122]
    assert [r.detail for r in council.records["late"]] == ["122 days late"]
    assert council.on_time == 0


def test_on_time_and_late_within_the_reporting_date_unchanged(pdr, users, as_of):
    periods = ensure_periods([AUG_2015, DEC_2015])
    for key, day in (
        (AUG_2015, datetime.datetime(2015, 9, 20, 12)),
        (DEC_2015, datetime.datetime(2016, 1, 19)),
    ):
        outcome = result_submit(
            user=users["officer"], indicator=pdr, period=periods[key], value=Decimal(90), expected_version=0
        )
        Result.objects.filter(pk=outcome.result.pk).update(submitted_at=timezone.make_aware(day))
    council, _, _ = data_quality(users["hub"])
    # Aug on its due date is on time; Dec (due 20 Jan) is not yet due on 20 Jan, so not counted.
    assert council.on_time == 1 and council.days_late == []


def test_records_page_shows_no_pre_start_months(client, late_starter, users, as_of):
    client.force_login(users["hub"])
    body = client.get("/data-quality/records/?group=council&kind=missing").content.decode()
    assert "Nov 2015" in body and "Jun 2015" not in body and "Jan 2015" not in body


# --- Audit trail -------------------------------------------------------------------------------


@pytest.fixture
def edited(pdr, users, periods):
    """STF90 at one decimal place: entered 6.4 with commentary, then 6.5 with new commentary,
    a numerator/denominator and the proxy flag."""
    Indicator.objects.filter(pk=pdr.pk).update(decimal_places=1)
    pdr.refresh_from_db()
    result_save_draft(
        user=users["officer"],
        indicator=pdr,
        period=periods[DEC_2015],
        value=Decimal("6.4"),
        commentary="<b>old</b> text",
        expected_version=0,
    )
    result_save_draft(
        user=users["officer"],
        indicator=pdr,
        period=periods[DEC_2015],
        value=Decimal("6.5"),
        commentary="<script>alert(1)</script>",
        is_proxy=True,
        expected_version=1,
    )
    return pdr


def test_history_lists_what_else_changed(edited, users):
    history = [e for e in result_history(users["auditor"], reference="STF90") if e.kind == "result"]
    latest, first = history[0], history[-1]
    assert (latest.old_display, latest.new_display) == ("6.4%", "6.5%")  # by unit (issue 10 item 7)
    labels = {d.summary: (d.old, d.new) for d in latest.details}
    assert labels["Commentary changed"] == ("<b>old</b> text", "<script>alert(1)</script>")
    assert labels["Proxy data flag changed"] == ("No", "Yes")
    assert "Numerator changed" not in labels
    # A new result lists only what it set; the value has its own columns.
    assert [d.name for d in first.details] == ["commentary"]
    assert (first.old_display, first.new_display) == ("—", "6.4%")


def test_audit_page_shows_changes_escaped_in_decimal_places(client, edited, users):
    client.force_login(users["auditor"])
    body = client.get("/audit/").content.decode()
    assert "Commentary changed" in body and "Proxy data flag changed" in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body and "<script>alert(1)" not in body
    assert "&lt;b&gt;old&lt;/b&gt; text" in body
    assert "6.5" in body and "6.4000" not in body and "6.5000" not in body


def test_audit_filter_is_case_insensitive(client, edited, other_indicator, users):
    client.force_login(users["auditor"])
    for reference in ("stf90", "Stf90", " STF90 "):
        history = client.get("/audit/", {"indicator": reference}).context["history"]
        assert history and {e.reference for e in history} == {"STF90"}
    assert client.get("/audit/", {"indicator": "stf9"}).context["history"] == []
    assert client.get("/audit/", {"indicator": "<x>"}).context["history"] == []


def test_audit_is_refused_to_other_roles(client, edited, users):
    for role in ("officer", "councillor"):
        client.force_login(users[role])
        assert client.get("/audit/?indicator=stf90").status_code == 403


def test_numerator_denominator_changes_and_bad_snapshots():
    details = change_details(
        {"numerator": "12", "denominator": "40", "commentary": "", "is_provisional": True},
        {"numerator": "12.0000", "denominator": "41", "commentary": None, "is_provisional": False},
    )
    assert [(d.summary, d.old, d.new) for d in details] == [
        ("Denominator changed", "40", "41"),
        ("Provisional flag changed", "Yes", "No"),
    ]
    assert change_details(None, None) == [] and change_details({}, {}) == []


def test_format_value_uses_decimal_places():
    assert format_value(Decimal("6.4000"), 1) == "6.4"
    assert format_value(Decimal("6.45"), 1) == "6.5"
    assert format_value(Decimal("90.0000"), 0) == "90"
    assert format_value("7.25", 2) == "7.25"
    assert format_value(None, 2) == "—"
    assert format_value("n/a", 1) == "n/a"


def test_target_history_uses_decimal_places(pdr, users, periods):
    from indicators.models import TargetChange

    Indicator.objects.filter(pk=pdr.pk).update(decimal_places=1)
    TargetChange.objects.create(
        indicator=pdr,
        period=periods[("year", datetime.date(2015, 4, 1))],
        old_value=Decimal("85.0000"),
        new_value=Decimal("87.5000"),
        reason="Raised",
        changed_by=users["hub"],
        changed_at=timezone.now(),
    )
    target = [e for e in result_history(users["auditor"], reference="stf90") if e.kind == "target"][0]
    assert (target.old_display, target.new_display) == ("85.0%", "87.5%") and target.details == []
    assert ResultChange.objects.count() == 0
