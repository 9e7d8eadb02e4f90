"""Every write to a report, with its permission check where the report is fetched.

Workflow: draft → in review → signed off → published. Only a draft can be edited or
re-generated; re-generating keeps the narrative already written (it is stored apart from the
generated data). A signed-off or published report is never edited: a correction is version 2
(`new_version`), with a change note, and version 1 stays readable as published.
"""

import datetime
import hashlib
import logging
import re

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone

from indicators.models import Indicator, Period
from organisation import roles
from organisation.calendar import reporting_date
from organisation.ids import parse_id
from organisation.models import Board, Directorate
from reporting.reports import kinds
from reporting.reports import snapshot as snap
from reporting.reports.models import (
    CommitteeMeeting,
    NarrativeItem,
    Report,
    ReportEvent,
    ReportFile,
    scope_key,
)
from reporting.reports.render import render_body, render_pdf, render_xlsx
from reporting.reports.sections import ReportScope, build_sections

log = logging.getLogger(__name__)
MAX_NARRATIVE = 20_000
MAX_NOTE = 2_000


class ReportRefused(Exception):
    """A request the workflow refuses, with the message to show (and what is missing)."""

    def __init__(self, message: str, missing: list[dict] | None = None):
        super().__init__(message)
        self.message = message
        self.missing = missing or []


def _event(report: Report, action: str, user, note: str = "", **detail) -> None:
    ReportEvent.objects.create(
        report=report, action=action, note=note, detail=detail, by=_person(user), at=timezone.now()
    )


def _person(user):
    return user if user is not None and user.is_authenticated else None


def _name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


# --- Reading --------------------------------------------------------------------------------


def may_read(user, report: Report) -> bool:
    return roles.may_read_report(
        user, report.kind, report.directorate_id, report.board_id, published=report.is_published
    )


def report_for(user, report_id: int) -> Report:
    """The report, if the user may read it (404 unknown, 403 outside their role)."""
    report = get_object_or_404(
        Report.objects.select_related("period", "directorate", "board", "signed_off_by", "published_by"),
        pk=report_id,
    )
    if not may_read(user, report):
        raise PermissionDenied("This report is outside your role's scope.")
    return report


def public_report(report_id: int) -> Report:
    """A public, published version: anything else is a 404 to anyone on /public/."""
    return get_object_or_404(
        Report.objects.select_related("period", "directorate", "board"),
        pk=report_id,
        status=Report.Status.PUBLISHED,
        is_public=True,
    )


def versions_of(report: Report) -> list[Report]:
    """Every version of this report (same kind, period and scope), newest first."""
    return list(
        Report.objects.filter(kind=report.kind, period=report.period, scope_key=report.scope_key)
        .order_by("-version")
        .only(
            "id", "version", "status", "published_at", "digest", "public_digest", "is_public", "change_note"
        )
    )


def current_version(versions: list[Report]) -> Report | None:
    """The newest published version: what the page calls current."""
    return next((v for v in versions if v.status == Report.Status.PUBLISHED), None)


# --- Generation -----------------------------------------------------------------------------


MAX_EXCEPTION_INDICATORS = 200


def _indicator_set(indicators) -> list[int]:
    """An exception report's indicators: ids (a re-generation) or the references typed in, separated
    by commas, spaces or new lines. Unknown references are refused, by name."""
    if isinstance(indicators, (list, tuple)):
        return sorted({int(i) for i in indicators})
    references = [r for r in re.split(r"[\s,;]+", str(indicators or "")) if r]
    if len(references) > MAX_EXCEPTION_INDICATORS:
        raise ReportRefused(f"List at most {MAX_EXCEPTION_INDICATORS} indicators.")
    found = dict(Indicator.objects.filter(reference__in=references).values_list("reference", "id"))
    unknown = [r for r in references if r not in found]
    if unknown:
        shown = ", ".join(unknown[:10])
        raise ReportRefused(f"No indicator has the reference {shown}: check the references.")
    return sorted(set(found.values()))


