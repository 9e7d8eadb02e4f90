"""Returns to central government (the single data list): each collection's calendar, the status
of each return (due → prepared → checked → submitted, who and when, the submitted file kept),
overdue ones flagged, and an export of a return's figures.

Decisions: the hub moves a return on, one step at a time; "submitted" needs the file that was
sent (kept as it was uploaded, at most `MAX_FILE_BYTES`). A return is overdue when its due date
is before the reporting date and it is not submitted. The export has one row per indicator and
period within the return's period (the indicator's own periods and any year result), with the
approved value rounded to the indicator's decimal places as the pages publish it.
"""

import csv
import io

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from indicators.formatting import rounded
from indicators.models import Result
from organisation import roles
from reporting.exports import neutralise
from reporting.reports.models import CollectionReturn
from reporting.reports.services import ReportRefused

MAX_FILE_BYTES = 10 * 1024 * 1024
ORDER = [
    CollectionReturn.Status.DUE,
    CollectionReturn.Status.PREPARED,
    CollectionReturn.Status.CHECKED,
    CollectionReturn.Status.SUBMITTED,
]
EXPORT_COLUMNS = ["Collection", "Department", "Reference", "Indicator", "Period", "Value", "Unit"]


def is_overdue(ret: CollectionReturn, as_of) -> bool:
    return ret.status != CollectionReturn.Status.SUBMITTED and ret.due_date < as_of


def calendar(user, as_of) -> list[dict]:
    if not roles.may_read_collections(user):
        raise PermissionDenied("The returns to central government are the hub's, CMT's and audit's to read.")
    returns = CollectionReturn.objects.select_related(
        "collection", "period", "prepared_by", "checked_by", "submitted_by"
    ).order_by("due_date", "collection__name")
    return [{"return": r, "overdue": is_overdue(r, as_of), "next": _next(r.status)} for r in returns]


def overdue_count(as_of) -> int:
    return (
        CollectionReturn.objects.exclude(status=CollectionReturn.Status.SUBMITTED)
        .filter(due_date__lt=as_of)
        .count()
    )


def _next(status: str) -> str | None:
    index = ORDER.index(status)
    return ORDER[index + 1] if index + 1 < len(ORDER) else None


def advance(user, return_id: int, status: str, upload=None) -> CollectionReturn:
    """Move a return on to `status` (the next step only)."""
    if not roles.may_update_collections(user):
        raise PermissionDenied("Only the Strategic Intelligence Hub updates the returns.")
    with transaction.atomic():
        ret = CollectionReturn.objects.select_for_update().filter(pk=return_id).first()
        if ret is None:
            raise ReportRefused("That return no longer exists.")
        if status not in ORDER or status != _next(ret.status):
            raise ReportRefused(
                f"This return is {ret.get_status_display().lower()}: it can only move on to the next step."
            )
        now = timezone.now()
        if status == CollectionReturn.Status.SUBMITTED:
            if upload is None:
                raise ReportRefused("Attach the file that was submitted: it is kept with the return.")
            if upload.size > MAX_FILE_BYTES:
                raise ReportRefused(f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB.")
            ret.submitted_file = upload.read()
            ret.submitted_filename = (upload.name or "return")[-200:]
        setattr(ret, f"{status}_by", user)
        setattr(ret, f"{status}_at", now)
        ret.status = status
        ret.save()
    return ret


def export_rows(ret: CollectionReturn) -> list[list]:
    results = (
        Result.objects.filter(
            indicator__in=ret.collection.indicators.all(),
            status=Result.Status.APPROVED,
            period__start__gte=ret.period.start,
            period__end__lte=ret.period.end,
        )
        .select_related("indicator", "period")
        .order_by("indicator__reference", "period__start", "period__kind")
    )
    return [
        [
            ret.collection.name,
            ret.collection.department,
            r.indicator.reference,
            r.indicator.title,
            r.period.label,
            rounded(r.value, r.indicator.decimal_places),
            r.indicator.get_unit_display(),
        ]
        for r in results
    ]


def export_csv(ret: CollectionReturn) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    for row in export_rows(ret):
        writer.writerow([neutralise(cell) if isinstance(cell, str) else cell for cell in row])
    return out.getvalue()


def export_xlsx(ret: CollectionReturn) -> bytes:
    from openpyxl import Workbook  # where a workbook is written, not at the portal's start
    from openpyxl.styles import Font

    wb = Workbook()
    sheet = wb.active
    sheet.title = "Return"
    sheet.append(EXPORT_COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in export_rows(ret):
        value = row[5]
        sheet.append(
            [neutralise(c) if isinstance(c, str) else c for c in row[:5]] + [None, neutralise(row[6])]
        )
        if value is not None:
            cell = sheet.cell(sheet.max_row, 6, float(value))
            places = -value.as_tuple().exponent if value.as_tuple().exponent < 0 else 0
            cell.number_format = "0." + "0" * places if places else "0"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
