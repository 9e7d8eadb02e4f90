"""/approvals/ and /audit/ run a fixed number of SQL queries whatever the number of rows."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from indicators.models import Indicator, Result, ResultChange, TargetChange
from indicators.services.periods import ensure_periods

pytestmark = pytest.mark.django_db
MONTHS = [datetime.date(2015, m, 1) for m in range(4, 13)]


@pytest.fixture
def add_submitted(org, users):
    """Add `count` indicators the head is responsible for, each with submitted results for
    several months, and their result and target history, each change by a named person."""
    periods = ensure_periods([("month", m) for m in MONTHS])
    made = {"n": 0}

    def add(count: int) -> None:
        start = made["n"]
        made["n"] += count
        indicators = Indicator.objects.bulk_create(
            Indicator(
                reference=f"APP{i:03d}",
                title=f"Indicator {i}",
                category="performance",
                unit="count",
                polarity="up_is_good",
                frequency="monthly",
                service=org["hr"],
                responsible_officer=users["head"],
            )
            for i in range(start, start + count)
        )
        now = timezone.now()
        results = Result.objects.bulk_create(
            Result(
                indicator=indicator,
                period=periods[("month", month)],
                value=Decimal(n + 1),
                status=Result.Status.SUBMITTED,
                submitted_by=users["officer"],
                submitted_at=now,
                commentary="On track",
            )
            for indicator in indicators
            for n, month in enumerate(MONTHS[:3])
        )
        ResultChange.objects.bulk_create(
            ResultChange(
                result=r,
                indicator_id=r.indicator_id,
                period_id=r.period_id,
                action=action,
                new_value=r.value,
                new_status=status,
                version=version,
                changed_by=users["officer"],
                changed_at=now,
            )
            for r in results
            for version, (action, status) in enumerate((("create", "draft"), ("submit", "submitted")), 1)
        )
        TargetChange.objects.bulk_create(
            TargetChange(
                indicator=i,
                period=periods[("month", MONTHS[0])],
                new_value=Decimal(5),
                reason="Set for the year",
                changed_by=users["hub"],
                changed_at=now,
            )
            for i in indicators
        )
        # One change to a judging field each (issue 10 item 2): a settings row on the trail.
        for indicator in Indicator.objects.filter(id__in=[i.id for i in indicators]):
            indicator.tolerance = Decimal(2)
            indicator._history_user = users["hub"]
            indicator._change_reason = "Tolerance tightened"
            indicator.save()

    return add


def _query_count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_approvals_run_a_fixed_number_of_queries(client, users, add_submitted, django_assert_num_queries):
    client.force_login(users["head"])
    add_submitted(2)
    small = _query_count(client, "/approvals/")
    add_submitted(60)
    with django_assert_num_queries(small):
        response = client.get("/approvals/")
    assert len(response.context["entries"]) == 62 * 3
    # session, user, profile (scope), responsible-for check, the submitted results: nothing a row
    assert small <= 8


@pytest.mark.parametrize("role", ["auditor", "hub"])
def test_audit_runs_a_fixed_number_of_queries(client, users, add_submitted, django_assert_num_queries, role):
    client.force_login(users[role])
    add_submitted(2)
    small = _query_count(client, "/audit/")
    add_submitted(60)
    with django_assert_num_queries(small):
        response = client.get("/audit/")
    history = response.context["history"]
    assert len(history) == 50  # one page of 62 x 8 changes (3 results x 2, 1 target, 1 setting each)
    everything = []
    page = 1
    while True:
        with django_assert_num_queries(small):
            paged = client.get("/audit/", {"page": page})
        everything += paged.context["history"]
        if not paged.context["has_next"]:
            break
        page += 1
    assert len(everything) == 62 * 8 and page == 10
    history = everything
    assert {e.kind for e in history} == {"result", "target", "setting"}
    assert all(e.changed_by != "unknown" for e in history)
    with django_assert_num_queries(small):
        filtered = client.get("/audit/?indicator=APP061")
    assert {e.reference for e in filtered.context["history"]} == {"APP061"}
    assert len(filtered.context["history"]) == 8
