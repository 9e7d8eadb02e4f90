"""Issue 10 item 4 in the portal: a sustained shift is stored, shown, and the hub accepts or dismisses the rebase.

The series is test_sustained_shift.py's SHIFTED (worked by hand there): 12 months alternating 12, 8
from Apr 2014, then 14, 15, 14, 15, 14, 15, 14 from Apr 2015. Target 11 for both years, up is good:
between the limits of the whole series (hit and miss without the rule), below the lower limit of
the rebased one (consistently passes).
"""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from indicators.analytics import constants as c
from indicators.models import Annotation, Assessment, Indicator, RebaseDecision, Result, Target
from indicators.services.assessments import recompute_assessments
from indicators.services.periods import ensure_periods
from indicators.services.rebase import RebaseError, decide_rebase

D = datetime.date
SHIFTED = [12, 8] * 6 + [14, 15, 14, 15, 14, 15, 14]
MONTHS = [D(2014 + (3 + i) // 12, (3 + i) % 12 + 1, 1) for i in range(len(SHIFTED))]
APR_2015 = D(2015, 4, 1)


@pytest.fixture
def shifted(org, users):
    indicator = Indicator.objects.create(
        reference="PPP99",
        title="% of returns on time",
        category="performance",
        unit="percentage",
        decimal_places=1,
        polarity=c.UP_IS_GOOD,
        frequency="monthly",
        service=org["hr"],
    )
    periods = ensure_periods([("month", m) for m in MONTHS] + [("year", D(2014, 4, 1)), ("year", APR_2015)])
    Result.objects.bulk_create(
        Result(indicator=indicator, period=periods[("month", m)], value=Decimal(v), status="approved")
        for m, v in zip(MONTHS, SHIFTED, strict=True)
    )
    for fy in (2014, 2015):
        Target.objects.create(indicator=indicator, period=periods[("year", D(fy, 4, 1))], value=Decimal(11))
    recompute_assessments(indicator_ids=[indicator.id])
    return indicator


def latest(indicator):
    return Assessment.objects.get(indicator=indicator, is_latest=True)


def test_recompute_stores_the_shift_and_withholds_the_assurance(shifted):
    a = latest(shifted)
    assert a.shift_since == APR_2015
    assert a.assurance == c.LIMITS_PREDATE_CHANGE
    assert a.variation == c.SPECIAL_IMPROVING


def test_detail_page_says_the_limits_pre_date_the_change_and_offers_the_hub_the_rebase(
    client, users, shifted
):
    client.force_login(users["hub"])
    page = client.get(reverse("indicators:detail", args=["PPP99"])).content.decode()
    assert "the process has shifted since Apr 2015" in page
    assert "will not be met unless the process changes" not in page
    assert 'id="rebase-suggestion"' in page
    client.force_login(users["director"])
    page = client.get(reverse("indicators:detail", args=["PPP99"])).content.decode()
    assert "the process has shifted since Apr 2015" in page
    assert 'id="rebase-suggestion"' not in page


def test_accepting_makes_a_dated_baseline_annotation_and_rebases(client, users, shifted):
    client.force_login(users["hub"])
    response = client.post(
        reverse("indicators:rebase", args=["PPP99"]),
        {"shift_start": "2015-04-01", "decision": "accepted", "note": "New reminder process"},
    )
    assert response.status_code == 302
    note = Annotation.objects.get(indicator=shifted)
    assert (note.date, note.starts_new_baseline, note.created_by) == (APR_2015, True, users["hub"])
    decision = RebaseDecision.objects.get(indicator=shifted)
    assert (decision.decision, decision.annotation, decision.decided_by) == ("accepted", note, users["hub"])
    recompute_assessments(indicator_ids=[shifted.id])  # what the queued task does on commit
    a = latest(shifted)
    assert float(a.centre_line) == pytest.approx(101 / 7, abs=1e-4)
    assert a.trial_limits is True
    assert a.shift_since is None
    assert a.assurance == c.CONSISTENTLY_PASSES


def test_dismissing_needs_a_note_and_then_the_assurance_is_judged(users, shifted):
    with pytest.raises(RebaseError):
        decide_rebase(users["hub"], shifted, APR_2015, "dismissed", ".")
    assert not RebaseDecision.objects.exists()
    decide_rebase(users["hub"], shifted, APR_2015, "dismissed", "Data cleansing, not a new process")
    recompute_assessments(indicator_ids=[shifted.id])
    a = latest(shifted)
    assert a.shift_since is None
    assert a.assurance == c.HIT_AND_MISS
    assert not Annotation.objects.filter(indicator=shifted).exists()


def test_a_decision_for_a_start_that_is_not_suggested_is_refused(client, users, shifted):
    client.force_login(users["hub"])
    for data in (
        {"shift_start": "2015-05-01", "decision": "accepted"},
        {"shift_start": "not a date", "decision": "accepted"},
        {"shift_start": "2015-04-01", "decision": "maybe"},
    ):
        response = client.post(reverse("indicators:rebase", args=["PPP99"]), data, follow=True)
        assert response.status_code == 200
        assert response.redirect_chain
    assert not RebaseDecision.objects.exists()
    assert not Annotation.objects.exists()


def test_the_same_shift_cannot_be_decided_twice(users, shifted):
    decide_rebase(users["hub"], shifted, APR_2015, "dismissed", "Data cleansing, not a new process")
    with pytest.raises(RebaseError):
        decide_rebase(users["hub"], shifted, APR_2015, "accepted")
    assert RebaseDecision.objects.count() == 1


@pytest.mark.parametrize("role", ["officer", "head", "director", "cmt", "councillor", "auditor"])
def test_only_the_hub_decides(client, users, shifted, role):
    client.force_login(users[role])
    response = client.post(
        reverse("indicators:rebase", args=["PPP99"]), {"shift_start": "2015-04-01", "decision": "accepted"}
    )
    assert response.status_code == 403
    assert not RebaseDecision.objects.exists()


def test_anonymous_is_sent_to_sign_in(client, shifted):
    response = client.post(
        reverse("indicators:rebase", args=["PPP99"]), {"shift_start": "2015-04-01", "decision": "accepted"}
    )
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_get_is_not_allowed(client, users, shifted):
    client.force_login(users["hub"])
    assert client.get(reverse("indicators:rebase", args=["PPP99"])).status_code == 405
