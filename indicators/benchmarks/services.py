"""Import comparator values (other councils' results) from .xlsx/.csv in long format.

One row per value, with columns for the indicator reference, the period ("2014/15", "Q3 2015/16",
"Dec 2015"), the organisation (its name or its code, e.g. E06000014) and the value. As with
result imports: `comparator_values_preview` reads the file through the same safe reader (size and
row limits; refuses non-workbooks, corrupt, encrypted and macro-enabled files and formulas with no
saved value), works out what would be created, changed and left alone, and stores that plan in an
`ImportBatch` — nothing else is written. `comparator_values_import` writes the plan in one
transaction, once; values are written only where they differ, so importing the same file twice
changes nothing the second time. The page runs both as jobs of the result imports' job flow
(`COMPARATOR_IMPORTS`, named in settings.KPI_IMPORT_JOB_KINDS): the upload answers at once, a
worker reads and writes, and the page polls its progress.

Product decisions (what a council would expect where the framework is silent), and why:
* The hub only (and the command line, `user=None`): comparator data is the hub's to maintain.
* An organisation in the file is matched by its name or its code, ignoring case and spacing.
  Unknown ones are created only when the hub ticks "create new organisations", named as in the
  file, with a code made from the text when it looks like an ONS code (E06000014) and from the
  name otherwise; untouched, they are rejected row by row.
* The optional comparator group receives the organisations the import creates (not every
  organisation in the file: membership of an existing council is the hub's deliberate choice
  in the admin).
* Rows whose value is blank or a "not available" word ("-", "n/a", "TBC", suppressed data) are
  left alone and counted in the notes, not rejected: published comparator tables are full of them.
* Indicators must already be in the library: a comparator value for an indicator we do not
  report is rejected, never creates an indicator.
"""

import datetime
import hashlib
import re
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Prefetch
from django.utils import timezone

from indicators.data_entry.services.imports import (
    PROGRESS_EVERY,
    SHOWN_UNCHANGED,
    ImportKind,
    import_job_start,
)
from indicators.data_entry.services.results import WRITE_CHUNK
from indicators.formatting import decimal_text
from indicators.models import ComparatorGroup, ComparatorOrganisation, ComparatorValue, ImportBatch, Indicator
from indicators.periods import period_bounds
from indicators.services.periods import ensure_periods
from indicators.workbooks.parser import (
    Cell,
    cell_name,
    cell_text,
    normalised_header,
    parse_period_label,
    unneutralise,
)
from indicators.workbooks.reader import WorkbookRefused, read_upload
from indicators.workbooks.values import parse_value
from organisation.roles import is_hub

BATCH_KIND = "comparators"
HEADERS = {
    "indicator reference": "reference",
    "indicator ref": "reference",
    "reference id": "reference",
    "reference": "reference",
    "indicator": "reference",
    "ref": "reference",
    "period": "period",
    "organisation": "organisation",
    "organization": "organisation",
    "organisation name": "organisation",
    "organisation code": "organisation",
    "council": "organisation",
    "authority": "organisation",
    "local authority": "organisation",
    "area": "organisation",
    "value": "value",
}
REQUIRED = ("reference", "period", "organisation", "value")
ONS_CODE = re.compile(r"^[A-Z]\d{8}$")
# ComparatorValue.value is DecimalField(max_digits=18, decimal_places=4).
MAX_PLACES = 4
MAX_ABS = Decimal(10) ** 14


def _refuse_unless_hub(user) -> None:
    if not is_hub(user):
        raise PermissionDenied("Comparator data is maintained by the Strategic Intelligence Hub.")


def _organisation_key(text: str) -> str:
    return normalised_header(text)


def _find_header(rows) -> tuple[int, dict[str, int]] | None:
    for index, row in enumerate(rows[:50]):
        roles: dict[str, int] = {}
        for column, cell in enumerate(row):
            role = HEADERS.get(normalised_header(cell)) if isinstance(cell, str) else None
            if role and role not in roles:
                roles[role] = column
        if all(role in roles for role in REQUIRED):
            return index, roles
    return None