def _scope_objects(kind: str, directorate_id, board_id, indicators=""):
    directorate = board = None
    indicator_ids: list[int] = []
    directorate_id, board_id = parse_id(directorate_id), parse_id(board_id)  # None: not an id
    if kind == kinds.DMT:
        directorate = Directorate.objects.filter(pk=directorate_id).first() if directorate_id else None
        if directorate is None:
            raise ReportRefused("Choose the directorate this DMT report is for.")
    if kind in (kinds.BOARD, kinds.EXCEPTION_REPORT):
        board = Board.objects.filter(pk=board_id).first() if board_id else None
    if kind == kinds.BOARD and board is None:
        raise ReportRefused("Choose the board this report is for.")
    if kind == kinds.EXCEPTION_REPORT:
        indicator_ids = _indicator_set(indicators)
        if board is None and not indicator_ids:
            raise ReportRefused("Choose the board the exception report is for, or list its indicators.")
        if board is not None and indicator_ids:
            raise ReportRefused("Choose a board or list indicators, not both.")
    return directorate, board, indicator_ids


def _may_start(user, kind: str, board_id) -> None:
    if kind == kinds.EXCEPTION_REPORT:
        if not roles.may_request_exception_report(user, parse_id(board_id)):
            raise PermissionDenied(
                "Exception reports are requested by the hub, or by a board's members for their board."
            )
    elif not roles.may_generate_reports(user):
        raise PermissionDenied("Only the Strategic Intelligence Hub generates reports.")


def start_generation(user, kind: str, period_id, directorate_id=None, board_id=None, indicators="") -> Report:
    """Create (or find) the draft of this report and queue its generation.

    A draft that exists already is re-generated (its narrative kept). Refused if the latest
    version has left draft: it is in review or signed off (return it first), or published (issue
    a new version). An exception report is for a board or a set of indicators (`indicators`: the
    references typed in, or the ids when a draft is generated again).
    """
    _may_start(user, kind, board_id)
    if kind not in kinds.KIND_LABELS:
        raise ReportRefused("Choose a kind of report from the list.")
    period_number = parse_id(period_id)
    period = Period.objects.filter(pk=period_number).first() if period_number else None
    if period is None:
        raise ReportRefused("Choose the period the report is for.")
    if period.kind not in kinds.PERIOD_KINDS[kind]:
        raise ReportRefused(
            f"A {kinds.KIND_LABELS[kind].lower()} is for a {kinds.PERIOD_KIND[kind]}, not a {period.kind}:"
            " choose another period."
        )
    directorate, board, indicator_ids = _scope_objects(kind, directorate_id, board_id, indicators)
    key = scope_key(directorate.id if directorate else None, board.id if board else None, indicator_ids)
    with transaction.atomic():
        latest = (
            Report.objects.select_for_update()
            .filter(kind=kind, period=period, scope_key=key)
            .order_by("-version")
            .first()
        )
        if latest is not None and latest.status != Report.Status.DRAFT:
            if latest.status in (Report.Status.PUBLISHED, Report.Status.PUBLISHING):
                raise ReportRefused(
                    f"{latest.title} is published (version {latest.version}): to correct it, issue a new"
                    " version with a change note."
                )
            raise ReportRefused(
                f"{latest.title} is {latest.get_status_display().lower()}: it cannot be re-generated unless it"
                " is returned to draft."
            )
        report = latest or Report(
            kind=kind,
            period=period,
            directorate=directorate,
            board=board,
            indicator_set=indicator_ids,
            created_by=_person(user),
            meeting=_next_meeting(kind, period, directorate, board),
        )
        report.generation = Report.Generation.QUEUED
        report.generation_progress = 0
        report.generation_message = "Waiting for the task to start."
        report.save()
        _event(report, "generation_queued", user)
    _enqueue(report.id)
    report.refresh_from_db()
    return report


def _enqueue(report_id: int) -> None:
    from reporting.reports.tasks import generate_report

    generate_report.delay(report_id)


