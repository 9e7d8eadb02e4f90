"""The demo council's stored assessments are exactly what they were before the speed work (issue 12).

`demo_assessments.json.gz` is a full dump of every stored assessment of the demo council, every
column but the row id and `computed_at`, keyed by natural keys (indicator reference, period kind
and start). It was written by the recompute of the base commit (aa20359), then rewritten once for
DOMAIN.md's changed variation rules (2 of 3, shared runs, sustained shifts: `shift_since`) by the
recompute that introduced them, before that was combined with the write-only-what-changed path. A recompute that writes only what changed, vectorised
forecasts or any other speed-up must store the same values to the last digit.

Regenerate only for a deliberate change of the rules:
`KPI_WRITE_DEMO_DUMP=1 .venv/bin/python -m pytest tests/indicators/assessments/test_demo_assessments_unchanged.py`
"""

import gzip
import json
import os
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from fixtures.demo import delete_demo
from indicators.models import Assessment, Period
from indicators.services.assessments import recompute_assessments

DUMP = Path(__file__).with_name("demo_assessments.json.gz")
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SKIP = {"id", "computed_at", "indicator_id", "period_id", "comparator_period_id"}
FIELDS = [f.attname for f in Assessment._meta.concrete_fields if f.attname not in SKIP]


@pytest.fixture(scope="module")
def demo_db(django_db_setup, django_db_blocker):
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


def _plain(value):
    if value is None or isinstance(value, bool | int | str | dict | list):
        return value
    return str(value)  # Decimal (as stored: SQLite gives back its own form), date


def dump() -> dict[str, dict]:
    """Every stored assessment as plain JSON values, keyed "REF kind start"."""
    out = {}
    rows = Assessment.objects.values(
        *FIELDS,
        "indicator__reference",
        "period__kind",
        "period__start",
        "comparator_period__kind",
        "comparator_period__start",
    )
    for row in rows:
        key = f"{row.pop('indicator__reference')} {row.pop('period__kind')} {row.pop('period__start')}"
        kind, start = row.pop("comparator_period__kind"), row.pop("comparator_period__start")
        row["comparator"] = f"{kind} {start}" if kind else None
        out[key] = {k: _plain(v) for k, v in sorted(row.items())}
    return dict(sorted(out.items()))


def _differences(expected: dict, actual: dict) -> list[str]:
    lines = [f"missing {k}" for k in expected.keys() - actual.keys()]
    lines += [f"extra {k}" for k in actual.keys() - expected.keys()]
    for key in sorted(expected.keys() & actual.keys()):
        for column, value in expected[key].items():
            if actual[key].get(column) != value:
                lines.append(f"{key} {column}: {value!r} -> {actual[key].get(column)!r}")
    return lines


def test_the_demo_councils_assessments_are_identical_to_the_base_commits(demo):
    current = dump()
    if os.environ.get("KPI_WRITE_DEMO_DUMP"):
        DUMP.write_bytes(gzip.compress(json.dumps(current, indent=0).encode(), mtime=0))
    expected = json.loads(gzip.decompress(DUMP.read_bytes()))
    assert len(current) == len(expected) > 4_000
    assert _differences(expected, current)[:20] == []


def test_a_second_recompute_of_unchanged_data_leaves_every_assessment_as_it_was(demo):
    before = dump()
    recompute_assessments()
    assert _differences(before, dump())[:20] == []
