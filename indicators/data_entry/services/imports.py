"""Import results from workbooks: preview first, then apply atomically on confirmation.

`import_preview` reads and checks the file, works out what would be created, changed and left
alone, and stores that plan in an `ImportBatch` — nothing else is written. `import_apply`
writes the plan in one transaction; a batch is applied at most once, and since each value is
written only when it differs from what is stored, importing the same file twice changes nothing
the second time.

The pages run both steps as jobs (issue 11): `import_upload` stores the file in a queued batch
and answers at once; the worker's `import_read` reads it and stores the plan, with rows-done
progress; `import_confirm` queues `import_write`, which applies the batch in `import_apply`'s one
transaction or leaves it failed with the reason in words and nothing written. The write is bulk
(`results_import`): a fixed number of statements whatever the number of values.

Product decisions (what a council would expect where the framework is silent), and why:
* The hub's imports are approved results (official figures the hub loads); an officer's are
  drafts of their own indicators, which they then submit on /returns/.
* Imports never edit an existing indicator's definition; a polarity that disagrees with the
  library is reported in the notes. Indicators the file names but the portal lacks are created
  for the hub (unit, decimals, frequency and measure type inferred from the title and values)
  and reported to officers.
* `user=None` is the command line (`manage.py import_workbook`), with the hub's rights.
"""

import datetime
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string

from indicators.access import can_enter_results
from indicators.analytics.constants import MONTH, QUARTER, RED, YEAR
from indicators.analytics.sense import meaningful_commentary
from indicators.data_entry.services.results import (
    period_refusal,
    results_import,
    targets_by_indicator,
    validity_errors,
    would_be_rag,
)
from indicators.formatting import decimal_text, format_value
from indicators.models import ImportBatch, Indicator, Period, Result
from indicators.periods import period_bounds, result_period_error, target_period_error
from indicators.services.periods import ensure_periods
from indicators.signals import recomputes_collected
from indicators.workbooks.parser import parse_sheets
from indicators.workbooks.reader import WorkbookRefused, read_upload
from organisation.calendar import reporting_date
from organisation.models import Directorate, Service
from organisation.roles import is_hub, may_import

log = logging.getLogger(__name__)
SHOWN_UNCHANGED = 200

# The period kind each frequency's results have; a year result (outturn) is allowed for every indicator.
FREQUENCY_KIND = {
    Indicator.Frequency.MONTHLY: MONTH,
    Indicator.Frequency.QUARTERLY: QUARTER,
    Indicator.Frequency.ANNUAL: YEAR,
}
RED_NEEDS_COMMENTARY = (
    "A red result needs commentary, a sentence of at least 10 characters: add it in the Commentary column"
)


class ImportStale(Exception):
    """Stored values changed after the preview; nothing was written."""


def period_kind_error(indicator: Indicator, kind: str) -> str | None:
    """Why a value for a period of `kind` cannot be imported for `indicator`, or None."""
    return result_period_error(
        reference=indicator.reference,
        frequency=indicator.frequency,
        kind=kind,
        end=datetime.date.min,
        label="",
        as_of=datetime.date.max,
    )


def future_period_error(kind: str, start: datetime.date, as_of: datetime.date) -> str | None:
    """Why a value for a period that has not ended by the reporting date cannot be imported."""
    _, end, label, _ = period_bounds(kind, start)
    return result_period_error(reference="", frequency="", kind=kind, end=end, label=label, as_of=as_of)


def _places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def infer_definition(row) -> dict:
    """Unit, decimals, frequency and measure type for an indicator the file creates."""
    title = row.title.casefold()
    values = [v.value for v in row.values]
    if "%" in title or any(v.is_percent for v in row.values):
        unit = Indicator.Unit.PERCENTAGE
    elif "£000" in title:
        unit = Indicator.Unit.CURRENCY_THOUSANDS
    elif "£" in title:
        unit = Indicator.Unit.CURRENCY
    elif "days" in title:
        unit = Indicator.Unit.DAYS
    elif all(v == v.to_integral_value() for v in values):
        unit = Indicator.Unit.COUNT
    else:
        unit = Indicator.Unit.RATIO
    kinds = {v.period[0] for v in row.values}
    frequency = "monthly" if "month" in kinds else "quarterly" if "quarter" in kinds else "annual"
    measure = "ytd" if "ytd" in title else "snapshot" if "snapshot" in title else "period"
    return {
        "unit": unit,
        "decimal_places": min(4, max((_places(v) for v in values), default=0)),
        "frequency": frequency,
        "measure_type": measure,
    }


