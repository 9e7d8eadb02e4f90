"""The hub adds chart annotations and maintains comparator groups in the admin."""

import pytest
from django.contrib.auth.models import Permission

from indicators.models import Annotation, ComparatorGroup, ComparatorOrganisation, ComparatorValue
from indicators.services.periods import ensure_periods


@pytest.fixture
def hub(users):
    user = users["hub"]
    user.is_staff = True
    user.save()
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="indicators"))
    return user


@pytest.fixture
def benchmarked(build_council):
    import datetime

    indicator = build_council(2, months=12)[0]
    year = ensure_periods([("year", datetime.date(2015, 4, 1))])[("year", datetime.date(2015, 4, 1))]
    derby = ComparatorOrganisation.objects.create(name="Derby", code="E06000015")
    group = ComparatorGroup.objects.create(name="CIPFA nearest neighbours", slug="cipfa")
    group.members.add(derby)
    value = ComparatorValue.objects.create(indicator=indicator, period=year, organisation=derby, value=5)
    annotation = Annotation.objects.create(indicator=indicator, date=year.start, text="Restructure")
    return {"indicator": indicator, "derby": derby, "group": group, "value": value, "annotation": annotation}


@pytest.mark.parametrize(
    "model", ["annotation", "comparatororganisation", "comparatorgroup", "comparatorvalue"]
)
def test_hub_can_open_each_admin_page(client, hub, benchmarked, model):
    client.force_login(hub)
    objects = {
        "annotation": benchmarked["annotation"],
        "comparatororganisation": benchmarked["derby"],
        "comparatorgroup": benchmarked["group"],
        "comparatorvalue": benchmarked["value"],
    }
    base = f"/admin/indicators/{model}/"
    assert client.get(base).status_code == 200
    assert client.get(f"{base}?q=Derby").status_code == 200
    assert client.get(f"{base}add/").status_code == 200
    assert client.get(f"{base}{objects[model].pk}/change/").status_code == 200


def test_group_members_use_the_two_list_picker(client, hub, benchmarked):
    client.force_login(hub)
    response = client.get(f"/admin/indicators/comparatorgroup/{benchmarked['group'].pk}/change/")
    assert b"selectfilter" in response.content.lower() or b"SelectFilter" in response.content


def test_annotation_added_in_the_admin_shows_on_the_indicator_chart(client, hub, benchmarked):
    indicator = benchmarked["indicator"]
    client.force_login(hub)
    response = client.post(
        "/admin/indicators/annotation/add/",
        {"indicator": indicator.pk, "date": "2015-10-01", "text": "New triage process started"},
    )
    assert response.status_code == 302, response.content[:2000]
    annotation = Annotation.objects.get(text="New triage process started")
    assert annotation.created_by == hub and not annotation.starts_new_baseline
    page = client.get(indicator.get_absolute_url())
    assert b"New triage process started" in page.content
    assert "2015-10-01" in [shape["x0"] for shape in page.context["page"].chart["layout"]["shapes"]]


def test_others_cannot_use_these_admin_pages(client, users):
    client.force_login(users["cmt"])
    assert client.get("/admin/indicators/annotation/add/").status_code == 302  # to the admin login
