import datetime
from decimal import Decimal

import pytest

from indicators.models import Indicator, Result, Target
from indicators.services.assessments import recompute_assessments
from indicators.services.periods import ensure_periods


@pytest.fixture
def stf15(org, users):
    """STF15 as in the framework's Table 3.3: 4.2, 6.4, 6.5 days YTD, up is bad."""
    indicator = Indicator.objects.create(
        reference="STF15",
        title="Average sickness days lost per FTE - OCE - (YTD)",
        category="workforce",
        unit="days",
        decimal_places=1,
        polarity="up_is_bad",
        frequency="annual",
        measure_type="ytd",
        service=org["hr"],
        published=True,
        responsible_officer=users["head"],
    )
    years = ensure_periods([("year", datetime.date(y, 4, 1)) for y in (2013, 2014, 2015)])
    Result.objects.bulk_create(
        Result(
            indicator=indicator,
            period=years[("year", datetime.date(y, 4, 1))],
            value=Decimal(v),
            status="approved",
        )
        for y, v in ((2013, "4.2"), (2014, "6.4"), (2015, "6.5"))
    )
    Target.objects.create(indicator=indicator, period=years[("year", datetime.date(2015, 4, 1))], value=6)
    recompute_assessments()
    return indicator


@pytest.mark.django_db
def test_stf15_shows_rise_up_is_bad_and_bad_direction(client, stf15):
    response = client.get("/indicators/STF15/")
    body = response.content.decode()
    assert response.status_code == 200
    latest = response.context["page"].latest
    assert (latest.comparator_value, latest.value) == (Decimal("6.4"), Decimal("6.5"))
    assert latest.direction == "bad"
    assert "Up is Bad" in body
    assert "6.4" in body and "6.5" in body
    assert "Bad" in body
    assert 'id="indicator-chart-data"' in body


@pytest.mark.django_db
def test_neutral_polarity_shows_neutral(client, org):
    cfd01 = Indicator.objects.create(
        reference="CFD01",
        title="Number of external calls received - OCE",
        category="performance",
        polarity="neutral",
        frequency="quarterly",
        service=org["hr"],
        published=True,
    )
    quarters = ensure_periods([("quarter", datetime.date(2015, m, 1)) for m in (7, 10)])
    Result.objects.bulk_create(
        [
            Result(
                indicator=cfd01,
                period=quarters[("quarter", datetime.date(2015, 7, 1))],
                value=3300,
                status="approved",
            ),
            Result(
                indicator=cfd01,
                period=quarters[("quarter", datetime.date(2015, 10, 1))],
                value=1918,
                status="approved",
            ),
        ]
    )
    recompute_assessments()
    response = client.get("/indicators/CFD01/")
    assert response.context["page"].latest.direction == "neutral"
    assert "Neutral" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("reference", ["NOPE99", "stf15", "%3Cscript%3E", "a" * 300, "STF15.xlsx"])
def test_unknown_reference_is_404(client, stf15, reference):
    assert client.get(f"/indicators/{reference}/").status_code == 404


@pytest.mark.django_db
def test_unpublished_indicator_is_404_for_anonymous_and_403_out_of_scope(client, stf15, users, org):
    stf15.published = False
    stf15.save()
    assert client.get("/indicators/STF15/").status_code == 404
    client.force_login(users["councillor"])  # portfolio does not include STF15
    assert client.get("/indicators/STF15/").status_code == 403
    client.force_login(users["director"])  # OCE director: in scope
    assert client.get("/indicators/STF15/").status_code == 200


@pytest.mark.django_db
def test_drafts_visible_to_owner_marked_and_hidden_from_public(client, stf15, users):
    period = ensure_periods([("year", datetime.date(2016, 4, 1))])[("year", datetime.date(2016, 4, 1))]
    Result.objects.create(indicator=stf15, period=period, value=Decimal("7.1"), status="draft")
    public = client.get("/indicators/STF15/").context["page"]
    assert [r.period_label for r in public.rows] == ["2013/14", "2014/15", "2015/16"]
    client.force_login(users["head"])
    page = client.get("/indicators/STF15/").context["page"]
    assert page.rows[-1].status == "draft"
    assert page.latest.period_label == "2015/16"  # drafts are not assessed


@pytest.mark.django_db
@pytest.mark.parametrize("months", [3, 36])
def test_detail_runs_a_fixed_number_of_queries(
    client, users, build_council, django_assert_num_queries, months
):
    build_council(4, months=months)
    client.force_login(users["head"])
    client.get("/indicators/GEN001/")
    # session, user, profile, indicator, themes, boards, results, assessments, targets,
    # + result history and target history (data entry: two queries whatever the number
    # of changes) + the chart's and benchmark sections' queries (annotations, comparator values,
    # assessments with periods) + the clinics panel (the indicator's clinics the user may see)
    # + the clinic mark beside the title and the chart's remedial-plan trajectory (two, issue 14)
    # + whether it is being recalculated (the recompute outbox)
    # + the history of its judging fields (one more, for the rows before, once any has changed).
    with django_assert_num_queries(19):
        response = client.get("/indicators/GEN001/")
    assert len(response.context["page"].rows) == months


@pytest.mark.django_db
def test_commentary_is_escaped(client, stf15):
    Result.objects.filter(indicator=stf15).update(commentary='<img src=x onerror="alert(1)">')
    body = client.get("/indicators/STF15/").content.decode()
    assert '<img src=x onerror="alert(1)">' not in body
    assert "&lt;img src=x" in body


@pytest.mark.django_db
def test_nul_in_reference_is_400(client, stf15):
    assert client.get("/indicators/STF15%00/").status_code == 400
