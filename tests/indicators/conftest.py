"""Fixtures shared by the import job tests of data entry and benchmarking."""

import pytest

from indicators.data_entry import tasks


@pytest.fixture
def not_eager():
    """Celery as in production: tasks are sent to a broker, not run in the caller."""
    conf = tasks.read_import.app.conf
    saved = conf["task_always_eager"]
    conf.update(task_always_eager=False)
    yield
    conf.update(task_always_eager=saved)


@pytest.fixture
def queued(not_eager, monkeypatch):
    """Each send is recorded, as a broker would take it; the tests then run the tasks as the worker."""
    from indicators.services import recompute_marks

    sent = []
    monkeypatch.setattr(
        recompute_marks, "send_safely", lambda task, *args: sent.append((task.name, args)) or True
    )
    return sent