def _next_meeting(kind, period, directorate, board):
    return (
        CommitteeMeeting.objects.filter(kind=kind, date__gt=period.end, directorate=directorate, board=board)
        .order_by("date")
        .first()
    )


def generate(report_id: int) -> Report:
    """Build every section from the data into the draft (the Celery task's body).

    Progress is written after each section, so the page polling it moves. A failure is recorded
    on the report (and logged), never left as "generating" for ever.
    """
    report = Report.objects.select_related("period", "directorate", "board").get(pk=report_id)
    if report.status != Report.Status.DRAFT:
        Report.objects.filter(pk=report_id).update(
            generation=Report.Generation.FAILED,
            generation_message="Only a draft can be generated: this report has left draft.",
        )
        return report
    Report.objects.filter(pk=report_id).update(
        generation=Report.Generation.RUNNING, generation_progress=1, generation_message="Starting."
    )
    as_of = reporting_date()
    scope = ReportScope(
        report.kind, report.period, as_of, report.directorate, report.board, tuple(report.indicator_set)
    )

    def progress(done: int, total: int, title: str) -> None:
        Report.objects.filter(pk=report_id).update(
            generation_progress=max(1, round(99 * done / total)), generation_message=f"Built: {title}."
        )

    try:
        sections = build_sections(scope, progress)
    except Exception as error:  # recorded on the report for the hub to see, and logged
        log.exception("Generating report %s failed", report_id)
        Report.objects.filter(pk=report_id).update(
            generation=Report.Generation.FAILED, generation_message=f"Generation failed: {error}"[:300]
        )
        return report
    Report.objects.filter(pk=report_id).update(
        data={"sections": sections},
        as_at=as_of,
        generated_at=timezone.now(),
        generation=Report.Generation.DONE,
        generation_progress=100,
        generation_message=f"Generated from the data as at {as_of:%d %B %Y}.",
    )
    report.refresh_from_db()
    _event(report, "generated", None, sections=len(sections))
    return report


# --- Narrative ------------------------------------------------------------------------------


def narrative_slots(report: Report) -> list[tuple[str, str]]:
    return kinds.required_slots(report.data.get("sections", []))


def checklist(report: Report, items: dict[str, NarrativeItem] | None = None) -> list[dict]:
    """Every narrative the report needs: written (by whom) and reviewed (by whom), in order."""
    if items is None:
        items = {i.slot: i for i in report.narrative.select_related("author", "reviewer")}
    rows = []
    for slot, label in narrative_slots(report):
        item = items.get(slot)
        rows.append(
            {
                "slot": slot,
                "label": label,
                "written": item is not None,
                "reviewed": bool(item and item.reviewer_id),
                "author": _name(item.author) if item else "",
                "reviewer": _name(item.reviewer) if item and item.reviewer_id else "",
            }
        )
    return rows


def missing_narrative(report: Report) -> list[dict]:
    return [row for row in checklist(report) if not row["written"]]


def _require_draft(report: Report) -> None:
    if report.status == Report.Status.DRAFT:
        return
    if report.status in (Report.Status.SIGNED_OFF, Report.Status.PUBLISHING, Report.Status.PUBLISHED):
        raise ReportRefused(
            f"This report is {report.get_status_display().lower()} and cannot be edited: issue a new version"
            " (with a change note) to correct it."
        )
    raise ReportRefused("This report is in review and cannot be edited: return it to draft first.")


