import pytest

from indicators.models import Indicator


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
    # session, user, profile, "has own indicators?", page rows, counts, profile's service/directorate.
    with django_assert_num_queries(7):
        client.get("/")
