"""A backup restores the council exactly (issue 11, proof): pg_dump of a PostgreSQL database with
the demo council loaded, pg_restore into a new database, and the restored one renders the same
scorecards and holds the same audit trail and rows, table by table.

Runs in CI's PostgreSQL step (DATABASE_URL is PostgreSQL); skipped on SQLite. The databases are
its own (named after the test database, with _backup_source / _backup_restored), made and
dropped here, so the test database and the other tests are untouched. The README's "Backup and
restore" section is the same procedure for the compose database.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import dj_database_url
import pytest

from indicators.models import TargetChange

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT = Path(__file__).with_name("backup_snapshot.py")
DATABASE_URL = os.environ.get("DATABASE_URL", "")

pytestmark = pytest.mark.skipif(
    not DATABASE_URL.startswith(("postgres://", "postgresql://")),
    reason="the backup round trip needs PostgreSQL (CI's PostgreSQL step sets DATABASE_URL)",
)


def _pg_env(config: dict) -> dict:
    env = dict(os.environ)
    env.update(
        PGHOST=config["HOST"] or "127.0.0.1",
        PGPORT=str(config["PORT"] or 5432),
        PGUSER=config["USER"] or "postgres",
    )
    if config.get("PASSWORD"):
        env["PGPASSWORD"] = config["PASSWORD"]
    return env


def _url(config: dict, name: str) -> str:
    password = f":{config['PASSWORD']}" if config.get("PASSWORD") else ""
    return f"postgres://{config['USER']}{password}@{config['HOST']}:{config['PORT'] or 5432}/{name}"


def _run(args, env, timeout=600) -> str:
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, (args, done.stdout[-2000:], done.stderr[-4000:])
    return done.stdout


@pytest.fixture
def databases(tmp_path):
    config = dj_database_url.parse(DATABASE_URL)
    suffix = os.environ.get("PYTEST_XDIST_WORKER", "main")
    base = f"test_{config['NAME']}_{suffix}"
    names = {"source": f"{base}_backup_source", "restored": f"{base}_backup_restored"}
    pg = _pg_env(config)
    for name in names.values():
        _run(["dropdb", "--if-exists", name], pg)
    _run(["createdb", names["source"]], pg)
    yield config, names, pg
    for name in names.values():
        subprocess.run(["dropdb", "--if-exists", name], env=pg, capture_output=True)


def _django_env(url: str) -> dict:
    env = dict(os.environ, DATABASE_URL=url, DEBUG="true", CELERY_TASK_ALWAYS_EAGER="true")
    env.pop("TEST_DATABASE_NAME", None)
    return env


def test_pg_dump_and_pg_restore_give_the_same_scorecards_and_audit_trail(databases, tmp_path):
    config, names, pg = databases
    source = _django_env(_url(config, names["source"]))
    python = sys.executable
    # The demo council as `make run` prepares it (exception lists and as-reported snapshots
    # built), and a target changed by the hub with a reason: a row in the audit trail.
    _run([python, "manage.py", "prepare_embedded"], source, timeout=900)
    _run([python, "manage.py", "shell", "-c", TARGET_CHANGE], source)

    dump = tmp_path / "kpi.dump"
    _run(["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", names["source"]], pg)
    _run(["createdb", names["restored"]], pg)
    _run(["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={names['restored']}", str(dump)], pg)

    before = json.loads(_run([python, str(SNAPSHOT)], source))
    after = json.loads(_run([python, str(SNAPSHOT)], _django_env(_url(config, names["restored"]))))

    assert all(page["status"] == 200 for page in before["pages"].values()), before["pages"]
    assert before["tables"][TargetChange._meta.label]["rows"] > 0  # an audit trail to compare
    assert before["tables"]["reporting.ReportedAssessment"]["rows"] > 0  # as-reported figures too
    assert after["pages"] == before["pages"]
    assert after["tables"] == before["tables"]


TARGET_CHANGE = """
from django.contrib.auth import get_user_model
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
client = Client()
client.force_login(get_user_model().objects.get(username="hub"))
response = client.post(
    "/targets/STF15/", {"period": "Q4 2015/16", "value": "7.5", "reason": "Backup round trip check"}
)
assert response.status_code == 302, response.content.decode()[-2000:]
"""