def save_narrative(
    user, report: Report, slot: str, text: str, exempt: bool = False, judgement: str = ""
) -> NarrativeItem | None:
    """Write (or rewrite) one part's narrative; an empty text removes it. Review starts again.

    A year-end plausibility slot also needs its judgement (`kinds.JUDGEMENTS`); other slots take none.
    """
    if not roles.may_write_report(user, report.kind, report.directorate_id, report.board_id):
        raise PermissionDenied("You may not write this report's narrative.")
    _require_draft(report)
    if slot not in dict(narrative_slots(report)):
        raise ReportRefused("That part of the report does not take narrative: choose one from the checklist.")
    text = (text or "").replace("\r\n", "\n").strip()
    if len(text) > MAX_NARRATIVE:
        raise ReportRefused(
            f"Narrative must be {MAX_NARRATIVE:,} characters or fewer (this is {len(text):,})."
        )
    judging = slot.startswith(kinds.PLAUSIBILITY_PREFIX)
    judgement = (judgement or "").strip() if judging else ""
    if judging and text and judgement not in kinds.JUDGEMENTS:
        raise ReportRefused("Choose a judgement: plausible, not plausible or insufficient evidence.")
    with transaction.atomic():
        if not text:
            NarrativeItem.objects.filter(report=report, slot=slot).delete()
            _event(report, "narrative_removed", user, slot=slot)
            return None
        item, _ = NarrativeItem.objects.update_or_create(
            report=report,
            slot=slot,
            defaults={
                "text": text,
                "exempt": bool(exempt),
                "judgement": judgement,
                "author": _person(user),
                "written_at": timezone.now(),
                "reviewer": None,
                "reviewed_at": None,
            },
        )
        _event(report, "narrative_written", user, slot=slot, exempt=bool(exempt))
    return item


def review_narrative(user, report: Report, slot: str) -> NarrativeItem:
    if not roles.may_review_narrative(user, report.kind, report.directorate_id):
        raise PermissionDenied("You may not review this report's narrative.")
    _require_draft(report)
    item = NarrativeItem.objects.filter(report=report, slot=slot).first()
    if item is None:
        raise ReportRefused("There is no narrative there to review yet.")
    if item.author_id is not None and user is not None and item.author_id == user.id:
        raise ReportRefused("Narrative is reviewed by someone other than its author.")
    item.reviewer, item.reviewed_at = _person(user), timezone.now()
    item.save(update_fields=["reviewer", "reviewed_at"])
    _event(report, "narrative_reviewed", user, slot=slot)
    return item


def set_exempt_sections(user, report: Report, keys: list[str]) -> None:
    if not roles.may_write_report(user, report.kind, report.directorate_id, report.board_id):
        raise PermissionDenied("You may not change this report.")
    _require_draft(report)
    known = {s["key"] for s in report.data.get("sections", [])}
    unknown = [k for k in keys if k not in known]
    if unknown:
        raise ReportRefused("That section is not in this report: choose from the list.")
    report.exempt_sections = sorted(set(keys))
    report.save(update_fields=["exempt_sections"])
    _event(report, "exempt_sections", user, sections=report.exempt_sections)


# --- Workflow -------------------------------------------------------------------------------


def _transition(report: Report, expected: str, new: str) -> None:
    """Move the report on, only from the expected state (a second click changes nothing)."""
    changed = Report.objects.filter(pk=report.pk, status=expected).update(status=new)
    if not changed:
        raise ReportRefused("The report has changed since you opened it: look at it again.")
    report.status = new


def submit_for_review(user, report: Report) -> None:
    if not roles.may_write_report(user, report.kind, report.directorate_id, report.board_id):
        raise PermissionDenied("You may not send this report for review.")
    _require_draft(report)
    if report.generation != Report.Generation.DONE:
        raise ReportRefused("Generate the report from the data before sending it for review.")
    with transaction.atomic():
        _transition(report, Report.Status.DRAFT, Report.Status.IN_REVIEW)
        _event(report, "submitted_for_review", user)


def may_sign_off(user, report: Report) -> bool:
    return roles.may_sign_off_report(user, kinds.SIGN_OFF_ROLES[report.kind]) and may_read(user, report)


def return_to_draft(user, report: Report, reason: str) -> None:
    if not (roles.is_hub(user) or may_sign_off(user, report)):
        raise PermissionDenied("You may not return this report.")
    if report.status != Report.Status.IN_REVIEW:
        raise ReportRefused("Only a report in review can be returned to draft.")
    reason = (reason or "").strip()
    if not reason:
        raise ReportRefused("Say why the report is returned to draft.")
    with transaction.atomic():
        _transition(report, Report.Status.IN_REVIEW, Report.Status.DRAFT)
        _event(report, "returned_to_draft", user, note=reason[:MAX_NOTE])


