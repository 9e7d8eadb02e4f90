"""An import as a job with a real Celery worker through a real Redis (issue 11 item 1): the upload
and the confirm only start jobs; the worker reads the file, then writes it all and marks its
indicators for the one recompute. See conftest.py.

Run with: RUN_WORKER_TESTS=1 REDIS_URL=redis://127.0.0.1:6379/15 \\
          TEST_DATABASE_NAME=/tmp/kpi-worker-test.sqlite3 .venv/bin/python -m pytest tests/worker
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from test_recompute_task import wait_for

from indicators.models import Assessment, ImportBatch, Indicator, RecomputeMark, Result
from indicators.tasks import sweep_recompute_marks
from organisation.models import Role

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
MONTHS = ["Apr 2015", "May 2015", "Jun 2015", "Jul 2015", "Aug 2015", "Sep 2015"]


def test_the_worker_reads_and_writes_an_import_the_pages_only_started(
    celery_worker_process, client, make_user, org
):
    hub = make_user(Role.HUB)
    for n in range(3):
        Indicator.objects.create(
            reference=f"JOB{n}",
            title=f"Job indicator {n}",
            category="performance",
            unit="count",
            polarity="up_is_good",
            frequency="monthly",
            service=org["hr"],
        )
    lines = ["Reference ID," + ",".join(MONTHS)] + [
        f"JOB{n}," + ",".join(str(10 * n + m) for m in range(len(MONTHS))) for n in range(3)
    ]
    client.force_login(hub)
    response = client.post("/imports/", {"file": SimpleUploadedFile("jobs.csv", "\n".join(lines).encode())})
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert wait_for(lambda: ImportBatch.objects.get(pk=batch.pk).status == "previewed"), (
        ImportBatch.objects.get(pk=batch.pk).status,
        celery_worker_process.log(),
    )
    assert len(ImportBatch.objects.get(pk=batch.pk).plan["writes"]) == 18

    assert client.post(response["Location"]).status_code == 302
    assert wait_for(lambda: ImportBatch.objects.get(pk=batch.pk).status == "applied"), (
        ImportBatch.objects.values_list("status", "messages").get(pk=batch.pk),
        celery_worker_process.log()[-3000:],
    )
    assert Result.objects.filter(indicator__reference__startswith="JOB").count() == 18
    assert "18 results written" in client.get(response["Location"]).content.decode()
    # The write marked its three indicators for recompute in its own transaction (the outbox). The
    # one task it queued goes to the worker's default queue, which this session's worker does not
    # consume (it listens on its own queue only), so the sweep does that recompute here.
    imported = set(Indicator.objects.filter(reference__startswith="JOB").values_list("id", flat=True))
    assert set(RecomputeMark.objects.values_list("indicator_id", flat=True)) == imported
    assert sorted(sweep_recompute_marks(grace_seconds=0)) == sorted(imported)
    assert Assessment.objects.filter(indicator__reference__startswith="JOB").count() == 18
