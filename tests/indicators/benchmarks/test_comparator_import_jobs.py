"""The comparator import runs as a job, the same job flow as result imports (issue 11 item 1).

The upload stores the file and answers at once; a worker reads it; the preview and the confirm
show rows done of total (htmx polling); the worker writes all or nothing; the page says what was
written, or why nothing was. Hub only, checked where the batch is fetched. The tests run the
production shape (Celery not eager, sends recorded: `queued` in tests/indicators/conftest.py)
and call the tasks as the worker would, except the embedded-run test.
"""

import io
import zipfile
from decimal import Decimal

import pytest
from django.core.cache import caches
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from indicators.benchmarks import services
from indicators.data_entry import tasks
from indicators.data_entry.services import imports
from indicators.models import ComparatorOrganisation, ComparatorValue, ImportBatch
from organisation.models import Role
from tests.indicators.benchmarks.test_comparator_import import as_xlsx

pytestmark = pytest.mark.django_db
UPLOAD = "/benchmarks/import/"
PAGE = "/benchmarks/import/{}/"
PROGRESS = "/benchmarks/import/{}/progress/"
CSV = b"Indicator reference,Period,Organisation,Value\nSTF90,2014/15,Derby,82.5\nSTF90,2014/15,Leicester,79\n"


def _upload(client, user, data=CSV, name="cipfa.csv", **fields):
    client.force_login(user)
    response = client.post(UPLOAD, {"file": SimpleUploadedFile(name, data), **fields})
    assert response.status_code == 302, response.content
    return ImportBatch.objects.latest("id"), response["Location"]


def _values():
    return sorted(ComparatorValue.objects.values_list("organisation__name", "value"))