def sign_off(user, report: Report) -> None:
    """A director or CMT (the hub for DMT reports) signs off a report in review, complete."""
    if not may_sign_off(user, report):
        raise PermissionDenied("Your role does not sign off this kind of report.")
    if report.status != Report.Status.IN_REVIEW:
        raise ReportRefused("Only a report in review can be signed off.")
    missing = missing_narrative(report)
    if missing:
        raise ReportRefused("The report cannot be signed off: some narrative is missing.", missing)
    with transaction.atomic():
        _transition(report, Report.Status.IN_REVIEW, Report.Status.SIGNED_OFF)
        Report.objects.filter(pk=report.pk).update(signed_off_by=_person(user), signed_off_at=timezone.now())
        _event(report, "signed_off", user)
    report.refresh_from_db()


def build_snapshot(report: Report, *, published_at: datetime.datetime | None = None) -> dict:
    """The report as plain data: every section, number, status and word (the internal version)."""
    items = {i.slot: i for i in report.narrative.select_related("author", "reviewer")}

    def words(slot: str) -> dict | None:
        item = items.get(slot)
        if item is None:
            return None
        return {
            "text": item.text,
            "author": _name(item.author),
            "reviewer": _name(item.reviewer) if item.reviewer_id else "",
            "exempt": item.exempt,
            **({"judgement": kinds.JUDGEMENTS[item.judgement]} if item.judgement else {}),
        }

    sections = []
    for section in report.data.get("sections", []):
        section = {**section, "exempt": section["key"] in report.exempt_sections}
        section["narrative"] = words(kinds.section_slot(section["key"]))
        section["exceptions"] = [
            {**e, "narrative": words(kinds.exception_slot(e["reference"]))}
            for e in section.get("exceptions", [])
        ]
        if "judgements" in section:
            _fill_judgements(section, words)
        sections.append(section)
    supersedes = report.supersedes
    return {
        "format": 1,
        "audience": snap.INTERNAL,
        "report": {
            "id": report.id,
            "title": report.title,
            "kind": report.kind,
            "kind_label": kinds.KIND_LABELS[report.kind],
            "period": report.period.label,
            "scope": (report.directorate or report.board).name
            if (report.directorate or report.board)
            else "",
            "version": report.version,
            "supersedes_version": supersedes.version if supersedes else None,
            "change_note": report.change_note,
            "status": "Published" if published_at else report.get_status_display(),
            "as_at": report.as_at.isoformat() if report.as_at else "",
            "council": settings.KPI_COUNCIL_NAME,
            "signed_off_by": _name(report.signed_off_by) if report.signed_off_by_id else "",
            "signed_off_at": timezone.localtime(report.signed_off_at).isoformat()
            if report.signed_off_at
            else "",
            "published_at": timezone.localtime(published_at).isoformat() if published_at else "",
        },
        "summary": words(kinds.SUMMARY_SLOT),
        "sections": sections,
    }


def _fill_judgements(section: dict, words) -> None:
    """The plausibility table's Judgement and Reasoning columns, from each action's narrative item
    (an exempt one's row is in the internal version only)."""
    section["judgements"] = [
        {**j, "narrative": words(kinds.plausibility_slot(j["reference"]))} for j in section["judgements"]
    ]
    by_reference = {j["reference"]: j["narrative"] for j in section["judgements"]}
    judged, reasoning = section["columns"].index("Judgement"), section["columns"].index("Reasoning")
    rows = []
    for row in section["rows"]:
        row, narrative = list(row), by_reference.get(row[0])
        if narrative:
            row[judged] = narrative.get("judgement", row[judged])
            row[reasoning] = narrative["text"]
            if narrative["exempt"]:
                section.setdefault("exempt_rows", []).append(len(rows))
        rows.append(row)
    section["rows"] = rows


