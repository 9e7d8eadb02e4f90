"""The indicator page's variation, forecast and benchmarking panels."""

import datetime
from decimal import Decimal

import pytest

from indicators.models import Annotation, ComparatorOrganisation, ComparatorValue, Indicator, Period
from indicators.services.assessments import recompute_assessments
from indicators.services.periods import ensure_periods


@pytest.fixture
def benchmarked(build_council):
    indicator = build_council(3, months=12)[0]  # GEN000: up is good, percentage
    year = ensure_periods([("year", datetime.date(2015, 4, 1))])[("year", datetime.date(2015, 4, 1))]
    own = ComparatorOrganisation.objects.create(name="Our council", code="E0", is_own_council=True)
    ComparatorValue.objects.create(indicator=indicator, period=year, organisation=own, value=Decimal(60))
    for i, value in enumerate([80, 70, 50, 40, 30]):
        org = ComparatorOrganisation.objects.create(name=f"Council {i}", code=f"E{i + 1}")
        ComparatorValue.objects.create(
            indicator=indicator, period=year, organisation=org, value=Decimal(value)
        )
    return indicator


def test_rank_and_quartile_with_polarity(client, users, benchmarked):
    client.force_login(users["hub"])
    response = client.get(benchmarked.get_absolute_url())
    bench = response.context["insights"].benchmark
    # Up is good: 80, 70 are better than our 60: 3rd of 6, ceil(4 x 3 / 6) = 2nd quartile.
    assert (bench.rank, bench.n, bench.quartile) == (3, 6, 2)
    assert [r.value for r in bench.rows] == [80, 70, 60, 50, 40, 30]
    assert b"Ranked <strong>3 of 6</strong>" in response.content
    assert b"second quartile" in response.content
    assert b'id="benchmark-chart-data"' in response.content


def test_variation_and_assurance_in_words_beside_the_chart(client, users, benchmarked):
    client.force_login(users["hub"])
    response = client.get(benchmarked.get_absolute_url())
    assert b'id="variation"' in response.content
    assert b"trial limits" in response.content  # 12 points
    names = [t["name"] for t in response.context["page"].chart["data"]]
    assert "Centre line (mean)" in names and "Upper process limit" in names


def test_annotations_are_listed_and_drawn(client, users, benchmarked):
    Annotation.objects.create(indicator=benchmarked, date=datetime.date(2015, 9, 1), text="New <b>triage</b>")
    client.force_login(users["hub"])
    response = client.get(benchmarked.get_absolute_url())
    assert b"New &lt;b&gt;triage&lt;/b&gt;" in response.content
    assert response.context["page"].chart["layout"]["shapes"][0]["x0"] == "2015-09-01"


def test_forecast_is_drawn_dashed_and_labelled(client, users, build_council):
    indicator = build_council(1, months=6)[0]
    Indicator.objects.filter(id=indicator.id).update(unit="percentage")
    recompute_assessments()
    client.force_login(users["hub"])
    response = client.get(indicator.get_absolute_url())
    forecast = [t for t in response.context["page"].chart["data"] if t["name"].startswith("Forecast")]
    assert forecast and forecast[0]["line"]["dash"] == "dash"
    assert forecast[0]["x"][-1] == "2016-03-31"
    assert b"A forecast, not an actual." in response.content


def test_no_benchmark_without_comparator_values(client, users, build_council):
    indicator = build_council(1)[0]
    client.force_login(users["hub"])
    response = client.get(indicator.get_absolute_url())
    assert response.context["insights"].benchmark is None
    assert b"Benchmarking:" not in response.content
    assert Period.objects.exists()