def _refused(message: str) -> dict:
    return {"refused": message}


def _may_import_or_raise(user, targets: bool) -> None:
    if user is not None and not may_import(user):
        raise PermissionDenied("Importing results is for data officers, heads of service and the hub.")
    if targets and not is_hub(user):
        raise PermissionDenied("Targets are set by the Strategic Intelligence Hub.")


def _read_plan(
    *,
    user,
    filename: str,
    data: bytes,
    service: Service | None,
    targets: bool,
    size: int | None,
    progress=None,
) -> dict:
    """Read the file and work out what importing it would do; a refused file's plan says why."""
    try:
        sheets = read_upload(
            filename,
            data,
            max_bytes=settings.KPI_IMPORT_MAX_BYTES,
            max_rows=settings.KPI_IMPORT_MAX_ROWS,
            size=size,
            max_unpacked=settings.KPI_IMPORT_MAX_UNPACKED_BYTES,
        )
        parsed = parse_sheets(sheets)
        del sheets  # the cells are in `parsed` now: free them before planning
        if progress:
            progress(0, len(parsed.rows))
        return _plan_targets(parsed) if targets else _plan(user, parsed, service, progress=progress)
    except WorkbookRefused as refusal:
        return _refused(str(refusal))


def import_preview(
    *,
    user,
    filename: str,
    data: bytes,
    service: Service | None = None,
    targets: bool = False,
    size: int | None = None,
) -> ImportBatch:
    """Check and read the file now; store what the import would do. Writes only the batch row.

    The command line and the tests read in the caller; the pages use `import_upload`, which
    stores the file and reads it in a worker. A refused file still gets a batch (status
    previewed, plan {"refused": message}) so the preview page can say why; it can never be applied.
    """
    _may_import_or_raise(user, targets)
    plan = _read_plan(user=user, filename=filename, data=data, service=service, targets=targets, size=size)
    return ImportBatch.objects.create(
        filename=(filename or "upload")[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        kind="targets" if targets else plan.get("layout", "refused"),
        plan=plan,
        uploaded_by=user,
    )


# --- Imports as jobs: the upload answers at once, a worker reads and writes -------------------

CANNOT_QUEUE = (
    "The import service is not available just now, so the file was not read and nothing was "
    "written. Upload it again in a few minutes; tell the hub if this keeps happening."
)
READ_ABANDONED_AFTER = datetime.timedelta(minutes=10)
PROGRESS_EVERY = 250  # rows between progress updates: often enough to move, rare enough to cost nothing
PROGRESS_CACHE = "import_progress"
PROGRESS_KEPT_FOR = 24 * 60 * 60  # seconds: a write that has not finished in a day has failed anyway


@dataclass(frozen=True)
class ImportKind:
    """What differs between kinds of import job; the flow (upload, read, confirm, write, progress,
    failure) is the same for every kind (results and targets here, comparator values in
    indicators.benchmarks, named in settings.KPI_IMPORT_JOB_KINDS so this layer need not import it).

    `check(user, options)` raises PermissionDenied when `user` may not run it; `read(batch, progress)`
    reads `batch.upload` and returns (kind, plan), writing nothing (a refused file's plan says
    why); `apply(user=, batch=, progress=)` writes the plan all or nothing, calling
    `progress(rows done)` as it goes, and returns the summary; `rows(plan)` is how many it writes.
    """

    check: Callable
    read: Callable
    apply: Callable
    rows: Callable


def _read_results(batch: ImportBatch, progress) -> tuple[str, dict]:
    options = batch.options
    plan = _read_plan(
        user=batch.uploaded_by,
        filename=batch.filename,
        data=bytes(batch.upload),
        service=Service.objects.filter(id=options.get("service_id")).first(),
        targets=options.get("targets", False),
        size=options.get("size"),
        progress=progress,
    )
    return ("targets" if options.get("targets") else plan.get("layout", "refused")), plan


def _import_kind(kind: str) -> ImportKind:
    path = settings.KPI_IMPORT_JOB_KINDS.get(kind)
    return import_string(path) if path else RESULT_IMPORTS


def import_upload(
    *, user, filename: str, data: bytes, service: Service | None = None, targets: bool = False, size=None
) -> ImportBatch:
    """Store a results (or targets) upload as a queued job and start reading it; returns at once."""
    return import_job_start(
        user=user,
        kind="targets" if targets else "results",
        filename=filename,
        data=data,
        options={"service_id": service.id if service else None, "targets": targets, "size": size},
    )


def import_job_start(*, user, kind: str, filename: str, data: bytes, options: dict) -> ImportBatch:
    """Store the upload as a queued job of `kind` and start reading it in a worker; returns at once.

    With CELERY_TASK_ALWAYS_EAGER (the embedded run) the job runs here, before this returns.
    """
    _import_kind(kind).check(user, options)
    batch = ImportBatch.objects.create(
        filename=(filename or "upload")[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        kind=kind,
        status=ImportBatch.Status.QUEUED,
        upload=data,
        options=options,
        uploaded_by=user,
    )
    _start("read_import", batch.pk)
    return batch


def _start(task_name: str, batch_id: int) -> None:
    """Run the job's task: now when Celery is eager, else queued once this transaction commits."""
    from indicators.data_entry import tasks
    from indicators.services.recompute_marks import send_safely

    task = getattr(tasks, task_name)
    if task.app.conf.task_always_eager:
        task.apply(args=(batch_id,))
        return

    def send():
        if not send_safely(task, batch_id):
            _fail(batch_id, CANNOT_QUEUE)

    transaction.on_commit(send)


def _update(batch_id: int, **fields) -> None:
    ImportBatch.objects.filter(pk=batch_id).update(updated_at=timezone.now(), **fields)


def _fail(batch_id: int, message: str) -> None:
    _update(batch_id, status=ImportBatch.Status.FAILED, messages=[message], upload=b"")


def import_read(batch_id: int) -> None:
    """The read job: read a queued upload and store its preview. Runs once per batch.

    Writes only the batch. Any failure leaves the batch failed with the reason in words.
    """
    now = timezone.now()
    # A worker killed mid-read leaves the job "reading"; the task is delivered again (acks late)
    # and may take it over once it has been still for a while. Reading writes only the batch.
    abandoned = Q(status=ImportBatch.Status.READING, updated_at__lt=now - READ_ABANDONED_AFTER)
    claimed = (
        ImportBatch.objects.filter(pk=batch_id)
        .filter(Q(status=ImportBatch.Status.QUEUED) | abandoned)
        .update(status=ImportBatch.Status.READING, updated_at=now)
    )
    if not claimed:
        return  # read already, or being read by another worker
    batch = ImportBatch.objects.select_related("uploaded_by").get(pk=batch_id)
    job = _import_kind(batch.kind)
    try:
        if batch.uploaded_by is None:
            raise PermissionDenied("The account that uploaded this file no longer exists.")
        job.check(batch.uploaded_by, batch.options)
        kind, plan = job.read(batch, lambda done, total: _update(batch_id, rows_done=done, rows_total=total))
    except PermissionDenied as refusal:
        _fail(batch_id, str(refusal))
        return
    except Exception as error:
        log.exception("import %s: reading failed", batch_id)
        _fail(
            batch_id,
            f"The file could not be read ({error.__class__.__name__}); nothing was written. Open it in "
            "Excel, save it again as .xlsx and upload it; tell the hub if this keeps happening.",
        )
        return
    total = ImportBatch.objects.filter(pk=batch_id).values_list("rows_total", flat=True).first() or 0
    _update(
        batch_id,
        status=ImportBatch.Status.PREVIEWED,
        plan=plan,
        kind=kind,
        rows_done=total,
        upload=b"",
    )


def import_confirm(*, user, batch: ImportBatch) -> str:
    """The uploader confirms the preview: start the write job. Returns what happened, in a word:
    "started", "running" (already being written) or "applied" (written before; nothing more)."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.uploaded_by_id != (user.id if user is not None else None):
            raise PermissionDenied("Only the person who uploaded this file can confirm its import.")
        if batch.status == ImportBatch.Status.APPLIED:
            return "applied"
        if batch.status == ImportBatch.Status.APPLYING:
            return "running"
        if batch.status != ImportBatch.Status.PREVIEWED or batch.plan.get("refused"):
            raise PermissionDenied("This file cannot be imported: upload it again for a fresh preview.")
        batch.status = ImportBatch.Status.APPLYING
        batch.rows_done, batch.rows_total = 0, _import_kind(batch.kind).rows(batch.plan)
        batch.messages = []
        batch.save(update_fields=["status", "rows_done", "rows_total", "messages", "updated_at"])
    _start("apply_import", batch.pk)
    return "started"


# How the write shows rows done of total while it runs. The write is one transaction (all or
# nothing), so a rows_done it saved on the batch row would be invisible to the page polling it
# until the very end. It reports to the cache instead, outside any transaction: "import_progress"
# is Redis in production, the one the web and the worker share (the broker's REDIS_URL), and the
# process's memory in the embedded run, where the worker is the web process itself (settings.CACHES).
# Staging in committed chunks would have needed staging tables and a final move that is itself
# one long silent step; a second database connection does not work on SQLite, whose one writer
# is the import. The count is only ever a display: losing it (Redis down) loses nothing else.


def _progress_key(batch_id: int) -> str:
    return f"import-written:{batch_id}"


def _report_written(batch_id: int, done: int) -> None:
    try:
        caches[PROGRESS_CACHE].set(_progress_key(batch_id), done, PROGRESS_KEPT_FOR)
    except Exception:  # a display only: the import carries on without it
        log.warning("import %s: progress not reported", batch_id, exc_info=True)


def _forget_written(batch_id: int) -> None:
    try:
        caches[PROGRESS_CACHE].delete(_progress_key(batch_id))
    except Exception:
        log.warning("import %s: progress not cleared", batch_id, exc_info=True)


def with_write_progress(batch: ImportBatch) -> ImportBatch:
    """`batch` with rows_done as far as its write has gone, while it is being written (for the pages)."""
    if batch.status == ImportBatch.Status.APPLYING:
        try:
            written = caches[PROGRESS_CACHE].get(_progress_key(batch.pk))
        except Exception:
            log.warning("import %s: progress not read", batch.pk, exc_info=True)
            written = None
        if written is not None:
            batch.rows_done = max(batch.rows_done, min(int(written), batch.rows_total))
    return batch


def import_write(batch_id: int) -> None:
    """The write job: apply a confirmed batch in one transaction (its kind's `apply`), or leave it
    failed with the reason and nothing written."""
    batch = ImportBatch.objects.select_related("uploaded_by").get(pk=batch_id)
    if batch.status != ImportBatch.Status.APPLYING:
        return
    job = _import_kind(batch.kind)
    try:
        if batch.uploaded_by is None:
            raise PermissionDenied("The account that uploaded this file no longer exists.")
        job.apply(user=batch.uploaded_by, batch=batch, progress=lambda done: _report_written(batch_id, done))
        _update(batch_id, rows_done=job.rows(batch.plan))
    except (PermissionDenied, ImportStale) as refusal:
        _fail(batch_id, str(refusal))
    except ValidationError as refusal:
        _fail(batch_id, f"Nothing was imported: {' '.join(refusal.messages)}")
    except Exception as error:
        log.exception("import %s: writing failed", batch_id)
        _fail(
            batch_id,
            f"The import stopped on an unexpected error ({error.__class__.__name__}); nothing was "
            "written. Try again; tell the hub if this keeps happening.",
        )
    finally:
        _forget_written(batch_id)


def _plan(user, parsed, service: Service | None, progress=None) -> dict:
    references = {row.reference for row in parsed.rows}
    existing = {
        i.reference: i
        for i in Indicator.objects.filter(reference__in=references).prefetch_related("data_entry_officers")
    }
    hub = is_hub(user)
    as_of = reporting_date()
    rejected = list(parsed.rejected)
    notes = list(parsed.notes)
    creates, writes, unchanged = [], [], []
    seen: set[tuple[str, str, datetime.date]] = set()
    planned: list[tuple] = []
    written_as: dict[str, tuple[int, str]] = {}  # how the preview writes each figure
    for position, row in enumerate(parsed.rows):
        if progress and position and position % PROGRESS_EVERY == 0:
            progress(position, len(parsed.rows))
        indicator = existing.get(row.reference)
        where = row.cell.where()
        if indicator is None:
            if not hub:
                rejected.append(
                    {
                        **where,
                        "value": row.reference,
                        "reason": "Unknown indicator: ask the Strategic Intelligence Hub to add it",
                    }
                )
                continue
            if not row.polarity:
                rejected.append(
                    {
                        **where,
                        "value": row.reference,
                        "reason": "A new indicator needs a polarity (Up is Good, Up is Bad or Neutral)",
                    }
                )
                continue
            definition = infer_definition(row)
            creates.append(
                {
                    "reference": row.reference,
                    "title": row.title or row.reference,
                    "category": row.category or "performance",
                    "polarity": row.polarity,
                    "on_scorecard": row.include,
                    **definition,
                    **where,
                }
            )
            rules = definition
        else:
            if user is not None and not can_enter_results(
                user, indicator, entry_officer_ids={u.id for u in indicator.data_entry_officers.all()}
            ):
                rejected.append(
                    {
                        **where,
                        "value": row.reference,
                        "reason": "Not one of your indicators: you can only import your own indicators' results",
                    }
                )
                continue
            if row.polarity and row.polarity != indicator.polarity:
                notes.append(
                    f"{row.reference}: the file says {row.polarity_text}, the library says "
                    f"{indicator.polarity_label}; the library is kept."
                )
            rules = {
                "unit": indicator.unit,
                "decimal_places": indicator.decimal_places,
                "indicator": indicator,
            }
            rules["plausible_min"], rules["plausible_max"] = indicator.plausible_min, indicator.plausible_max
        last_valued = row.values[-1].period if row.values else None
        for value in row.values:
            key = (row.reference, value.period[0], value.period[1])
            if key in seen:
                rejected.append(
                    {
                        **value.cell.where(),
                        "value": decimal_text(value.value),
                        "reason": "A second value for the same indicator and period",
                    }
                )
                continue
            kind_error = (
                period_kind_error(rules["indicator"], value.period[0]) if "indicator" in rules else None
            ) or future_period_error(*value.period, as_of)
            if kind_error:
                rejected.append(
                    {**value.cell.where(), "value": decimal_text(value.value), "reason": kind_error}
                )
                continue
            errors = validity_errors(
                unit=rules["unit"],
                decimal_places=rules["decimal_places"],
                plausible_min=rules.get("plausible_min"),
                plausible_max=rules.get("plausible_max"),
                value=value.value,
            )
            if errors:
                rejected.append(
                    {**value.cell.where(), "value": decimal_text(value.value), "reason": errors["value"]}
                )
                continue
            seen.add(key)
            commentary = row.commentary if value.period == last_valued else None
            planned.append((row.reference, value, commentary, rules.get("indicator")))
            written_as[row.reference] = (rules["decimal_places"], rules["unit"])
    # One query for the stored results of every planned value.
    keys = {(v.period[0], v.period[1]) for _, v, _, _ in planned}
    stored = {}
    if planned:
        for reference, kind, start, stored_value, stored_commentary, status, version in Result.objects.filter(
            indicator__reference__in={r for r, _, _, _ in planned}, period__start__in={s for _, s in keys}
        ).values_list(
            "indicator__reference",
            "period__kind",
            "period__start",
            "value",
            "commentary",
            "status",
            "version",
        ):
            stored[(reference, kind, start)] = (stored_value, stored_commentary, status, version)
    target_status = Result.Status.APPROVED if hub else Result.Status.DRAFT
    targets = targets_by_indicator({i.id for _, _, _, i in planned if i is not None})
    for reference, value, commentary, indicator in planned:
        kind, start = value.period
        period_start, period_end, label, financial_year = period_bounds(kind, start)
        old = stored.get((reference, kind, start))
        entry = {
            "reference": reference,
            "kind": kind,
            "start": start.isoformat(),
            "label": label,
            "old": decimal_text(old[0]) if old else None,
            "version": old[3] if old else None,
            "new": decimal_text(value.value),
            "old_shown": format_value(old[0], *written_as[reference]) if old else None,
            "new_shown": format_value(value.value, *written_as[reference]),
            "commentary": commentary,
            **value.cell.where(),
        }
        same_commentary = commentary is None or (old is not None and old[1] == commentary)
        if old is not None and old[0] == value.value and same_commentary:
            unchanged.append(entry)
            continue
        if indicator is not None and not meaningful_commentary(commentary or (old[1] if old else "")):
            period = Period(
                kind=kind, start=period_start, end=period_end, label=label, financial_year=financial_year
            )
            if would_be_rag(indicator, period, value.value, targets=targets[indicator.id]) == RED:
                rejected.append(
                    {**value.cell.where(), "value": decimal_text(value.value), "reason": RED_NEEDS_COMMENTARY}
                )
                continue
        entry["action"] = "create" if old is None else "change"
        writes.append(entry)
    return {
        "layout": parsed.layout,
        "skipped_non_values": parsed.skipped,
        "service_id": service.id if service else None,
        "status": target_status,
        "create_indicators": creates,
        "writes": writes,
        "unchanged_count": len(unchanged),
        "unchanged": unchanged[:SHOWN_UNCHANGED],
        "rejected": rejected,
        "notes": notes,
    }


def _plan_targets(parsed) -> dict:
    """Targets from the same layouts: one row per indicator, one column per period."""
    from indicators.data_entry.services.targets import target_errors
    from indicators.models import Target

    as_of = reporting_date()
    existing = {
        i.reference: i for i in Indicator.objects.filter(reference__in={r.reference for r in parsed.rows})
    }
    stored = {
        (reference, kind, start): value
        for reference, kind, start, value in Target.objects.filter(
            indicator__in=existing.values()
        ).values_list("indicator__reference", "period__kind", "period__start", "value")
    }
    rejected, writes, unchanged = list(parsed.rejected), [], 0
    for row in parsed.rows:
        indicator = existing.get(row.reference)
        if indicator is None:
            rejected.append(
                {
                    **row.cell.where(),
                    "value": row.reference,
                    "reason": "Unknown indicator: add it to the library first",
                }
            )
            continue
        for value in row.values:
            errors = target_errors(indicator, value.value)
            kind, start = value.period
            refusal = target_period_error(start=start, label=period_bounds(kind, start)[2], as_of=as_of)
            if errors or refusal:
                rejected.append(
                    {
                        **value.cell.where(),
                        "value": decimal_text(value.value),
                        "reason": errors.get("value") or refusal,
                    }
                )
                continue
            old = stored.get((row.reference, kind, start))
            if old is not None and old == value.value:
                unchanged += 1
                continue
            writes.append(
                {
                    "reference": row.reference,
                    "kind": kind,
                    "start": start.isoformat(),
                    "label": period_bounds(kind, start)[2],
                    "old": decimal_text(old) if old is not None else None,
                    "new": decimal_text(value.value),
                    "old_shown": format_value(old, indicator.decimal_places, indicator.unit)
                    if old is not None
                    else None,
                    "new_shown": format_value(value.value, indicator.decimal_places, indicator.unit),
                    "commentary": None,
                    "action": "create" if old is None else "change",
                    **value.cell.where(),
                }
            )
    return {
        "layout": "targets",
        "targets": True,
        "service_id": None,
        "status": "",
        "create_indicators": [],
        "writes": writes,
        "unchanged_count": unchanged,
        "unchanged": [],
        "rejected": rejected,
        "notes": list(parsed.notes),
    }


def _unassigned_service() -> Service:
    directorate, _ = Directorate.objects.get_or_create(
        slug="unassigned", defaults={"name": "Unassigned", "code": "UNASSIGNED"}
    )
    service, _ = Service.objects.get_or_create(
        slug="unassigned-indicators", defaults={"directorate": directorate, "name": "Unassigned indicators"}
    )
    return service


@transaction.atomic
def import_apply(*, user, batch: ImportBatch, progress=None) -> dict:
    """Write a previewed batch, all or nothing. Applying it again does nothing.

    Queues one recompute per changed indicator once the import commits, not one per row written.
    `progress(rows written)`, when given, is called as the write goes.
    """
    with recomputes_collected():
        return _apply(user, batch, progress)


RESULT_IMPORTS = ImportKind(
    check=lambda user, options: _may_import_or_raise(user, options.get("targets", False)),
    read=_read_results,
    apply=import_apply,
    rows=lambda plan: len(plan.get("writes") or []),
)


def _refuse_if_changed_since_preview(plan: dict) -> None:
    """Raise ImportStale when any planned row's stored value (or version) is not what the preview showed.

    The stored rows are locked until the import commits, so nobody can change them in between.
    """
    writes = plan.get("writes") or []
    if not writes:
        return
    if plan.get("targets"):
        from indicators.models import Target

        rows = Target.objects.select_for_update().filter(
            indicator__reference__in={w["reference"] for w in writes},
            period__start__in={datetime.date.fromisoformat(w["start"]) for w in writes},
        )
        current = {
            (r, k, s.isoformat()): (decimal_text(v), None)
            for r, k, s, v in rows.values_list(
                "indicator__reference", "period__kind", "period__start", "value"
            )
        }
    else:
        rows = Result.objects.select_for_update().filter(
            indicator__reference__in={w["reference"] for w in writes},
            period__start__in={datetime.date.fromisoformat(w["start"]) for w in writes},
        )
        current = {
            (r, k, s.isoformat()): (decimal_text(v), version)
            for r, k, s, v, version in rows.values_list(
                "indicator__reference", "period__kind", "period__start", "value", "version"
            )
        }
    changed = []
    for write in writes:
        now_value, now_version = current.get(
            (write["reference"], write["kind"], write["start"]), (None, None)
        )
        if now_value != write["old"] or ("version" in write and now_version != write["version"]):
            changed.append(f"{write['reference']} {write['label']}")
    if changed:
        raise ImportStale(
            f"Nothing was imported: {'this value has' if len(changed) == 1 else 'these values have'} "
            f"changed since the preview: {', '.join(changed)}. "
            "Upload the file again for a fresh preview."
        )


def _apply(user, batch: ImportBatch, progress=None) -> dict:
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.uploaded_by_id != (user.id if user is not None else None):
        raise PermissionDenied("Only the person who uploaded this file can confirm its import.")
    if batch.status == ImportBatch.Status.APPLIED:
        return {**batch.summary, "already_applied": True}
    plan = batch.plan
    if plan.get("refused"):
        raise PermissionDenied("This file was refused and cannot be imported.")
    _refuse_if_changed_since_preview(plan)
    created = 0
    if plan["create_indicators"]:
        if not is_hub(user):
            raise PermissionDenied("Only the hub can create indicators.")
        service = Service.objects.filter(id=plan.get("service_id")).first() or _unassigned_service()
        known = set(
            Indicator.objects.filter(
                reference__in=[spec["reference"] for spec in plan["create_indicators"]]
            ).values_list("reference", flat=True)
        )
        for spec in plan["create_indicators"]:
            if spec["reference"] in known:
                continue
            indicator = Indicator(
                reference=spec["reference"],
                title=spec["title"],
                category=spec["category"],
                polarity=spec["polarity"],
                unit=spec["unit"],
                decimal_places=spec["decimal_places"],
                frequency=spec["frequency"],
                measure_type=spec["measure_type"],
                on_scorecard=spec["on_scorecard"],
                service=service,
            )
            # Its history of judging fields starts here: who imported it and from which file.
            indicator._history_user = user
            indicator._change_reason = f"Created by the import of {batch.filename}"
            indicator.save()
            created += 1
    indicators = {
        i.reference: i
        for i in Indicator.objects.filter(
            reference__in={w["reference"] for w in plan["writes"]}
        ).prefetch_related("data_entry_officers")
    }
    periods = ensure_periods({(w["kind"], datetime.date.fromisoformat(w["start"])) for w in plan["writes"]})
    written = 0
    if plan.get("targets"):
        from indicators.data_entry.services.targets import target_set

        for done, write in enumerate(plan["writes"], start=1):
            written += target_set(
                user=user,
                indicator=indicators[write["reference"]],
                period=periods[(write["kind"], datetime.date.fromisoformat(write["start"]))],
                value=Decimal(write["new"]),
                reason=f"Imported from {batch.filename}",
            )
            if progress and done % PROGRESS_EVERY == 0:
                progress(done)
        plan = {**plan, "writes": []}
    as_of = reporting_date()
    rows = []
    for write in plan["writes"]:
        indicator = indicators[write["reference"]]
        if user is not None and not can_enter_results(
            user, indicator, entry_officer_ids={u.id for u in indicator.data_entry_officers.all()}
        ):
            raise PermissionDenied(f"You can no longer enter results for {indicator.reference}.")
        period = periods[(write["kind"], datetime.date.fromisoformat(write["start"]))]
        refusal = period_refusal(indicator, period, as_of=as_of)
        if refusal:  # the reporting date moved back since the preview
            raise ImportStale(
                f"{indicator.reference}: {refusal}. Nothing was written: preview the file again."
            )
        rows.append((indicator, period, Decimal(write["new"]), write["commentary"]))
    written += results_import(user=user, rows=rows, status=plan["status"], as_of=as_of, progress=progress)
    summary = {
        "indicators_created": created,
        "results_written": written,
        "rejected": len(plan["rejected"]),
        "targets": bool(batch.plan.get("targets")),
    }
    batch.status = ImportBatch.Status.APPLIED
    batch.summary = summary
    batch.applied_at = timezone.now()
    batch.save(update_fields=["status", "summary", "applied_at"])
    return summary