def test_the_upload_answers_at_once_and_a_worker_reads_then_writes(
    client, users, library, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        batch, location = _upload(client, users["hub"], create_organisations="on", group=library.id)
    assert location == PAGE.format(batch.pk)
    assert batch.kind == "comparators" and batch.status == "queued" and bytes(batch.upload) == CSV
    assert batch.options == {"create_organisations": True, "group_id": library.id, "size": len(CSV)}
    assert queued == [("indicators.data_entry.tasks.read_import", (batch.pk,))]
    page = client.get(location).content.decode()
    assert "Reading the file" in page and "Confirm and import" not in page
    assert f'hx-get="{PROGRESS.format(batch.pk)}"' in page and 'hx-trigger="every 2s"' in page
    assert f'href="{location}" id="import-refresh">Refresh</a>' in page
    assert "<script>" not in page and " style=" not in page
    assert "HX-Refresh" not in client.get(PROGRESS.format(batch.pk), headers={"HX-Request": "true"})

    tasks.read_import(batch.pk)  # the worker reads
    batch.refresh_from_db()
    assert batch.status == "previewed" and batch.kind == "comparators" and bytes(batch.upload) == b""
    assert batch.rows_done == batch.rows_total == 2 and len(batch.plan["values"]) == 2
    assert _values() == [] and ComparatorOrganisation.objects.count() == 1
    assert client.get(PROGRESS.format(batch.pk), headers={"HX-Request": "true"})["HX-Refresh"] == "true"
    page = client.get(location).content.decode()
    assert "1 organisation to create and add to CIPFA nearest neighbours" in page
    assert "Confirm and import" in page

    with django_capture_on_commit_callbacks(execute=True):
        client.post(location)
    assert queued[-1] == ("indicators.data_entry.tasks.apply_import", (batch.pk,))
    page = client.get(location).content.decode()
    assert "Importing" in page and "0 of 2 values written" in page and "Confirm and import" not in page
    assert _values() == []

    tasks.apply_import(batch.pk)  # the worker writes
    batch.refresh_from_db()
    assert batch.status == "applied" and batch.rows_done == 2
    assert batch.summary == {"organisations_created": 1, "values_written": 2, "rejected": 0}
    assert _values() == [("Derby", Decimal("82.5")), ("Leicester", Decimal("79"))]
    assert list(library.members.values_list("name", flat=True)) == ["Leicester"]
    assert "2 values written, 1 organisation created" in client.get(location).content.decode()
    tasks.apply_import(batch.pk)  # redelivered: nothing more
    assert ComparatorValue.objects.count() == 2


def test_the_embedded_run_reads_and_writes_before_the_page_answers(client, users, library):
    batch, location = _upload(client, users["hub"], create_organisations="on")
    assert ImportBatch.objects.get(pk=batch.pk).status == "previewed"
    page = client.post(location, follow=True).content.decode()
    assert "Imported cipfa.csv: 2 comparator values written, 1 organisation created" in page
    assert ComparatorValue.objects.count() == 2
    page = client.post(location, follow=True).content.decode()
    assert "already been imported; nothing more was written" in page


def test_the_write_reports_rows_done_and_a_failure_midway_leaves_nothing(
    client, users, library, queued, monkeypatch
):
    batch, location = _upload(client, users["hub"], create_organisations="on", group=library.id)
    tasks.read_import(batch.pk)
    client.post(location)
    monkeypatch.setattr(services, "WRITE_CHUNK", 1)
    manager, seen = ComparatorValue.objects, []
    bulk_create = manager.bulk_create

    def watched(objects, **kwargs):
        panel = client.get(PROGRESS.format(batch.pk)).content.decode()
        seen.append(panel.split("Importing: ")[1].split(" values written")[0])
        if len(seen) == 2:
            raise RuntimeError("the worker was killed")
        return bulk_create(objects, **kwargs)

    monkeypatch.setattr(manager, "bulk_create", watched)
    tasks.apply_import(batch.pk)
    assert seen == ["0 of 2", "1 of 2"]  # the counter moved while the transaction ran
    batch.refresh_from_db()
    assert batch.status == "failed" and "unexpected error (RuntimeError)" in batch.messages[0]
    assert _values() == [] and ComparatorOrganisation.objects.count() == 1  # Leicester rolled back too
    assert not library.members.exists()
    assert caches[imports.PROGRESS_CACHE].get(imports._progress_key(batch.pk)) is None
    page = client.get(location).content.decode()
    assert "Import failed" in page and "Nothing has been saved" in page and "Confirm and import" not in page
    assert client.post(location, follow=True).status_code == 200  # confirming a failed job: a message
    assert _values() == []


def test_an_unexpected_reading_error_fails_the_job_with_a_message(
    client, users, library, queued, monkeypatch
):
    batch, location = _upload(client, users["hub"])
    monkeypatch.setattr(services, "_parse", lambda sheets: 1 / 0)
    tasks.read_import(batch.pk)
    batch.refresh_from_db()
    assert batch.status == "failed" and "could not be read (ZeroDivisionError)" in batch.messages[0]
    assert bytes(batch.upload) == b""
    assert "Import failed" in client.get(location).content.decode()


def test_a_broker_outage_fails_the_upload_with_a_message_not_a_500(
    client, users, library, not_eager, monkeypatch, django_capture_on_commit_callbacks
):
    from indicators.services import recompute_marks

    monkeypatch.setattr(recompute_marks, "send_safely", lambda task, *args: False)
    with django_capture_on_commit_callbacks(execute=True):
        batch, location = _upload(client, users["hub"])
    assert ImportBatch.objects.get(pk=batch.pk).messages == [imports.CANNOT_QUEUE]
    assert "not available just now" in client.get(location).content.decode()


def _bomb(unpacked_mb: int) -> bytes:
    data = as_xlsx(
        [["Indicator reference", "Period", "Organisation", "Value"], ["STF90", "2014/15", "Derby", 1]]
    )
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for item in source.infolist():
            bomb.writestr(item, source.read(item.filename))
        bomb.writestr("xl/media/padding.bin", b"\x00" * (unpacked_mb * 1024 * 1024))
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("a.pdf", b"%PDF-1.4 not a spreadsheet", "not a workbook"),
        ("a.xlsm", b"PK\x03\x04whatever", "Macro-enabled"),
        ("a.csv", b"Period,Value\n2014/15,3\n", "No sheet has a header row"),
        ("a.csv", "nul", "contains a NUL character"),  # past the first 4 KB, where the binary sniff looks
        ("a.csv", "control", "contains a control character (U+0001)"),
        ("a.xlsx", "bomb", "unpacks to"),
        ("a.csv", "oversize", "limit"),
    ],
)
def test_bad_files_are_refused_clearly_and_nothing_is_written(
    client, users, library, settings, name, data, words
):
    header = b"Indicator reference,Period,Organisation,Value\n"
    if data == "nul":
        data = header + b"STF90,2014/15,Derby,1\n" * 300 + b"STF90,2014/15,Der\x00by,1\n"
    elif data == "control":
        data = header + b"STF90,2014/15,D\x01,1\n"
    elif data == "bomb":
        data = _bomb(20)  # ~20 KB unpacking to 20 MB
    elif data == "oversize":
        settings.KPI_IMPORT_MAX_BYTES = 60
        data = CSV * 3
    batch, location = _upload(client, users["hub"], data=data, name=name)
    page = client.get(location).content.decode()
    assert words in page, page
    assert "Confirm and import" not in page
    if "header row" in words:  # missing columns: the whole file is one rejected cell, nothing to import
        assert "There is nothing to import" in page
    else:
        assert "File refused" in page and "Nothing has been saved" in page
    response = client.post(location, follow=True)  # confirmed anyway, by hand
    assert response.status_code == 200
    if "header row" not in words:
        assert "This file cannot be imported" in response.content.decode()
    assert ComparatorValue.objects.count() == 0 and ComparatorOrganisation.objects.count() == 1


