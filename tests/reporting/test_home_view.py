import datetime

import pytest

from indicators.models import Indicator, Result
from organisation.models import ReportingCalendar


@pytest.mark.django_db
def test_anonymous_gets_public_landing(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "How is the council performing?" in response.content.decode()


@pytest.mark.django_db
def test_officer_sees_their_indicators_and_counts(client, users, build_council):
    indicators = build_council(6)
    Indicator.objects.get(reference="GEN001").data_entry_officers.add(users["officer"])
    client.force_login(users["officer"])
    response = client.get("/")
    assert [i.reference for i in response.context["indicators"]] == ["GEN001"]
    counts = response.context["counts"]
    assert counts["total"] == 1
    assert sum(n for _, _, n in counts["rag"]) == 1
    assert len(indicators) == 6


@pytest.mark.django_db
def test_hub_without_own_indicators_sees_everything(client, users, build_council):
    build_council(6)
    client.force_login(users["hub"])
    assert client.get("/").context["counts"]["total"] == 6


@pytest.mark.django_db
@pytest.mark.parametrize("size", [4, 40])
def test_home_runs_a_fixed_number_of_queries(client, users, build_council, django_assert_num_queries, size):
    build_council(size)
    client.force_login(users["director"])
    client.get("/")
    # session, user, profile, "has own indicators?", page rows, counts, profile's service/directorate,
    # the returns needing attention (reporting date, entry indicators; none, so no periods/results).
    with django_assert_num_queries(9):
        client.get("/")


def _officer_with_returns(users, size, build_council):
    """The officer enters GEN001 and GEN003: GEN001 Nov 2015 returned, GEN003 Dec 2015 missing."""
    build_council(size)
    ReportingCalendar.objects.create(id=1, as_of=datetime.date(2016, 2, 1))  # Dec 2015 overdue
    for reference in ("GEN001", "GEN003"):
        Indicator.objects.get(reference=reference).data_entry_officers.add(users["officer"])
    Result.objects.filter(indicator__reference="GEN001", period__start=datetime.date(2015, 11, 1)).update(
        status=Result.Status.RETURNED, returned_reason="Check the agency staff figure"
    )
    Result.objects.filter(indicator__reference="GEN003", period__start=datetime.date(2015, 12, 1)).delete()


@pytest.mark.django_db
def test_officer_home_lists_returned_then_overdue_returns_first(client, users, build_council):
    _officer_with_returns(users, 6, build_council)
    client.force_login(users["officer"])
    response = client.get("/")
    attention = [(r.indicator.reference, r.label, r.state) for r in response.context["attention"]]
    assert attention[0] == ("GEN001", "Nov 2015", "returned")
    assert ("GEN003", "Dec 2015", "overdue") in attention
    assert {state for _, _, state in attention[1:]} == {"overdue"}
    html = response.content.decode()
    # Before anything else on the page: the returns, then the counts and the indicators table.
    assert (
        html.index("Returns needing your attention") < html.index("Latest RAG") < html.index(">Indicators<")
    )
    assert html.index("GEN001 Nov 2015") < html.index("GEN003 Dec 2015")
    assert "↩ Returned for changes" in html and "Reason: Check the agency staff figure" in html
    assert "▲ Overdue" in html
    assert 'href="/returns/GEN001/2015-11/"' in html


@pytest.mark.django_db
def test_home_without_returns_needing_attention_shows_no_list(client, users, build_council):
    build_council(4)
    client.force_login(users["councillor"])
    response = client.get("/")
    assert response.context["attention"] == []
    assert "Returns needing your attention" not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("size", [6, 40])
def test_officer_home_runs_a_fixed_number_of_queries(
    client, users, build_council, django_assert_num_queries, size
):
    _officer_with_returns(users, size, build_council)
    client.force_login(users["officer"])
    client.get("/")
    # As the director's, plus the periods and results of the officer's returns.
    with django_assert_num_queries(11):
        client.get("/")
