"""axe's landmark-unique rule (moderate): the two scrolling tables on /data-quality/ were both
regions labelled "Data quality table". Each region must be told apart by its label."""

import re

import pytest

REGION_LABEL = re.compile(r'role="region"[^>]*aria-label="([^"]+)"')


@pytest.mark.django_db
def test_data_quality_regions_have_distinct_labels(client, users):
    client.force_login(users["hub"])
    response = client.get("/data-quality/")
    assert response.status_code == 200
    labels = REGION_LABEL.findall(response.content.decode())
    assert len(labels) == 2
    assert len(set(labels)) == len(labels), labels