def test_the_job_pages_are_for_the_hub_only_and_only_the_uploader_confirms(
    client, users, library, queued, make_user
):
    batch, location = _upload(client, users["hub"])
    urls = (location, PROGRESS.format(batch.pk))
    for role in ("officer", "head", "director", "cmt", "councillor", "scrutiny", "auditor"):
        client.force_login(users[role])
        for url in urls:
            assert client.get(url).status_code == 403, (role, url)
        assert client.post(location).status_code == 403, role
        assert client.post(UPLOAD, {"file": SimpleUploadedFile("a.csv", CSV)}).status_code == 403, role
    with pytest.raises(PermissionDenied):
        services.comparator_values_upload(user=users["officer"], filename="a.csv", data=CSV)
    other = make_user(Role.HUB, username="hub2")
    client.force_login(other)
    for url in urls:
        assert client.get(url).status_code == 200, url  # the hub sees every import job
    tasks.read_import(batch.pk)
    assert client.post(location).status_code == 403  # but only its uploader confirms it
    assert ImportBatch.objects.get(pk=batch.pk).status == "previewed"
    client.logout()
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response["Location"], url
    assert client.post(location).status_code == 302
    assert ComparatorValue.objects.count() == 0


def test_a_batch_is_polled_only_on_its_own_kind_of_page(client, users, library, queued):
    results = ImportBatch.objects.create(
        filename="r.csv", sha256="0", kind="results", status="queued", uploaded_by=users["hub"]
    )
    comparators, _ = _upload(client, users["hub"])
    client.force_login(users["hub"])
    assert client.get(PROGRESS.format(results.pk)).status_code == 404
    assert client.get(PAGE.format(results.pk)).status_code == 404
    assert client.get(f"/imports/{comparators.pk}/progress/").status_code == 404
    assert client.get(PROGRESS.format(results.pk + 1000)).status_code == 404


def test_the_read_is_checked_again_in_the_worker(client, users, library, queued):
    """A hub member demoted between the upload and the read: the job fails, nothing is read."""
    batch, location = _upload(client, users["hub"])
    users["hub"].profile.role = Role.OFFICER
    users["hub"].profile.save()
    tasks.read_import(batch.pk)
    batch.refresh_from_db()
    assert batch.status == "failed" and "Strategic Intelligence Hub" in batch.messages[0]
    assert batch.plan == {}
