"""On the demo council, the vectorised RAG and direction of travel store exactly what the reference did."""

from io import StringIO
from unittest import mock

import pandas as pd
import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from fixtures.demo import delete_demo
from indicators.analytics import bulk
from indicators.analytics import constants as c
from indicators.analytics.forecast_batch import identical
from indicators.analytics.vectorised import assess_frames
from indicators.models import Assessment, Period
from indicators.services.assessments import recompute_assessments

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
FIELDS = [f.attname for f in Assessment._meta.concrete_fields if f.attname not in {"id", "computed_at"}]


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


def stored():
    return {(row["indicator_id"], row["period_id"]): row for row in Assessment.objects.values(*FIELDS)}


def reference_only(rules_by_id, results, targets):
    """`assess_frames` declining every indicator, so that all go through `assess_series`."""
    return pd.DataFrame(columns=bulk.VECTORISED_COLUMNS), set(rules_by_id)


def test_every_demo_assessment_is_unchanged_by_the_vectorised_path(demo, monkeypatch):
    with monkeypatch.context() as patch:
        patch.setattr(bulk, "assess_frames", reference_only)
        written = recompute_assessments()
    reference = stored()
    assert written == len(reference) >= bulk.VECTORISE_FROM  # so the next recompute is vectorised
    calls = []

    def spy(rules_by_id, results, targets):
        frame, fallback = assess_frames(rules_by_id, results, targets)
        calls.append((len(rules_by_id), fallback, len(frame)))
        return frame, fallback

    with monkeypatch.context() as patch:
        patch.setattr(bulk, "assess_frames", spy)
        assert recompute_assessments() == written
    [(indicators, fallback, vectorised_rows)] = calls
    assert len(fallback) < indicators / 10 and vectorised_rows > written * 0.9
    vectorised = stored()
    assert vectorised.keys() == reference.keys()
    changed = [key for key in reference if vectorised[key] != reference[key]]
    assert changed == []
    # The demo exercises every outcome the rules can give.
    rags = {row["rag"] for row in vectorised.values()}
    directions = {row["direction"] for row in vectorised.values()}
    assert {"green", "amber", "red", "none"} <= rags
    assert {"good", "bad", "neutral", "na"} <= directions


# The forecasts: the recompute's own inputs (read from the database as it reads them) assessed twice
# in memory, with the forecasts batched (`forecast_batch`, as the recompute does) and with
# `forecast_with` and `forecast_rag` at each point. Every forecast field of every assessment must be
# the same float bits, ints and strings, and the same dict in the same order (what is stored is the
# rounded form of the same values: test_demo_assessments_unchanged.py checks the stored dump).
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
        return {
            (a.indicator_id, a.kind, a.start): tuple(getattr(a, f) for f in bulk.FORECAST_FIELDS)
            for a in assessed
        }

    batched = forecasts(bulk.BATCH_FORECASTS_FROM)  # as the recompute runs
    assert batches[-1] >= bulk.BATCH_FORECASTS_FROM  # so the demo's forecasts were batched
    reference = forecasts(10**9)
    assert batched.keys() == reference.keys()
    differ = [key for key in reference if not all(map(identical, reference[key], batched[key]))]
    assert differ == []
    # The demo exercises the methods the batch computes (its latest year is never complete).
    methods = [fields[3] for fields in reference.values() if fields[3]]
    assert len(methods) > 300
    assert {c.FORECAST_SEASONAL_PROFILE, c.FORECAST_LINEAR_TREND, c.FORECAST_RUN_RATE} <= set(methods)