def publish(user, report: Report, *, confirmed: bool, is_public: bool) -> None:
    """Freeze and publish. The snapshot, its digest and the HTML body (internal and public versions)
    are stored now, once; the PDFs and workbooks are rendered from that frozen snapshot by a task
    (`render_files`, a dozen seconds for a long report), after which the version is published and
    those bytes are served for ever."""
    if not roles.may_publish_reports(user):
        raise PermissionDenied("Only the Strategic Intelligence Hub publishes reports.")
    if report.status != Report.Status.SIGNED_OFF:
        raise ReportRefused("Only a signed-off report can be published.")
    missing = missing_narrative(report)
    if missing:
        raise ReportRefused("The report cannot be published: some narrative is missing.", missing)
    if not confirmed:
        raise ReportRefused("Confirm that you want to publish this report: publishing cannot be undone.")
    now = timezone.now()
    internal = build_snapshot(report, published_at=now)
    public = snap.public_copy(internal)
    digest, public_digest = snap.digest(internal), snap.digest(public)
    with transaction.atomic():
        _transition(report, Report.Status.SIGNED_OFF, Report.Status.PUBLISHING)
        Report.objects.filter(pk=report.pk).update(
            snapshot=internal,
            digest=digest,
            public_snapshot=public,
            public_digest=public_digest,
            html=render_body(internal, digest),
            public_html=render_body(public, public_digest),
            is_public=bool(is_public),
            published_by=_person(user),
            published_at=now,
            files_progress=0,
            files_message="Waiting for the task to make the PDF and the workbook.",
        )
        _event(report, "frozen", user, digest=digest, public=bool(is_public))
    _enqueue_files(report.id)
    report.refresh_from_db()


def _enqueue_files(report_id: int) -> None:
    from reporting.reports.tasks import render_report_files

    render_report_files.delay(report_id)


def retry_files(user, report: Report) -> None:
    """Queue the files' rendering again (after a failure); files already stored are kept."""
    if not roles.may_publish_reports(user):
        raise PermissionDenied("Only the Strategic Intelligence Hub publishes reports.")
    if report.status != Report.Status.PUBLISHING:
        raise ReportRefused("Only a report being published has files still to make.")
    _event(report, "files_queued", user)
    _enqueue_files(report.id)


def render_files(report_id: int) -> Report:
    """The task's body: the internal and public PDF and .xlsx from the frozen snapshot, each
    stored as it is made (a retry after a failure makes only the missing ones, so stored bytes
    never change), then the version is published."""
    report = Report.objects.select_related("published_by").get(pk=report_id)
    if report.status != Report.Status.PUBLISHING:
        return report
    jobs = [
        ("internal", ReportFile.Format.PDF, render_pdf, report.snapshot, report.digest),
        ("internal", ReportFile.Format.XLSX, render_xlsx, report.snapshot, report.digest),
        ("public", ReportFile.Format.PDF, render_pdf, report.public_snapshot, report.public_digest),
        ("public", ReportFile.Format.XLSX, render_xlsx, report.public_snapshot, report.public_digest),
    ]
    stored = set(ReportFile.objects.filter(report=report).values_list("audience", "format"))
    try:
        for done, (audience, fmt, render, data, digest) in enumerate(jobs, start=1):
            if (audience, fmt) not in stored:
                content = render(data, digest)
                ReportFile.objects.create(
                    report=report,
                    audience=audience,
                    format=fmt,
                    content=content,
                    sha256=hashlib.sha256(content).hexdigest(),
                    created_at=timezone.now(),
                )
            Report.objects.filter(pk=report_id).update(
                files_progress=round(100 * done / len(jobs)),
                files_message=f"Made the {audience} {ReportFile.Format(fmt).label}.",
            )
    except Exception as error:  # recorded for the hub (who can try again), and logged
        log.exception("Making the files of report %s failed", report_id)
        Report.objects.filter(pk=report_id).update(files_message=f"Making the files failed: {error}"[:300])
        return report
    with transaction.atomic():
        published = Report.objects.filter(pk=report_id, status=Report.Status.PUBLISHING).update(
            status=Report.Status.PUBLISHED, files_message="The PDF and the workbook are stored."
        )
        if published:
            _event(report, "published", report.published_by, digest=report.digest, public=report.is_public)
    report.refresh_from_db()
    return report


