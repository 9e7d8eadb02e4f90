"""The hub maintains the indicator library in the Django admin."""

import pytest
from django.contrib.auth.models import Permission

from indicators.models import Indicator, Period


@pytest.fixture
def hub(users):
    user = users["hub"]
    user.is_staff = True
    user.save()
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label__in=["indicators", "organisation", "service_plans"])
    )
    return user


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/indicators/indicator/",
        "/admin/indicators/indicator/add/",
        "/admin/indicators/period/",
        "/admin/indicators/target/",
        "/admin/indicators/result/",
        "/admin/indicators/assessment/",
        "/admin/indicators/resultchange/",
        "/admin/organisation/directorate/",
        "/admin/organisation/service/",
        "/admin/organisation/theme/",
        "/admin/organisation/portfolio/",
        "/admin/organisation/board/",
        "/admin/organisation/profile/",
        "/admin/organisation/councilplan/",
    ],
)
def test_hub_can_open_every_admin_page(client, hub, build_council, url):
    build_council(3)
    client.force_login(hub)
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_hub_edits_an_indicator(client, hub, build_council):
    indicator = build_council(1)[0]
    client.force_login(hub)
    change = f"/admin/indicators/indicator/{indicator.id}/change/"
    assert client.get(change).status_code == 200
    assert client.get(f"/admin/indicators/indicator/?q={indicator.reference}").status_code == 200


@pytest.mark.django_db
def test_officer_cannot_use_the_admin(client, users):
    client.force_login(users["officer"])
    assert client.get("/admin/indicators/indicator/").status_code == 302  # to the admin login


@pytest.mark.django_db
def test_results_are_read_only_in_the_admin(client, hub, build_council):
    indicator = build_council(1, months=1)[0]
    result = Indicator.objects.get(id=indicator.id).results.get()
    client.force_login(hub)
    response = client.post(f"/admin/indicators/result/{result.id}/change/", {"value": "1"})
    assert response.status_code in (302, 403) or "readonly" in response.content.decode()
    result.refresh_from_db()
    assert result.value != 1


@pytest.mark.django_db
def test_the_reporting_calendar_is_read_only_in_the_admin(client, hub, build_council):
    """Period labels are printed in frozen reports and kept in the scorecard summaries."""
    build_council(1, months=1)
    period = Period.objects.first()
    client.force_login(hub)
    assert client.get("/admin/indicators/period/add/").status_code == 403
    response = client.post(f"/admin/indicators/period/{period.id}/change/", {"label": "Renamed"})
    assert response.status_code in (302, 403) or "readonly" in response.content.decode()
    assert client.post(f"/admin/indicators/period/{period.id}/delete/", {"post": "yes"}).status_code == 403
    period.refresh_from_db()
    assert period.label != "Renamed"
    assert Period.objects.filter(id=period.id).exists()