def _places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _parse(sheets) -> tuple[list[dict], list[dict], list[str]]:
    """Rows as {reference, period, organisation, value, where}; rejected cells; notes. Pure."""
    rows, rejected, notes = [], [], []
    found = False
    blanks = 0
    for sheet in sheets:
        header = _find_header(sheet.rows)
        if header is None:
            if any(any(cell not in (None, "") for cell in row) for row in sheet.rows):
                notes.append(
                    f'Sheet "{sheet.name}" has no header row with indicator reference, period, '
                    "organisation and value: left alone."
                )
            continue
        found = True
        header_index, roles = header
        for row_index in range(header_index + 1, len(sheet.rows)):
            row = sheet.rows[row_index]
            if not any(cell not in (None, "") for cell in row):
                continue
            number = row_index + 1

            def cell(role, row=row, roles=roles):
                column = roles[role]
                return row[column] if column < len(row) else None

            def where(role, number=number, sheet=sheet, roles=roles):
                return Cell(sheet.name, number, cell_name(roles[role])).where()

            reference = unneutralise(cell_text(cell("reference")))
            period_text = cell_text(cell("period"))
            organisation = unneutralise(cell_text(cell("organisation")))[:200]
            raw_value = cell("value")
            problem = None
            if not reference:
                problem = ("reference", "", "No indicator reference")
            elif (period := parse_period_label(period_text)) is None:
                problem = (
                    "period",
                    period_text,
                    'Not a period: write it like "2014/15", "Q3 2015/16" or "Dec 2015"',
                )
            elif not organisation:
                problem = ("organisation", "", "No organisation: give its name or code")
            if problem:
                role, shown, reason = problem
                rejected.append({**where(role), "value": shown[:60], "reason": reason})
                continue
            parsed = parse_value(raw_value)
            if parsed.blank:
                blanks += 1
                continue
            if parsed.error or parsed.note:
                reason = parsed.error or "Just the number, without a note in brackets"
                rejected.append({**where("value"), "value": cell_text(raw_value)[:60], "reason": reason})
                continue
            if abs(parsed.value) >= MAX_ABS or _places(parsed.value) > MAX_PLACES:
                rejected.append(
                    {
                        **where("value"),
                        "value": cell_text(raw_value)[:60],
                        "reason": "Too large or too precise: at most 14 digits before the point and 4 after",
                    }
                )
                continue
            rows.append(
                {
                    "reference": reference,
                    "period": period,
                    "organisation": organisation,
                    "value": parsed.value,
                    "where": where("value"),
                    "where_reference": where("reference"),
                    "where_organisation": where("organisation"),
                }
            )
    if not found:
        rejected.append(
            {
                "sheet": "",
                "row": 0,
                "column": "",
                "value": "",
                "reason": "No sheet has a header row with the columns Indicator reference, Period, "
                "Organisation and Value. Use one row per value in that long format.",
            }
        )
    if blanks:
        notes.append(
            f"{blanks} row{'s' if blanks != 1 else ''} with no value (blank, “-”, “n/a”) left alone."
        )
    return rows, rejected, notes


def _new_code(text: str, taken: set[str]) -> str:
    candidate = text.strip().upper()
    if not ONS_CODE.match(candidate):
        candidate = re.sub(r"[^A-Z0-9]+", "-", candidate).strip("-")[:16] or "ORG"
    code, n = candidate, 1
    while code.casefold() in taken:
        n += 1
        code = f"{candidate[:16]}-{n}"
    taken.add(code.casefold())
    return code


