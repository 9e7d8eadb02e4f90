"""Fixtures of the benchmarking tests."""

import pytest

from indicators.models import ComparatorGroup, ComparatorOrganisation, Indicator


@pytest.fixture
def library(org):
    """STF90 in the library, Derby among the comparator organisations; returns an empty group."""
    Indicator.objects.create(
        reference="STF90",
        title="PDR Completion (%)",
        category="workforce",
        unit="percentage",
        polarity="up_is_good",
        frequency="annual",
        service=org["hr"],
    )
    ComparatorOrganisation.objects.create(name="Derby", code="E06000015")
    return ComparatorGroup.objects.create(name="CIPFA nearest neighbours", slug="cipfa")
