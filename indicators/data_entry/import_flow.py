"""The preview → confirm step shared by every workbook import page (results, targets, comparators).

Each import writes nothing until its uploader confirms the preview; confirming applies the batch
through the import's own service, and confirming twice writes nothing more. Only what differs
between imports is passed in: the batches that belong to the page, the apply service, the words
for what was written, and the page's template.

Results, targets and comparator imports run as jobs (`import_job_page`): the page shows the
job's progress (rows done of total) while a worker reads or writes, polled by htmx, with a plain
Refresh link without JavaScript. `import_preview_or_confirm` is the older in-request step, kept
for an import that has no job yet.
"""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404, redirect, render

from indicators.access import can_see_import
from indicators.data_entry.services.imports import import_confirm, with_write_progress
from indicators.models import ImportBatch


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _job_or_403(
    request, batches: QuerySet[ImportBatch], batch_id: int, may_see=can_see_import
) -> ImportBatch:
    batch = get_object_or_404(batches.select_related("uploaded_by"), pk=batch_id)
    if not may_see(request.user, batch):
        raise PermissionDenied("Only the person who uploaded this file, and the hub, can see its import.")
    return with_write_progress(batch)


def import_job_page(
    request,
    batch_id: int,
    *,
    batches: QuerySet[ImportBatch],
    describe: Callable[[dict], str],
    url_name: str,
    progress_url_name: str,
    template: str,
    nav_section: str,
    may_see=can_see_import,
):
    """GET shows the job: progress while a worker reads or writes, then the preview, the result or
    why it failed. POST (the uploader only) confirms the preview and starts the write job.

    `may_see(user, batch)` is who may see the job (the uploader and the hub unless narrowed)."""
    batch = _job_or_403(request, batches, batch_id, may_see)
    if request.method != "POST":
        context = {
            "batch": batch,
            "plan": batch.plan,
            "nav_section": nav_section,
            "page_url": url_name,
            "progress_url": progress_url_name,
        }
        return render(request, template, context)
    if batch.uploaded_by_id != request.user.id:
        raise PermissionDenied("Only the person who uploaded this file can confirm its import.")
    try:
        outcome = import_confirm(user=request.user, batch=batch)
    except PermissionDenied as refusal:
        messages.error(request, str(refusal))
        return redirect(url_name, batch_id=batch.pk)
    batch.refresh_from_db()
    if outcome == "applied":
        messages.info(request, "This file had already been imported; nothing more was written.")
    elif outcome == "running":
        messages.info(request, "This file is already being imported.")
    elif batch.status == ImportBatch.Status.APPLIED:  # the embedded run wrote it already
        messages.success(request, f"Imported {batch.filename}: {describe(batch.summary)}.")
    return redirect(url_name, batch_id=batch.pk)


def import_job_progress(
    request,
    batch_id: int,
    *,
    batches: QuerySet[ImportBatch],
    url_name: str,
    progress_url_name: str,
    may_see=can_see_import,
):
    """The progress panel alone, for htmx to poll; once the job has finished, the whole page reloads."""
    batch = _job_or_403(request, batches, batch_id, may_see)
    context = {"batch": batch, "page_url": url_name, "progress_url": progress_url_name}
    response = render(request, "indicators/imports/_progress.html", context)
    if request.htmx and not batch.running:
        response["HX-Refresh"] = "true"
    return response
