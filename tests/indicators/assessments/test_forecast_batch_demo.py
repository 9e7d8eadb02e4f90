"""On the demo council, the batched forecasts are the reference's point for point, to the last bit.

The recompute's own inputs (read from the database as it reads them) are assessed twice in memory:
with the forecasts batched (`forecast_batch`, as the recompute does) and with `forecast_with` and
`forecast_rag` at each point; every forecast field of every assessment must be the same float
bits, the same ints and strings, the same dict in the same order. What is stored is the rounded
form of the same values (test_demo_assessments_unchanged.py checks the stored dump).
"""

import math
import struct
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from fixtures.demo import delete_demo
from indicators.analytics import bulk
from indicators.analytics import constants as c
from indicators.models import Period
from indicators.services.assessments import recompute_assessments

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
FIELDS = (
    "forecast_value",
    "forecast_low",
    "forecast_high",
    "forecast_method",
    "forecast_inputs",
    "forecast_rag",
)


@pytest.fixture(scope="module")
def demo_db(django_db_setup, django_db_blocker):
    """Load the demo once for this module; each test still runs in a rolled-back transaction."""
    name = str(connection.settings_dict["NAME"])
    assert "memory" in name or "test" in name, f"not a test database: {name}"
    with django_db_blocker.unblock(), override_settings(DEBUG=True, PASSWORD_HASHERS=FAST_HASHERS):
        call_command("load_demo", stdout=StringIO())
    yield
    with django_db_blocker.unblock():
        delete_demo()
        Period.objects.all().delete()


@pytest.fixture
def demo(demo_db, db, settings):
    settings.DEBUG = True
    settings.PASSWORD_HASHERS = FAST_HASHERS


def same(a, b) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return (math.isnan(a) and math.isnan(b)) or struct.pack("<d", a) == struct.pack("<d", b)
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    return a == b


def test_every_demo_forecast_is_the_reference_to_the_last_bit(demo):
    inputs, batches = [], []
    real_assess_all, real_batch = bulk.assess_all, bulk._batch_forecasts

    def capture(specs, results, targets, *args, **kwargs):
        specs = list(specs)
        inputs.append((specs, list(results), list(targets)))
        return real_assess_all(specs, results, targets, *args, **kwargs)

    def spy(jobs):
        batches.append(sum(len(job.starts) for job in jobs))
        return real_batch(jobs)

    with mock.patch.object(bulk, "assess_all", capture):
        recompute_assessments()
    [(specs, results, targets)] = inputs

    def forecasts(batch_from):
        with (
            mock.patch.object(bulk, "BATCH_FORECASTS_FROM", batch_from),
            mock.patch.object(bulk, "_batch_forecasts", spy),
        ):
            assessed = bulk.assess_all(specs, results, targets)
        return {(a.indicator_id, a.kind, a.start): tuple(getattr(a, f) for f in FIELDS) for a in assessed}

    batched = forecasts(bulk.BATCH_FORECASTS_FROM)  # as the recompute runs
    assert batches[-1] >= bulk.BATCH_FORECASTS_FROM  # so the demo's forecasts were batched
    reference = forecasts(10**9)
    assert batched.keys() == reference.keys()
    differ = [key for key in reference if not all(map(same, reference[key], batched[key]))]
    assert differ == []
    # The demo exercises the methods the batch computes (its latest year is never complete).
    methods = [fields[3] for fields in reference.values() if fields[3]]
    assert len(methods) > 300
    assert {c.FORECAST_SEASONAL_PROFILE, c.FORECAST_LINEAR_TREND, c.FORECAST_RUN_RATE} <= set(methods)