def new_version(user, report: Report, change_note: str) -> Report:
    """Version n+1 of a published report, as a draft with the same narrative, re-generated."""
    if not roles.may_generate_reports(user):
        raise PermissionDenied("Only the Strategic Intelligence Hub issues new versions.")
    if report.status != Report.Status.PUBLISHED:
        raise ReportRefused("A new version corrects a published report: this one is not published.")
    change_note = (change_note or "").strip()
    if not change_note:
        raise ReportRefused("Say what the new version changes (the change note is printed on it).")
    if len(change_note) > MAX_NOTE:
        raise ReportRefused(f"The change note must be {MAX_NOTE:,} characters or fewer.")
    with transaction.atomic():
        if Report.objects.filter(supersedes=report).exists():
            raise ReportRefused("This version has already been superseded: correct the newest version.")
        draft = Report.objects.create(
            kind=report.kind,
            period=report.period,
            directorate=report.directorate,
            board=report.board,
            indicator_set=report.indicator_set,
            version=report.version + 1,
            supersedes=report,
            change_note=change_note,
            is_public=report.is_public,
            meeting=report.meeting,
            exempt_sections=report.exempt_sections,
            created_by=_person(user),
            generation=Report.Generation.QUEUED,
            generation_message="Waiting for the task to start.",
        )
        NarrativeItem.objects.bulk_create(
            NarrativeItem(
                report=draft,
                slot=item.slot,
                text=item.text,
                exempt=item.exempt,
                author=item.author,
                written_at=item.written_at,
            )
            for item in report.narrative.all()
        )
        _event(draft, "new_version", user, note=change_note, supersedes=report.version)
    _enqueue(draft.id)
    draft.refresh_from_db()
    return draft


def stored_file(report: Report, audience: str, fmt: str) -> ReportFile | None:
    return ReportFile.objects.filter(report=report, audience=audience, format=fmt).first()


def preview(report: Report) -> tuple[dict, str]:
    """A draft's snapshot as it would be published now, and its digest (nothing stored)."""
    data = build_snapshot(report)
    return data, snap.digest(data)


# --- Scheduled generation -------------------------------------------------------------------

# Generated as drafts once a quarter's returns have fallen due (the year-end report after Q4's).
SCHEDULED_KINDS = (kinds.EXECUTIVE, kinds.CMT)


def generate_due_reports(as_of: datetime.date | None = None) -> list[Report]:
    """Queue a draft of each scheduled report for the latest quarter whose returns have fallen due
    (its end plus the default submission lag is on or before the reporting date), and the
    year-end report when that quarter is Q4. Idempotent: a report that exists is left alone (the
    hub re-generates a draft on demand); only the latest due quarter, never the back catalogue."""
    from reporting.exceptions import DEFAULT_LAG_DAYS

    as_of = as_of or reporting_date()
    quarter = (
        Period.objects.filter(kind="quarter", end__lte=as_of - datetime.timedelta(days=DEFAULT_LAG_DAYS))
        .order_by("-end")
        .first()
    )
    if quarter is None:
        return []
    wanted = [(kind, quarter) for kind in SCHEDULED_KINDS]
    if quarter.end.month == 3:
        year = Period.objects.filter(kind="year", end=quarter.end).first()
        if year is not None:
            wanted.append((kinds.YEAR_END, year))
    queued = []
    for kind, period in wanted:
        with transaction.atomic():
            if Report.objects.filter(kind=kind, period=period, directorate=None, board=None).exists():
                continue
            report = Report.objects.create(
                kind=kind,
                period=period,
                meeting=_next_meeting(kind, period, None, None),
                generation=Report.Generation.QUEUED,
                generation_progress=0,
                generation_message="Waiting for the task to start.",
            )
            _event(
                report, "generation_queued", None, note="Scheduled: the quarter's returns have fallen due."
            )
        queued.append(report)
    for report in queued:
        _enqueue(report.id)
    return queued
