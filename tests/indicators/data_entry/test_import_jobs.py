"""Imports run as jobs, not in the request (issue 11 item 1).

The upload stores the file and answers at once; a worker reads it; the preview shows progress
(htmx polling, a Refresh link without JavaScript); the uploader confirms; a worker writes it all
or nothing; the page says what was written, or why nothing was. Only the uploader and the hub
see a job. The tests run the production shape (Celery not eager, the send recorded instead of a
broker) and call the tasks as the worker would (the `not_eager` and `queued` fixtures are in
tests/indicators/conftest.py, shared with the comparator import's jobs).
"""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from indicators.data_entry import tasks
from indicators.data_entry.services import imports
from indicators.models import ImportBatch, Result, ResultChange
from indicators.services.periods import ensure_periods

PREVIEW = "/imports/{}/"
PROGRESS = "/imports/{}/progress/"
CSV = b"Reference ID,Nov 2015,Dec 2015,Commentary\nSTF90,88,90,On track after the October push\n"


def _upload(client, user, data=CSV, name="returns.csv"):
    client.force_login(user)
    response = client.post("/imports/", {"file": SimpleUploadedFile(name, data)})
    assert response.status_code == 302, response.content
    return ImportBatch.objects.latest("id"), response["Location"]


@pytest.mark.django_db
def test_the_upload_answers_at_once_and_a_worker_reads_the_file(
    client, users, pdr, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        batch, location = _upload(client, users["officer"])
    assert location == PREVIEW.format(batch.pk)
    assert batch.status == "queued" and bytes(batch.upload) == CSV and batch.plan == {}
    assert queued == [("indicators.data_entry.tasks.read_import", (batch.pk,))]

    page = client.get(location).content.decode()
    assert "Reading the file" in page and "Confirm and import" not in page
    assert f'hx-get="{PROGRESS.format(batch.pk)}"' in page and 'hx-trigger="every 2s"' in page
    assert f'href="{PREVIEW.format(batch.pk)}" id="import-refresh">Refresh</a>' in page
    assert "<script>" not in page and " style=" not in page  # strict CSP: nothing inline

    polled = client.get(PROGRESS.format(batch.pk), headers={"HX-Request": "true"})
    assert polled.status_code == 200 and "HX-Refresh" not in polled

    tasks.read_import(batch.pk)  # the worker
    batch.refresh_from_db()
    assert batch.status == "previewed" and len(batch.plan["writes"]) == 2
    assert bytes(batch.upload) == b"" and batch.rows_done == batch.rows_total == 1
    assert not Result.objects.exists()
    polled = client.get(PROGRESS.format(batch.pk), headers={"HX-Request": "true"})
    assert polled["HX-Refresh"] == "true"  # finished: the page reloads to show the preview
    assert "Confirm and import" in client.get(location).content.decode()
    tasks.read_import(batch.pk)  # a second delivery of the task reads nothing again
    assert ImportBatch.objects.get(pk=batch.pk).plan == batch.plan


@pytest.mark.django_db
def test_confirm_starts_the_write_job_and_the_result_page_says_what_was_written(
    client, users, pdr, queued, django_capture_on_commit_callbacks
):
    batch, location = _upload(client, users["officer"])
    tasks.read_import(batch.pk)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(location)
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == "applying" and batch.rows_total == 2 and not Result.objects.exists()
    assert queued[-1] == ("indicators.data_entry.tasks.apply_import", (batch.pk,))
    page = client.get(location).content.decode()
    assert "Importing" in page and "0 of 2 values written" in page and "Confirm and import" not in page
    client.post(location)  # a second confirm while it runs starts nothing more
    assert [name for name, _ in queued].count("indicators.data_entry.tasks.apply_import") == 1

    tasks.apply_import(batch.pk)
    batch.refresh_from_db()
    assert batch.status == "applied" and batch.summary["results_written"] == 2
    assert Result.objects.count() == 2 and ResultChange.objects.filter(action="import").count() == 2
    page = client.get(location).content.decode()
    assert "2 results written, 0 indicators created" in page
    tasks.apply_import(batch.pk)  # redelivered: nothing more
    assert Result.objects.count() == 2


@pytest.mark.django_db
def test_the_embedded_run_reads_and_writes_before_the_page_answers(client, users, pdr):
    batch, location = _upload(client, users["officer"])
    batch.refresh_from_db()
    assert batch.status == "previewed"
    page = client.post(location, follow=True).content.decode()
    assert "Imported returns.csv: 2 results written" in page and Result.objects.count() == 2


@pytest.mark.django_db
def test_a_failure_while_writing_writes_nothing_and_says_why(client, users, pdr, queued, monkeypatch):
    batch, location = _upload(client, users["officer"])
    tasks.read_import(batch.pk)
    client.post(location)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    from indicators.data_entry.services import results

    monkeypatch.setattr(results, "update_rows", broken)  # after the new results were inserted
    tasks.apply_import(batch.pk)
    batch.refresh_from_db()
    assert batch.status == "failed" and "unexpected error (RuntimeError)" in batch.messages[0]
    assert not Result.objects.exists() and not ResultChange.objects.exists()
    page = client.get(location).content.decode()
    assert "Import failed" in page and "Nothing has been saved" in page
    assert "Confirm and import" not in page
    assert client.post(location, follow=True).status_code == 200  # confirming a failed job: a message
    assert not Result.objects.exists()


@pytest.mark.django_db
def test_a_value_changed_since_the_preview_fails_the_job_with_the_rows(client, users, pdr, queued):
    batch, location = _upload(client, users["officer"])
    tasks.read_import(batch.pk)
    client.post(location)
    key = ("month", datetime.date(2015, 12, 1))
    Result.objects.create(indicator=pdr, period=ensure_periods([key])[key], value=77, status="approved")
    tasks.apply_import(batch.pk)
    page = client.get(location).content.decode()
    assert "changed since the preview" in page and "STF90 Dec 2015" in page
    assert Result.objects.get().value == 77


@pytest.mark.django_db
def test_an_unexpected_reading_error_fails_the_job_with_a_message(client, users, pdr, queued, monkeypatch):
    batch, location = _upload(client, users["officer"])
    monkeypatch.setattr(imports, "parse_sheets", lambda sheets: 1 / 0)
    tasks.read_import(batch.pk)
    batch.refresh_from_db()
    assert batch.status == "failed" and "could not be read (ZeroDivisionError)" in batch.messages[0]
    assert bytes(batch.upload) == b""
    assert "Import failed" in client.get(location).content.decode()


@pytest.mark.django_db
def test_a_broker_outage_fails_the_upload_with_a_message_not_a_500(
    client, users, pdr, not_eager, monkeypatch, django_capture_on_commit_callbacks
):
    from indicators.services import recompute_marks

    monkeypatch.setattr(recompute_marks, "send_safely", lambda task, *args: False)
    with django_capture_on_commit_callbacks(execute=True):
        batch, location = _upload(client, users["officer"])
    batch.refresh_from_db()
    assert batch.status == "failed" and batch.messages == [imports.CANNOT_QUEUE]
    assert "not available just now" in client.get(location).content.decode()


@pytest.mark.django_db
def test_a_job_is_seen_only_by_its_uploader_and_the_hub(client, users, pdr, queued):
    batch, location = _upload(client, users["officer"])
    for role in ("head", "director", "cmt", "councillor", "scrutiny", "auditor"):
        client.force_login(users[role])
        assert client.get(location).status_code == 403, role
        assert client.get(PROGRESS.format(batch.pk)).status_code == 403, role
        assert client.post(location).status_code == 403, role
    client.force_login(users["hub"])
    assert client.get(location).status_code == 200
    assert client.get(PROGRESS.format(batch.pk)).status_code == 200
    tasks.read_import(batch.pk)
    assert client.post(location).status_code == 403  # the hub sees it but only the uploader confirms
    assert ImportBatch.objects.get(pk=batch.pk).status == "previewed"
    client.logout()
    for url in (location, PROGRESS.format(batch.pk)):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response["Location"], url
    assert client.post(location).status_code == 302
    assert client.get(PREVIEW.format(batch.pk + 1000)).status_code in (302, 404)
    assert not Result.objects.exists()


@pytest.mark.django_db
def test_the_preview_and_progress_queries_do_not_grow_with_the_file(client, users, pdr, queued):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for unknown in (1, 60):
        lines = ["Reference ID,Nov 2015,Dec 2015", "STF90,90,91"] + [f"UNK{n},1,2" for n in range(unknown)]
        batch, location = _upload(client, users["officer"], data="\n".join(lines).encode())
        tasks.read_import(batch.pk)
        assert len(ImportBatch.objects.get(pk=batch.pk).plan["rejected"]) == unknown
        with CaptureQueriesContext(connection) as page:
            assert client.get(location).status_code == 200
        with CaptureQueriesContext(connection) as progress:
            assert client.get(PROGRESS.format(batch.pk)).status_code == 200
        counts.append((len(page), len(progress)))
    assert counts[0] == counts[1], counts


@pytest.mark.django_db
def test_preview_and_confirm_queries_do_not_grow_with_the_number_of_values(users, org):
    """The 12,000-value hub confirm is bulk writes: the same number of queries for 2 values or 96."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from indicators.data_entry.services.imports import import_apply, import_preview
    from indicators.models import Indicator

    counts = []
    for size, months in ((1, 2), (8, 12)):
        prefix = f"Q{size}X"
        for n in range(size):
            Indicator.objects.create(
                reference=f"{prefix}{n}",
                title="Counted",
                category="performance",
                unit="count",
                polarity="up_is_good",
                frequency="monthly",
                service=org["hr"],
            )
        labels = [datetime.date(2015, 1 + m, 1).strftime("%b %Y") for m in range(months)]
        lines = ["Reference ID," + ",".join(labels)]
        lines += [f"{prefix}{n}," + ",".join(str(n + m) for m in range(months)) for n in range(size)]
        with CaptureQueriesContext(connection) as preview:
            batch = import_preview(user=users["hub"], filename="q.csv", data="\n".join(lines).encode())
        assert len(batch.plan["writes"]) == size * months, batch.plan["rejected"]
        with CaptureQueriesContext(connection) as confirm:
            assert import_apply(user=users["hub"], batch=batch)["results_written"] == size * months
        counts.append((len(preview), len(confirm)))
    assert Result.objects.count() == ResultChange.objects.count() == 2 + 96
    assert counts[0] == counts[1], counts


@pytest.mark.django_db
def test_a_read_abandoned_by_a_killed_worker_is_taken_over_by_the_redelivered_task(
    client, users, pdr, queued
):
    batch, _ = _upload(client, users["officer"])
    ImportBatch.objects.filter(pk=batch.pk).update(status="reading")  # a worker is reading it now
    tasks.read_import(batch.pk)
    assert ImportBatch.objects.get(pk=batch.pk).status == "reading"  # not read twice at once
    stale = imports.timezone.now() - imports.READ_ABANDONED_AFTER - datetime.timedelta(seconds=1)
    ImportBatch.objects.filter(pk=batch.pk).update(updated_at=stale)  # that worker died
    tasks.read_import(batch.pk)
    assert ImportBatch.objects.get(pk=batch.pk).status == "previewed"


# --- The write shows rows done of total (issue 11 item 1, the confirm's progress) ---------------
#
# The write is one transaction, so its progress travels through the "import_progress" cache
# (settings.CACHES), not the batch row. With one row per chunk, two values are two chunks.


def _confirmed(client, user, queued):
    batch, location = _upload(client, user)
    tasks.read_import(batch.pk)
    client.post(location)
    assert ImportBatch.objects.get(pk=batch.pk).status == "applying"
    return batch, location


@pytest.mark.django_db
def test_the_progress_counter_advances_while_the_write_transaction_runs(
    client, users, pdr, queued, monkeypatch
):
    from indicators.data_entry.services import results

    batch, location = _confirmed(client, users["officer"], queued)
    monkeypatch.setattr(results, "WRITE_CHUNK", 1)
    seen = []
    insert = results.insert_rows

    def watched(model, objects):
        if model is Result:  # the start of each chunk: what does the polling page say now?
            panel = client.get(PROGRESS.format(batch.pk), headers={"HX-Request": "true"}).content.decode()
            stored = ImportBatch.objects.values_list("rows_done", flat=True).get(pk=batch.pk)
            seen.append((" of 2 values written" in panel and panel.split("Importing: ")[1][:1], stored))
        insert(model, objects)

    monkeypatch.setattr(results, "insert_rows", watched)
    tasks.apply_import(batch.pk)
    assert seen == [("0", 0), ("1", 0)]  # moved on, though the batch row has not changed yet
    batch.refresh_from_db()
    assert batch.status == "applied" and batch.rows_done == batch.rows_total == 2
    assert Result.objects.count() == 2
    assert imports.with_write_progress(batch).rows_done == 2
    from django.core.cache import caches

    assert caches[imports.PROGRESS_CACHE].get(imports._progress_key(batch.pk)) is None  # cleared


@pytest.mark.django_db
def test_a_failure_midway_through_the_write_leaves_nothing_written(client, users, pdr, queued, monkeypatch):
    from indicators.data_entry.services import results

    batch, location = _confirmed(client, users["officer"], queued)
    monkeypatch.setattr(results, "WRITE_CHUNK", 1)
    reported = []
    report = imports._report_written
    monkeypatch.setattr(imports, "_report_written", lambda b, done: reported.append(done) or report(b, done))
    insert, calls = results.insert_rows, []

    def second_chunk_fails(model, objects):
        calls.append(model)
        if calls.count(Result) == 2:
            raise RuntimeError("the worker's disk filled up")
        insert(model, objects)

    monkeypatch.setattr(results, "insert_rows", second_chunk_fails)
    tasks.apply_import(batch.pk)
    assert reported == [1]  # the first chunk was written, inside the transaction
    batch.refresh_from_db()
    assert batch.status == "failed" and "unexpected error (RuntimeError)" in batch.messages[0]
    assert not Result.objects.exists() and not ResultChange.objects.exists()
    page = client.get(location).content.decode()
    assert "Import failed" in page and "Nothing has been saved" in page


@pytest.mark.django_db
def test_an_unreachable_progress_cache_does_not_stop_the_import(client, users, pdr, queued, monkeypatch):
    batch, location = _confirmed(client, users["officer"], queued)

    class Down:
        def __getattr__(self, name):
            raise ConnectionError("Redis is down")

    monkeypatch.setattr(imports, "caches", {imports.PROGRESS_CACHE: Down()})
    assert "0 of 2 values written" in client.get(location).content.decode()
    tasks.apply_import(batch.pk)
    assert ImportBatch.objects.get(pk=batch.pk).status == "applied" and Result.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_another_connection_sees_the_progress_but_none_of_the_rows_until_commit(client, users, pdr, queued):
    """The production shape on PostgreSQL: the worker writes on its own connection while the page
    polls on another; the page sees rows done of total move, and no row until the commit."""
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite's in-memory test database cannot be read while another connection writes")
    from indicators.data_entry.services import results

    batch, location = _confirmed(client, users["officer"], queued)
    first_chunk_done, carry_on = threading.Event(), threading.Event()
    insert, chunks = results.insert_rows, []

    def paused(model, objects):
        if model is Result:
            chunks.append(1)
            if len(chunks) == 2:
                first_chunk_done.set()
                carry_on.wait(30)
        insert(model, objects)

    def worker():
        try:
            tasks.apply_import(batch.pk)
        finally:
            connection.close()

    saved_chunk, saved_insert = results.WRITE_CHUNK, results.insert_rows
    results.WRITE_CHUNK, results.insert_rows = 1, paused
    try:
        thread = threading.Thread(target=worker)
        thread.start()
        assert first_chunk_done.wait(30)
        polled = client.get(PROGRESS.format(batch.pk), headers={"HX-Request": "true"})
        assert "1 of 2 values written" in polled.content.decode() and "HX-Refresh" not in polled
        assert not Result.objects.exists()  # uncommitted: nothing half-written is visible
        carry_on.set()
        thread.join(30)
    finally:
        results.WRITE_CHUNK, results.insert_rows = saved_chunk, saved_insert
        carry_on.set()
    assert ImportBatch.objects.get(pk=batch.pk).status == "applied" and Result.objects.count() == 2
