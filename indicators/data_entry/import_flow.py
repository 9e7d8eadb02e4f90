"""The preview → confirm step shared by every workbook import page (results, targets, comparators).

Each import writes nothing until its uploader confirms the preview; confirming applies the batch
through the import's own service, and confirming twice writes nothing more. Only what differs
between imports is passed in: the batches that belong to the page, the apply service, the words
for what was written, and the page's template.
"""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404, redirect, render

from indicators.data_entry.services.imports import ImportStale
from indicators.models import ImportBatch


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def import_preview_or_confirm(
    request,
    batch_id: int,
    *,
    batches: QuerySet[ImportBatch],
    apply: Callable[..., dict],
    describe: Callable[[dict], str],
    url_name: str,
    template: str,
    nav_section: str,
):
    """GET shows the uploader's preview; POST confirms it (atomic in `apply`) and redirects back."""
    batch = get_object_or_404(batches, pk=batch_id)
    if batch.uploaded_by_id != request.user.id:
        raise PermissionDenied("Only the person who uploaded this file can see its preview.")
    if request.method != "POST":
        context = {"batch": batch, "plan": batch.plan, "nav_section": nav_section}
        return render(request, template, context)
    try:
        summary = apply(user=request.user, batch=batch)
    except (PermissionDenied, ImportStale) as refusal:
        messages.error(request, str(refusal))
    else:
        if summary.get("already_applied"):
            messages.info(request, "This file had already been imported; nothing more was written.")
        else:
            messages.success(request, f"Imported {batch.filename}: {describe(summary)}.")
    return redirect(url_name, batch_id=batch.pk)
