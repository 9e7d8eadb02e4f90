"""A broker outage with a real worker: the broker is stopped, results are saved, the broker is
started again, and every recompute is done exactly once (issue 11, item 3).

The test runs its own redis-server on a free port (the shared one of .ci/run is never
stopped) and its own Celery worker on that broker. See conftest.py for the shared database.
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import transaction
from test_recompute_task import make_indicator, wait_for, year_periods

from indicators.models import Assessment, RecomputeMark, Result
from indicators.tasks import sweep_recompute_marks


def _worker_conftest():
    """tests/worker/conftest.py's helpers (conftest modules are not importable by name)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("_worker_conftest", Path(__file__).with_name("conftest.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_helpers = _worker_conftest()
ROOT, database_url, reset_routing = _helpers.ROOT, _helpers.database_url, _helpers.reset_routing


def _forget_connections(app) -> None:
    """Drop the app's cached broker pool, producer pool and result backend (a new URL follows)."""
    reset_routing(app)
    app._pool = None
    app.amqp._producer_pool = None
    app._backend_cache = None
    app._local.__dict__.pop("backend", None)


pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
TASK_TIMEOUT = 60


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Broker:
    def __init__(self, port: int):
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.1)
        pytest.fail("redis-server did not start")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def private_broker_and_worker(django_db_setup, django_db_blocker):
    if not shutil.which("redis-server"):
        pytest.fail("the broker-outage test needs redis-server (.ci/run has it)", pytrace=False)
    from django.db import connection

    from kpi_machine.celery import app

    with django_db_blocker.unblock():
        url = database_url(connection.settings_dict)
    broker = Broker(_free_port())
    broker.start()
    session = uuid.uuid4().hex[:12]
    queue, nodename = f"kpi-outage-{session}", f"kpi-outage-{session}@localhost"
    log = tempfile.NamedTemporaryFile(prefix="kpi-outage-worker-", suffix=".log", delete=False)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DATABASE_CONN_MAX_AGE": "0",
        "REDIS_URL": broker.url,
        "CELERY_BROKER_URL": broker.url,
        "CELERY_RESULT_BACKEND": broker.url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DJANGO_SETTINGS_MODULE": "kpi_machine.settings",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("TEST_DATABASE_NAME", None)
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "kpi_machine", "worker", "--pool=solo", "-l", "warning"]
        + ["-Q", queue, "-n", nodename, "--without-gossip", "--without-mingle"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    saved = {
        k: app.conf[k] for k in ("task_always_eager", "task_default_queue", "broker_url", "result_backend")
    }
    app.conf.update(
        task_always_eager=False, task_default_queue=queue, broker_url=broker.url, result_backend=broker.url
    )
    _forget_connections(app)

    def answers() -> bool:
        try:
            return bool(app.control.ping(destination=[nodename], timeout=1.0))
        except Exception:
            return False

    try:
        assert wait_for(answers, timeout=60), Path(log.name).read_text()
        yield broker, answers
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
        broker.stop()
        app.conf.update(saved)
        _forget_connections(app)
        Path(log.name).unlink(missing_ok=True)


def test_saves_during_a_broker_outage_are_recomputed_exactly_once(private_broker_and_worker, settings):
    broker, worker_answers = private_broker_and_worker
    settings.CELERY_TASK_ALWAYS_EAGER = False
    indicator = make_indicator("OUT01")
    periods = year_periods()

    broker.stop()
    started = time.monotonic()
    for period, value in zip(periods, (90, 95, 99), strict=True):
        with transaction.atomic():
            Result.objects.create(
                indicator=indicator, period=period, value=Decimal(value), status=Result.Status.APPROVED
            )
    took = time.monotonic() - started
    assert took < 6, f"three saves took {took:.1f}s with the broker down"
    assert RecomputeMark.objects.filter(indicator_id=indicator.id).exists()
    assert not Assessment.objects.filter(indicator=indicator).exists()

    broker.start()
    assert wait_for(worker_answers, timeout=60), "the worker did not reconnect to the broker"
    swept = sweep_recompute_marks.apply_async(kwargs={"grace_seconds": 0}).get(timeout=TASK_TIMEOUT)
    assert swept == [indicator.id]
    assert Assessment.objects.filter(indicator=indicator).count() == 3
    again = sweep_recompute_marks.apply_async(kwargs={"grace_seconds": 0}).get(timeout=TASK_TIMEOUT)
    assert again == []  # exactly once

    # With the broker back, a save takes the fast path again: its task claims the mark.
    with transaction.atomic():
        Result.objects.filter(indicator=indicator, period=periods[-1]).update(value=Decimal(50))
        Result.objects.get(indicator=indicator, period=periods[-1]).save()
    assert wait_for(lambda: not RecomputeMark.objects.filter(indicator_id=indicator.id).exists())
    assert wait_for(
        lambda: Assessment.objects.get(indicator=indicator, period=periods[-1]).value == Decimal(50)
    )
    assert sweep_recompute_marks.apply_async(kwargs={"grace_seconds": 0}).get(timeout=TASK_TIMEOUT) == []
