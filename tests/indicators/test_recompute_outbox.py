"""A broker outage never fails a save and never loses its recompute (issue 11, item 3).

The production shape (Celery not eager) with the broker unreachable: the save answers at once,
the indicator is marked in the same transaction, pages say it is being recalculated, and the
sweep recomputes it exactly once. tests/worker/test_broker_outage.py does the same with a real
worker and a real Redis that is stopped and started again.
"""

import datetime
import socket
import time
from decimal import Decimal

import pytest
from django.db import transaction

from indicators.models import Assessment, Indicator, RecomputeMark, Result
from indicators.services.periods import ensure_periods
from indicators.services.recompute_marks import enqueue_safely
from indicators.tasks import recompute_all, recompute_indicator, sweep_recompute_marks
from kpi_machine.celery import app

pytestmark = pytest.mark.django_db(transaction=True)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def broker_down(settings):
    """Celery as in production (not eager), its broker a port where nothing listens."""
    url = f"redis://127.0.0.1:{_closed_port()}/0"
    saved = {k: app.conf[k] for k in ("task_always_eager", "broker_url", "result_backend")}
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.update(task_always_eager=False, broker_url=url, result_backend=url)
    _forget_connections(app)
    enqueue_safely(0)  # the first send imports and sets up the producer: not what is timed
    yield url
    app.conf.update(saved)
    _forget_connections(app)


def _forget_connections(app) -> None:
    from kpi_machine import health

    health._broker_state.update(state=None)
    app._pool = None
    app.amqp._producer_pool = None
    app._backend_cache = None


@pytest.fixture
def indicator(org):
    [indicator] = Indicator.objects.bulk_create(
        [
            Indicator(
                reference="OUT01",
                title="Outbox test",
                unit="count",
                polarity="up_is_good",
                frequency="annual",
                service=org["hr"],
                published=True,
            )
        ]
    )
    return indicator


def _save_result(indicator, value=5):
    period = ensure_periods([("year", datetime.date(2015, 4, 1))])[("year", datetime.date(2015, 4, 1))]
    with transaction.atomic():
        return Result.objects.update_or_create(
            indicator=indicator, period=period, defaults={"value": Decimal(value), "status": "approved"}
        )[0]


def test_a_save_with_the_broker_down_is_quick_marked_and_swept_once(broker_down, indicator, client, users):
    started = time.monotonic()
    _save_result(indicator)
    assert time.monotonic() - started < 1  # it waited 21 s before
    assert RecomputeMark.objects.filter(indicator_id=indicator.id).exists()
    assert not Assessment.objects.filter(indicator=indicator).exists()

    client.force_login(users["hub"])
    page = client.get("/indicators/OUT01/").content.decode()
    assert "Being recalculated" in page

    health = client.get("/healthz/").json()
    assert health == {"status": "degraded", "database": True, "broker": "unreachable"}

    assert sweep_recompute_marks(grace_seconds=3600) == []  # too young: its task may still come
    assert sweep_recompute_marks(grace_seconds=0) == [indicator.id]
    assert Assessment.objects.filter(indicator=indicator).count() == 1
    assert sweep_recompute_marks(grace_seconds=0) == []  # exactly once
    assert "Being recalculated" not in client.get("/indicators/OUT01/").content.decode()


def test_a_rolled_back_save_leaves_no_mark(indicator, broker_down):
    with pytest.raises(RuntimeError), transaction.atomic():
        _save_result(indicator)
        raise RuntimeError
    assert not RecomputeMark.objects.exists()


def test_the_task_and_the_nightly_recompute_claim_the_mark(indicator):
    # Eager, as in the embedded run: the task ran on commit and took the mark.
    _save_result(indicator)
    assert not RecomputeMark.objects.exists()
    assert Assessment.objects.filter(indicator=indicator).exists()
    RecomputeMark.objects.create(indicator_id=indicator.id, marked_at=datetime.datetime.now(datetime.UTC))
    recompute_all()
    assert not RecomputeMark.objects.exists()
    RecomputeMark.objects.create(indicator_id=indicator.id, marked_at=datetime.datetime.now(datetime.UTC))
    recompute_indicator(indicator.id)
    assert not RecomputeMark.objects.exists()


def test_a_failed_recompute_puts_the_mark_back(indicator, monkeypatch):
    import indicators.tasks as tasks

    RecomputeMark.objects.create(indicator_id=indicator.id, marked_at=datetime.datetime.now(datetime.UTC))

    def boom(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(tasks, "recompute_assessments", boom)
    with pytest.raises(RuntimeError):
        sweep_recompute_marks(grace_seconds=0)
    assert RecomputeMark.objects.filter(indicator_id=indicator.id).exists()


def test_deleting_an_indicator_with_results_leaves_no_mark(indicator):
    _save_result(indicator)
    indicator.delete()
    assert not RecomputeMark.objects.exists()


def test_healthz_in_the_embedded_run_says_eager(client):
    assert client.get("/healthz/").json() == {"status": "ok", "database": True, "broker": "eager"}
