import pytest
from django.urls import reverse

LIBRARY = "/indicators/"


@pytest.mark.django_db
def test_anonymous_sees_only_published_indicators(client, build_council):
    build_council(6)
    response = client.get(LIBRARY)
    assert response.status_code == 200
    refs = {i.reference for i in response.context["page"].object_list}
    assert refs == {"GEN000", "GEN003"}


@pytest.mark.django_db
def test_hub_sees_everything(client, users, build_council):
    build_council(6)
    client.force_login(users["hub"])
    assert client.get(LIBRARY).context["page"].paginator.count == 6


@pytest.mark.django_db
def test_officer_sees_own_service_and_published(client, users, build_council):
    build_council(6)
    client.force_login(users["officer"])
    refs = {i.reference for i in client.get(LIBRARY).context["page"].object_list}
    # HR (odd numbers) plus published (multiples of 3).
    assert refs == {"GEN000", "GEN001", "GEN003", "GEN005"}


@pytest.mark.django_db
def test_search_matches_reference_and_words(client, users, build_council):
    build_council(6)
    client.force_login(users["hub"])
    by_ref = client.get(LIBRARY, {"q": "gen004"}).context["page"].object_list
    assert [i.reference for i in by_ref] == ["GEN004"]
    by_words = client.get(LIBRARY, {"q": "missed bins"}).context["page"].object_list
    assert {i.reference for i in by_words} == {"GEN000", "GEN002", "GEN004"}


@pytest.mark.django_db
def test_filters_combine_and_stay_in_the_url(client, users, build_council, org):
    build_council(12)
    client.force_login(users["hub"])
    response = client.get(LIBRARY, {"directorate": "oce", "polarity": "up_is_bad", "sort": "-reference"})
    refs = [i.reference for i in response.context["page"].object_list]
    assert refs == ["GEN007", "GEN001"]
    assert "directorate=oce" in response.context["query"]


@pytest.mark.django_db
def test_filter_by_latest_rag_and_direction(client, users, build_council):
    indicators = build_council(9)
    client.force_login(users["hub"])
    from indicators.models import Assessment

    latest = {a.indicator_id: a for a in Assessment.objects.filter(is_latest=True)}
    for rag in ("red", "green", "none"):
        expected = {i.reference for i in indicators if latest[i.id].rag == rag}
        got = {i.reference for i in client.get(LIBRARY, {"rag": rag}).context["page"].object_list}
        assert got == expected
    expected = {i.reference for i in indicators if latest[i.id].direction == "bad"}
    assert {
        i.reference for i in client.get(LIBRARY, {"direction": "bad"}).context["page"].object_list
    } == expected


@pytest.mark.django_db
def test_htmx_request_gets_only_the_results_partial(client, users, build_council):
    build_council(3)
    client.force_login(users["hub"])
    response = client.get(
        LIBRARY, {"q": "GEN"}, headers={"HX-Request": "true", "HX-Target": "indicator-results"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="indicator-results"' in body
    assert "<html" not in body


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [
        {"rag": "<script>alert(1)</script>"},
        {"directorate": "no-such-directorate"},
        {"theme": "' OR 1=1 --"},
        {"sort": "password"},
        {"polarity": "sideways"},
        {"q": "x" * 500},
        {"page": "abc"},
        {"page": "-3"},
        {"page": "99999"},
        {"page": "1e9"},
    ],
)
def test_hostile_filter_values_get_a_message_not_a_500(client, users, build_council, params):
    build_council(3)
    client.force_login(users["hub"])
    response = client.get(LIBRARY, params)
    assert response.status_code == 200
    body = response.content.decode()
    assert "<script>alert(1)</script>" not in body
    assert ("not recognised" in body) or ("There is no page" in body) or ("Ensure this value" in body)


@pytest.mark.django_db
def test_out_of_range_page_shows_last_page_with_notice(client, users, build_council, settings):
    settings.KPI_PAGE_SIZE = 2
    build_council(5)
    client.force_login(users["hub"])
    response = client.get(LIBRARY, {"page": "7"})
    assert response.context["page"].number == 3
    assert "There is no page 7" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("size", [5, 60])
def test_library_runs_a_fixed_number_of_queries(
    client, users, build_council, django_assert_num_queries, size
):
    build_council(size, months=6)
    client.force_login(users["officer"])
    client.get(LIBRARY)  # warm the session
    # session, user, profile, count, page of rows, directorate, service and theme choices.
    with django_assert_num_queries(8):
        response = client.get(LIBRARY, {"polarity": "up_is_good", "sort": "rag"})
    assert response.status_code == 200
    assert len(response.context["page"].object_list) > 0


def test_library_url_name():
    assert reverse("indicators:library") == LIBRARY


@pytest.mark.django_db
@pytest.mark.parametrize("params", [{"service": "\x00"}, {"q": "a\x00b"}, {"x\x00": "1"}])
def test_nul_characters_get_a_400_page_not_a_500(client, params):
    response = client.get(LIBRARY, params)
    assert response.status_code == 400
    assert "NUL character" in response.content.decode()


@pytest.mark.django_db
def test_column_headers_sort_and_keep_the_filters(client, users, build_council):
    build_council(6)
    client.force_login(users["hub"])
    response = client.get(LIBRARY, {"polarity": "up_is_good", "sort": "reference"})
    body = response.content.decode()
    assert 'aria-sort="ascending"' in body
    assert "?polarity=up_is_good&amp;sort=-reference" in body  # Reference header now sorts Z to A
    assert "?polarity=up_is_good&amp;sort=rag" in body
    refs = [i.reference for i in client.get(LIBRARY, {"sort": "-reference"}).context["page"].object_list]
    assert refs == sorted(refs, reverse=True)