def comparator_values_preview(
    *,
    user,
    filename: str,
    data: bytes,
    create_organisations: bool = False,
    group: ComparatorGroup | None = None,
) -> ImportBatch:
    """Check and read the file now; store what the import would do. Writes only the batch row.

    The command line and the tests read in the caller; the page uses `comparator_values_upload`,
    which reads in a worker. A refused file still gets a batch (plan {"refused": message}) so the
    preview page can say why; it can never be applied.
    """
    _refuse_unless_hub(user)
    plan = _read_plan(filename, data, size=None, create_organisations=create_organisations, group=group)
    return ImportBatch.objects.create(
        filename=(filename or "upload")[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        kind=BATCH_KIND,
        plan=plan,
        uploaded_by=user,
    )


def comparator_values_upload(
    *,
    user,
    filename: str,
    data: bytes,
    size: int | None = None,
    create_organisations: bool = False,
    group: ComparatorGroup | None = None,
) -> ImportBatch:
    """Store the upload as an import job and start reading it in a worker; returns at once.

    The same job flow as result imports (indicators.data_entry.services.imports): the page shows
    progress while the worker reads, then the preview; confirming starts the write job.
    """
    options = {
        "create_organisations": create_organisations,
        "group_id": group.id if group is not None else None,
        "size": size,
    }
    return import_job_start(user=user, kind=BATCH_KIND, filename=filename, data=data, options=options)


def _read_job(batch: ImportBatch, progress) -> tuple[str, dict]:
    options = batch.options
    group = ComparatorGroup.objects.filter(id=options.get("group_id")).first()
    plan = _read_plan(
        batch.filename,
        bytes(batch.upload),
        size=options.get("size"),
        create_organisations=options.get("create_organisations", False),
        group=group,
        progress=progress,
    )
    return BATCH_KIND, plan


def _read_plan(
    filename: str,
    data: bytes,
    *,
    size,
    create_organisations: bool,
    group: ComparatorGroup | None,
    progress=None,
) -> dict:
    try:
        sheets = read_upload(
            filename,
            data,
            max_bytes=settings.KPI_IMPORT_MAX_BYTES,
            max_rows=settings.KPI_IMPORT_MAX_ROWS,
            size=size,
            max_unpacked=settings.KPI_IMPORT_MAX_UNPACKED_BYTES,
        )
        plan = _plan(sheets, create_organisations=create_organisations, group=group, progress=progress)
    except WorkbookRefused as refusal:
        plan = {"refused": str(refusal)}
    # "writes" and "create_indicators" stay empty so the results importer, should it ever be handed
    # this batch, has nothing to write.
    plan.setdefault("writes", [])
    plan.setdefault("create_indicators", [])
    return plan


def _plan(sheets, *, create_organisations: bool, group: ComparatorGroup | None, progress=None) -> dict:
    rows, rejected, notes = _parse(sheets)
    del sheets
    if progress:
        progress(0, len(rows))
    indicators = dict(
        Indicator.objects.filter(reference__in={r["reference"] for r in rows}).values_list("reference", "id")
    )
    by_key: dict[str, tuple[int, str]] = {}
    taken_codes: set[str] = set()
    for org_id, name, code in ComparatorOrganisation.objects.values_list("id", "name", "code"):
        by_key[_organisation_key(name)] = (org_id, name)
        by_key.setdefault(_organisation_key(code), (org_id, name))
        taken_codes.add(code.casefold())
    new_organisations: dict[str, dict] = {}
    planned, seen = [], set()
    for position, row in enumerate(rows, start=1):
        if progress and position % PROGRESS_EVERY == 0:
            progress(position, len(rows))
        if row["reference"] not in indicators:
            rejected.append(
                {
                    **row["where_reference"],
                    "value": row["reference"][:60],
                    "reason": "Unknown indicator: add it to the library first",
                }
            )
            continue
        key = _organisation_key(row["organisation"])
        if key in by_key:
            organisation = by_key[key][1]
        elif create_organisations:
            if key not in new_organisations:
                text = row["organisation"]
                new_organisations[key] = {"name": text, "code": _new_code(text, taken_codes)}
            organisation = new_organisations[key]["name"]
        else:
            rejected.append(
                {
                    **row["where_organisation"],
                    "value": row["organisation"][:60],
                    "reason": 'Unknown organisation: tick "create new organisations", or add it in the admin first',
                }
            )
            continue
        kind, start = row["period"]
        identity = (row["reference"], kind, start, organisation.casefold())
        if identity in seen:
            rejected.append(
                {
                    **row["where"],
                    "value": decimal_text(row["value"]),
                    "reason": "A second value for the same indicator, period and organisation",
                }
            )
            continue
        seen.add(identity)
        planned.append((row, organisation))
    stored = {}
    if planned:
        for reference, kind, start, name, value in ComparatorValue.objects.filter(
            indicator_id__in={indicators[r["reference"]] for r, _ in planned},
            period__start__in={r["period"][1] for r, _ in planned},
        ).values_list("indicator__reference", "period__kind", "period__start", "organisation__name", "value"):
            stored[(reference, kind, start, name.casefold())] = value
    values, unchanged = [], []
    for row, organisation in planned:
        kind, start = row["period"]
        old = stored.get((row["reference"], kind, start, organisation.casefold()))
        entry = {
            "reference": row["reference"],
            "kind": kind,
            "start": start.isoformat(),
            "label": period_bounds(kind, start)[2],
            "organisation": organisation,
            "old": decimal_text(old) if old is not None else None,
            "new": decimal_text(row["value"]),
            **row["where"],
        }
        if old is not None and old == row["value"]:
            unchanged.append(entry)
            continue
        entry["action"] = "create" if old is None else "change"
        values.append(entry)
    if group is not None and not new_organisations:
        notes.append(f"No organisations are created, so none are added to {group.name}.")
    return {
        "comparators": True,
        "create_organisations": list(new_organisations.values()),
        "group_id": group.id if group is not None and new_organisations else None,
        "group_name": group.name if group is not None and new_organisations else "",
        "values": values,
        "unchanged_count": len(unchanged),
        "unchanged": unchanged[:SHOWN_UNCHANGED],
        "rejected": rejected,
        "notes": notes,
    }


@transaction.atomic
def comparator_values_import(*, user, batch: ImportBatch, progress=None) -> dict:
    """Write a previewed batch, all or nothing. Applying it again does nothing.

    `progress(values written)`, when given, is called after each `WRITE_CHUNK` values: the job's
    page shows it while this transaction runs (see `import_write`).
    """
    _refuse_unless_hub(user)
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.kind != BATCH_KIND:
        raise PermissionDenied("This is not a comparator import.")
    if batch.uploaded_by_id != (user.id if user is not None else None):
        raise PermissionDenied("Only the person who uploaded this file can confirm its import.")
    if batch.status == ImportBatch.Status.APPLIED:
        return {**batch.summary, "already_applied": True}
    plan = batch.plan
    if plan.get("refused"):
        raise PermissionDenied("This file was refused and cannot be imported.")
    organisations = {o.name.casefold(): o for o in ComparatorOrganisation.objects.all()}
    created = []
    for spec in plan["create_organisations"]:
        # Another import may have added it since the preview: then it is matched, not duplicated.
        if spec["name"].casefold() not in organisations:
            code = spec["code"]
            if ComparatorOrganisation.objects.filter(code__iexact=code).exists():
                code = _new_code(code, set(ComparatorOrganisation.objects.values_list("code", flat=True)))
            organisation = ComparatorOrganisation.objects.create(name=spec["name"], code=code)
            organisations[organisation.name.casefold()] = organisation
            created.append(organisation)
    if plan.get("group_id") and created:
        group = ComparatorGroup.objects.filter(id=plan["group_id"]).first()
        if group is not None:
            group.members.add(*created)
    references = {v["reference"] for v in plan["values"]}
    indicators = {i.reference: i for i in Indicator.objects.filter(reference__in=references)}
    periods = ensure_periods({(v["kind"], datetime.date.fromisoformat(v["start"])) for v in plan["values"]})
    existing = {
        (c.indicator_id, c.period_id, c.organisation_id): c
        for c in ComparatorValue.objects.filter(
            indicator__in=indicators.values(), period__in=periods.values()
        )
    }
    values = plan["values"]
    written = 0
    for first in range(0, len(values), WRITE_CHUNK):
        to_create, to_update = [], []
        for entry in values[first : first + WRITE_CHUNK]:
            indicator = indicators.get(entry["reference"])
            if indicator is None:
                raise PermissionDenied(
                    f"{entry['reference']} has left the library since the preview; upload again."
                )
            period = periods[(entry["kind"], datetime.date.fromisoformat(entry["start"]))]
            organisation = organisations[entry["organisation"].casefold()]
            value = Decimal(entry["new"])
            current = existing.get((indicator.id, period.id, organisation.id))
            if current is None:
                to_create.append(
                    ComparatorValue(
                        indicator=indicator, period=period, organisation=organisation, value=value
                    )
                )
            elif current.value != value:
                current.value = value
                current.imported_at = timezone.now()
                to_update.append(current)
        ComparatorValue.objects.bulk_create(to_create, batch_size=WRITE_CHUNK)
        ComparatorValue.objects.bulk_update(to_update, ["value", "imported_at"], batch_size=WRITE_CHUNK)
        written += len(to_create) + len(to_update)
        if progress:
            progress(min(first + WRITE_CHUNK, len(values)))
    summary = {
        "organisations_created": len(created),
        "values_written": written,
        "rejected": len(plan["rejected"]),
    }
    batch.status = ImportBatch.Status.APPLIED
    batch.summary = summary
    batch.applied_at = timezone.now()
    batch.save(update_fields=["status", "summary", "applied_at"])
    return summary


COMPARATOR_IMPORTS = ImportKind(
    check=lambda user, options: _refuse_unless_hub(user),
    read=_read_job,
    apply=comparator_values_import,
    rows=lambda plan: len(plan.get("values") or []),
)


def comparator_groups_overview() -> tuple[list[ComparatorGroup], list[ComparatorOrganisation]]:
    """Read for /benchmarks/: every group with its members and their value counts, and the
    organisations in no group. Three queries whatever the numbers. (A selector; it lives here
    beside the import because indicators/selectors.py is another area's file.)"""
    members = ComparatorOrganisation.objects.annotate(value_count=Count("values")).order_by("name")
    groups = list(
        ComparatorGroup.objects.annotate(member_count=Count("members"))
        .prefetch_related(Prefetch("members", queryset=members))
        .order_by("name")
    )
    ungrouped = list(members.filter(groups__isnull=True))
    return groups, ungrouped
