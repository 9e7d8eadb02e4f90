"""A real Celery worker process on a real Redis, sharing the test database.

These tests run only with RUN_WORKER_TESTS=1 (`.ci/run` sets it). The worker is a separate
process, so it must reach the very database pytest-django created:

* the tests use `django_db(transaction=True)`, so their rows are committed and visible;
* the worker gets DATABASE_URL built from the test connection's settings after set-up
  (`test_<name>` on PostgreSQL; on SQLite the TEST_DATABASE_NAME file — the default in-memory
  test database cannot be shared, and the tests skip saying so);
* it consumes a queue named for this session only, so concurrent runs sharing a Redis never
  take each other's tasks.

The worker's output goes to a file that is attached to the report of any failing test.
"""

import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest

ROOT = Path(__file__).resolve().parents[2]
SKIP_REASON = "worker tests need RUN_WORKER_TESTS=1 and a real Redis; .ci/run runs them"
START_TIMEOUT = 60


def worker_tests_enabled() -> bool:
    return os.environ.get("RUN_WORKER_TESTS") == "1"


def pytest_collection_modifyitems(config, items):
    if worker_tests_enabled():
        return
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.skip(reason=SKIP_REASON))


def database_url(settings_dict: dict) -> str:
    """A DATABASE_URL (as dj-database-url reads it) for the connection's current database."""
    engine = settings_dict["ENGINE"]
    name = str(settings_dict["NAME"])
    if engine == "django.db.backends.sqlite3":
        if name == ":memory:" or "mode=memory" in name or name.startswith("file:"):
            pytest.skip(
                "the SQLite test database is in memory, which a worker process cannot open: "
                "set TEST_DATABASE_NAME=/tmp/some-file.sqlite3 (as .ci/run does)"
            )
        return f"sqlite:///{Path(name).resolve()}"
    if engine == "django.db.backends.postgresql":
        user = quote(settings_dict.get("USER") or "", safe="")
        password = settings_dict.get("PASSWORD") or ""
        credentials = f"{user}:{quote(password, safe='')}@" if password else (f"{user}@" if user else "")
        host = settings_dict.get("HOST") or "127.0.0.1"
        port = settings_dict.get("PORT") or 5432
        return f"postgres://{credentials}{host}:{port}/{quote(name, safe='')}"
    pytest.skip(f"worker tests do not know how to share a {engine} database")


class Worker:
    def __init__(self, process: subprocess.Popen, log_path: Path, queue: str, nodename: str):
        self.process = process
        self.log_path = log_path
        self.queue = queue
        self.nodename = nodename

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return "(no worker log)"


_current_worker: Worker | None = None


def reset_routing(app) -> None:
    """Forget Celery's cached queues and router so a changed task_default_queue takes effect."""
    for name in ("queues", "default_queue", "router"):
        app.amqp.__dict__.pop(name, None)


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker):
    """Start `celery -A kpi_machine worker --pool=solo` against the test database; stop it at the end.

    Depends on django_db_setup, so it is torn down (the worker stopped) before the test
    database is destroyed: PostgreSQL refuses to drop a database with open connections.
    """
    global _current_worker
    from django.db import connection

    from kpi_machine.celery import app

    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        pytest.fail("RUN_WORKER_TESTS=1 needs REDIS_URL (e.g. redis://127.0.0.1:6379/15)", pytrace=False)

    with django_db_blocker.unblock():
        url = database_url(connection.settings_dict)

    session = uuid.uuid4().hex[:12]
    queue = f"kpi-test-{session}"
    nodename = f"kpi-test-{session}@localhost"
    log_file = tempfile.NamedTemporaryFile(prefix="kpi-celery-worker-", suffix=".log", delete=False)
    log_path = Path(log_file.name)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DATABASE_CONN_MAX_AGE": "0",
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "CELERY_RESULT_BACKEND": redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DJANGO_SETTINGS_MODULE": "kpi_machine.settings",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("TEST_DATABASE_NAME", None)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "kpi_machine",
            "worker",
            "--pool=solo",
            "-l",
            "warning",
            "-Q",
            queue,
            "-n",
            nodename,
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
    )
    log_file.close()
    worker = Worker(process, log_path, queue, nodename)
    _current_worker = worker

    # The test process must send to the broker (not run eagerly) and to this session's queue.
    saved = {
        key: app.conf[key]
        for key in ("task_always_eager", "task_default_queue", "broker_url", "result_backend")
    }
    app.conf.update(
        task_always_eager=False, task_default_queue=queue, broker_url=redis_url, result_backend=redis_url
    )
    reset_routing(app)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(
                    f"the Celery worker exited with {process.returncode}:\n{worker.log()}", pytrace=False
                )
            try:
                if app.control.ping(destination=[nodename], timeout=1.0):
                    break
            except Exception as error:  # broker not reachable yet
                if time.monotonic() > deadline:
                    pytest.fail(f"cannot reach the broker at {redis_url}: {error}", pytrace=False)
            if time.monotonic() > deadline:
                pytest.fail(
                    f"the Celery worker did not answer within {START_TIMEOUT}s:\n{worker.log()}",
                    pytrace=False,
                )
            time.sleep(0.5)
        yield worker
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        try:  # best effort: leftover keys in a test Redis database are harmless
            import redis

            client = redis.Redis.from_url(redis_url)
            keys = list(client.scan_iter(match=f"*{queue}*"))
            if keys:
                client.delete(*keys)
            client.close()
        except Exception:
            pass
        app.conf.update(saved)
        reset_routing(app)
        _current_worker = None
        log_path.unlink(missing_ok=True)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed and _current_worker is not None and "celery_worker_process" in item.fixturenames:
        report.sections.append(("Celery worker output", _current_worker.log() or "(empty)"))
