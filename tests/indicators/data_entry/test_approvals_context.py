"""/approvals/ shows each result beside its target, RAG, previous value, last year's value, a
sparkline and a sense-check flag; a selection can be approved in one go, each one audited."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from indicators.data_entry.services.approvals import sense_flags
from indicators.models import Result, ResultChange
from indicators.services.periods import ensure_periods

pytestmark = pytest.mark.django_db

MONTHS = [datetime.date(2014, 12, 1)] + [datetime.date(2015, m, 1) for m in range(4, 13)]


@pytest.fixture
def history(pdr, users):
    """PDR (85 % target 2015/16) approved Dec 2014 and Apr–Nov 2015 around 80–88; Dec 2015 submitted."""
    periods = ensure_periods([("month", m) for m in MONTHS])
    values = [Decimal(v) for v in (81, 84, 86, 83, 85, 87, 84, 86, 88)]
    for month, value in zip(MONTHS[:-1], values, strict=True):
        Result.objects.create(indicator=pdr, period=periods[("month", month)], value=value, status="approved")
    submitted = Result.objects.create(
        indicator=pdr,
        period=periods[("month", MONTHS[-1])],
        value=Decimal(70),
        status="submitted",
        commentary=".",
        submitted_by=users["officer"],
    )
    return submitted


def test_each_result_shows_target_rag_previous_last_year_sparkline_and_flag(client, users, history):
    client.force_login(users["head"])
    response = client.get("/approvals/")
    assert response.status_code == 200
    (context, _form) = response.context["entries"][0]
    assert context.target == "85%"
    assert context.rag == "red"
    assert (context.previous, context.previous_label) == ("88%", "Nov 2015")
    assert (context.last_year, context.last_year_label) == ("81%", "Dec 2014")
    assert "<svg" in context.sparkline
    assert any("commentary" in flag for flag in context.flags)
    html = response.content.decode()
    for text in (
        "Target",
        "85%",
        "Red",
        "Previous period",
        "88%",
        "Same period last year",
        "81%",
        "Check before approving",
    ):
        assert text in html, text


def test_sense_check_flags_implausible_values_and_not_plausible_ones(pdr):
    earlier = [Decimal(v) for v in (4, 6, 5, 8, 7, 4)]
    limits = (Decimal(0), Decimal(11))  # the latest assessment's process limits

    def flags(value, rag, commentary, limits=limits):
        return sense_flags(pdr, Decimal(value), earlier, limits, rag, commentary)

    assert flags(30, "green", "A long enough sentence.")  # 30 complaints: beyond 11 + 11
    assert flags(99_999_999, "green", "A long enough sentence.", limits=None)  # over 10 x 8
    assert flags(9, "green", "A long enough sentence.") == []  # near miss
    assert flags(22, "green", "A long enough sentence.") == []  # exactly the limits' width beyond
    assert flags(5, "red", ".")  # punctuation is not commentary
    assert flags(5, "red", "Staff sickness in the team.") == []


def test_approvals_flag_is_the_entry_rule_word_for_word(client, users, pdr, history):
    """One rule, not two: the flag on /approvals/ is the reason entry gives for the same value."""
    from indicators.data_entry.services.results import unusual_value_reason
    from indicators.models import Assessment

    submitted = history
    Result.objects.filter(pk=submitted.pk).update(value=Decimal(99), commentary="Checked with the team.")
    Assessment.objects.create(
        indicator=pdr,
        period=Result.objects.filter(indicator=pdr, status="approved").latest("period__start").period,
        value=Decimal(88),
        is_latest=True,
        lower_limit=Decimal(84),
        upper_limit=Decimal(88),
        computed_at=timezone.now(),
    )
    submitted.refresh_from_db()
    reason = unusual_value_reason(pdr, submitted.period, submitted.value)
    assert reason == "99% is beyond this indicator's process limits (84% to 88%) by more than their own width"
    client.force_login(users["head"])
    (context, _form) = client.get("/approvals/").context["entries"][0]
    assert context.flags == [reason]


def test_approving_a_selection_approves_each_with_its_own_history_row(client, users, pdr, history):
    other = Result.objects.create(
        indicator=pdr,
        period=ensure_periods([("month", datetime.date(2015, 3, 1))])[("month", datetime.date(2015, 3, 1))],
        value=Decimal(80),
        status="submitted",
        commentary="On track this month.",
    )
    client.force_login(users["head"])
    response = client.post(
        "/approvals/approve-selected/",
        {"selected": [f"{history.pk}:{history.version}", f"{other.pk}:{other.version}"]},
    )
    assert response.status_code == 302
    assert set(Result.objects.filter(pk__in=[history.pk, other.pk]).values_list("status", flat=True)) == {
        "approved"
    }
    changes = ResultChange.objects.filter(result__in=[history, other], action="approve")
    assert changes.count() == 2
    assert {c.changed_by for c in changes} == {users["head"]}


def test_a_stale_selection_approves_nothing(client, users, history):
    client.force_login(users["head"])
    response = client.post(
        "/approvals/approve-selected/", {"selected": [f"{history.pk}:{history.version + 5}"]}
    )
    assert response.status_code == 400
    history.refresh_from_db()
    assert history.status == "submitted"
    assert "Nothing was approved" in response.content.decode()


def test_an_empty_or_foreign_selection_is_refused_with_a_message(client, users, history):
    client.force_login(users["head"])
    assert client.post("/approvals/approve-selected/", {}).status_code == 400
    response = client.post(
        "/approvals/approve-selected/", {"selected": ["999999:0", "junk", "¹:0", f"{2**70}:1"]}
    )
    assert response.status_code == 400
    assert "no longer awaiting your approval" in response.content.decode()


def test_approving_a_selection_is_denied_to_others(client, users, history):
    response = client.post("/approvals/approve-selected/", {"selected": [f"{history.pk}:{history.version}"]})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(users["councillor"])
    assert (
        client.post(
            "/approvals/approve-selected/", {"selected": [f"{history.pk}:{history.version}"]}
        ).status_code
        == 403
    )
    history.refresh_from_db()
    assert history.status == "submitted"
