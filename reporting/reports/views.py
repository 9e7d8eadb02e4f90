"""Report pages: parse the request, call a service, render. Permission checks are in `services`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from indicators.models import Period
from organisation import roles
from organisation.models import Board, Directorate
from reporting.reports import kinds, services
from reporting.reports.models import CommitteeMeeting, Report, ReportFile
from reporting.reports.render import render_body
from reporting.reports.services import ReportRefused

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _slug(report: Report) -> str:
    return (
        f"{report.kind}-{report.period.label.replace('/', '-').replace(' ', '-').lower()}-v{report.version}"
    )


def _file_response(stored: ReportFile, name: str) -> HttpResponse:
    response = HttpResponse(bytes(stored.content), content_type=CONTENT_TYPES[stored.format])
    response["Content-Disposition"] = f'attachment; filename="{name}.{stored.format}"'
    response["X-Content-SHA256"] = stored.sha256
    return response


def _generate_form_context(request, error: str = "", values=None) -> dict:
    return {
        "kinds": kinds.KIND_LABELS,
        "periods": list(Period.objects.order_by("-start", "kind")),
        "directorates": list(Directorate.objects.order_by("name")),
        "boards": list(Board.objects.order_by("name")),
        "error": error,
        "values": values or {},
    }


@login_required
def report_list(request, error: str = "", status: int = 200):
    reports = [
        r
        for r in Report.objects.select_related("period", "directorate", "board").order_by(
            "-period__start", "kind", "scope_key", "-version"
        )
        if services.may_read(request.user, r)
    ]
    context = {
        "reports": reports,
        "may_generate": roles.may_generate_reports(request.user),
        "may_read_collections": roles.may_read_collections(request.user),
        "may_read_delivery_plans": roles.reads_every_delivery_plan(request.user)
        or roles.board_id_of(request.user) is not None,
        "nav_section": "reports",
    }
    if context["may_read_collections"]:
        from organisation.calendar import reporting_date
        from reporting.reports.returns import overdue_count

        context["overdue_returns"] = overdue_count(reporting_date())
    own_board = roles.board_id_of(request.user)
    context["exception_board"] = (
        Board.objects.filter(pk=own_board).first()
        if own_board and roles.may_request_exception_report(request.user, own_board)
        else None
    )
    if context["may_generate"] or context["exception_board"]:
        context.update(_generate_form_context(request, error, request.POST if error else None))
    return render(request, "reporting/reports/list.html", context, status=status)


@login_required
@require_POST
def generate(request):
    post = request.POST
    try:
        report = services.start_generation(
            request.user,
            post.get("kind", ""),
            post.get("period"),
            post.get("directorate"),
            post.get("board"),
            indicators=post.get("indicators", ""),
        )
    except ReportRefused as refused:
        return report_list(request, error=refused.message, status=400)
    return redirect("reports:detail", report_id=report.id)


@login_required
def report_detail(request, report_id: int):
    report = services.report_for(request.user, report_id)
    versions = services.versions_of(report)
    context = {
        "report": report,
        "versions": versions,
        "current": services.current_version(versions),
        "events": list(report.events.select_related("by")[:50]),
        "nav_section": "reports",
    }
    if report.is_published or report.status == Report.Status.PUBLISHING:
        context["body"] = report.html
        context["digest"] = report.digest
        context["may_publish"] = roles.may_publish_reports(request.user)
    else:
        snapshot, digest = services.preview(report)
        context.update(
            body=render_body(snapshot, digest),
            digest=digest,
            checklist=services.checklist(report),
            may_write=roles.may_write_report(
                request.user, report.kind, report.directorate_id, report.board_id
            ),
            may_review=roles.may_review_narrative(request.user, report.kind, report.directorate_id),
            may_sign_off=services.may_sign_off(request.user, report),
            may_generate=roles.may_generate_reports(request.user),
            may_publish=roles.may_publish_reports(request.user),
            sections=report.data.get("sections", []),
        )
        context["missing"] = [row for row in context["checklist"] if not row["written"]]
    context["may_new_version"] = report.is_published and roles.may_generate_reports(request.user)
    return render(request, "reporting/reports/detail.html", context)


@login_required
def progress(request, report_id: int):
    report = services.report_for(request.user, report_id)
    response = render(request, "reporting/reports/progress.html", {"report": report})
    if (
        request.htmx
        and request.GET.get("poll")
        and report.generation
        in (
            Report.Generation.DONE,
            Report.Generation.FAILED,
        )
    ):
        response["HX-Refresh"] = "true"  # the task has finished: reload the page to show the report
    return response


@login_required
def files_progress(request, report_id: int):
    """Publication's files: polled with htmx while the task makes them; the page reloads once the
    version is published (its PDF stored)."""
    report = services.report_for(request.user, report_id)
    response = render(request, "reporting/reports/files_progress.html", {"report": report})
    if request.htmx and request.GET.get("poll") and report.is_published:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def retry_files(request, report_id: int):
    def action(report):
        services.retry_files(request.user, report)
        return "The PDF and the workbook are being made again."

    return _act(request, report_id, action)


@login_required
def narrative_edit(request, report_id: int, slot: str):
    report = services.report_for(request.user, report_id)
    slots = dict(services.narrative_slots(report))
    if slot not in slots:
        raise Http404("That part of the report does not take narrative.")
    if not roles.may_write_report(request.user, report.kind, report.directorate_id, report.board_id):
        raise PermissionDenied("You may not write this report's narrative.")
    item = report.narrative.filter(slot=slot).first()
    error = ""
    text = item.text if item else ""
    exempt = item.exempt if item else False
    judgement = item.judgement if item else ""
    if request.method == "POST":
        text, exempt = request.POST.get("text", ""), request.POST.get("exempt") == "yes"
        judgement = request.POST.get("judgement", "")
        try:
            services.save_narrative(request.user, report, slot, text, exempt, judgement)
        except ReportRefused as refused:
            error = refused.message
        else:
            messages.success(request, f"Saved: {slots[slot]}.")
            return redirect(reverse("reports:detail", args=[report.id]) + "#checklist")
    context = {
        "report": report,
        "slot": slot,
        "label": slots[slot],
        "text": text,
        "exempt": exempt,
        "error": error,
        "judging": slot.startswith(kinds.PLAUSIBILITY_PREFIX),
        "judgement": judgement,
        "judgements": list(kinds.JUDGEMENTS.items()),
    }
    return render(request, "reporting/reports/narrative.html", context, status=400 if error else 200)


def _act(request, report_id: int, action) -> HttpResponse:
    report = services.report_for(request.user, report_id)
    try:
        done = action(report)
    except ReportRefused as refused:
        missing = "; ".join(row["label"] for row in refused.missing)
        messages.error(request, refused.message + (f" Missing: {missing}." if missing else ""))
    else:
        messages.success(request, done)
    return redirect("reports:detail", report_id=report.id)


@login_required
@require_POST
def review(request, report_id: int, slot: str):
    def action(report):
        services.review_narrative(request.user, report, slot)
        return "Narrative marked as reviewed."

    return _act(request, report_id, action)


@login_required
@require_POST
def regenerate(request, report_id: int):
    report = services.report_for(request.user, report_id)
    try:
        services.start_generation(
            request.user,
            report.kind,
            report.period_id,
            report.directorate_id,
            report.board_id,
            indicators=report.indicator_set,
        )
    except ReportRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, "The report was generated again from the data; its narrative was kept.")
    return redirect("reports:detail", report_id=report.id)


@login_required
@require_POST
def workflow(request, report_id: int, step: str):
    steps = {
        "submit": (services.submit_for_review, "Sent for review."),
        "sign-off": (services.sign_off, "Signed off."),
    }

    def action(report):
        if step == "return":
            services.return_to_draft(request.user, report, request.POST.get("reason", ""))
            return "Returned to draft."
        if step not in steps:
            raise Http404("No such step.")
        function, done = steps[step]
        function(request.user, report)
        return done

    return _act(request, report_id, action)


@login_required
@require_POST
def exempt(request, report_id: int):
    def action(report):
        services.set_exempt_sections(request.user, report, request.POST.getlist("sections"))
        return "Exempt sections saved: they will be in the internal version only."

    return _act(request, report_id, action)


@login_required
def publish(request, report_id: int):
    report = services.report_for(request.user, report_id)
    if not roles.may_publish_reports(request.user):
        raise PermissionDenied("Only the Strategic Intelligence Hub publishes reports.")
    error, missing = "", []
    if request.method == "POST":
        try:
            services.publish(
                request.user,
                report,
                confirmed=request.POST.get("confirm") == "yes",
                is_public=request.POST.get("public") == "yes",
            )
        except ReportRefused as refused:
            error, missing = refused.message, refused.missing
        else:
            if report.is_published:
                messages.success(
                    request, f"Published version {report.version}. Its digest is {report.digest}."
                )
            else:
                messages.success(
                    request,
                    f"Version {report.version} is frozen (digest {report.digest}); its PDF and workbook are"
                    " being made, and it is published when they are stored.",
                )
            return redirect("reports:detail", report_id=report.id)
    context = {"report": report, "error": error, "missing": missing or services.missing_narrative(report)}
    return render(request, "reporting/reports/publish.html", context, status=400 if error else 200)


@login_required
def new_version(request, report_id: int):
    report = services.report_for(request.user, report_id)
    if not roles.may_generate_reports(request.user):
        raise PermissionDenied("Only the Strategic Intelligence Hub issues new versions.")
    error, note = "", ""
    if request.method == "POST":
        note = request.POST.get("change_note", "")
        try:
            draft = services.new_version(request.user, report, note)
        except ReportRefused as refused:
            error = refused.message
        else:
            messages.success(
                request, f"Version {draft.version} drafted; version {report.version} stays as published."
            )
            return redirect("reports:detail", report_id=draft.id)
    context = {"report": report, "error": error, "note": note}
    return render(request, "reporting/reports/new_version.html", context, status=400 if error else 200)


@login_required
def report_file(request, report_id: int, fmt: str):
    report = services.report_for(request.user, report_id)
    stored = services.stored_file(report, "internal", fmt) if report.is_published else None
    if stored is None:
        raise Http404("Files are made when a report is published.")
    return _file_response(stored, _slug(report))


@login_required
def calendar(request):
    meetings = list(CommitteeMeeting.objects.select_related("directorate", "board").order_by("date"))
    return render(
        request, "reporting/reports/calendar.html", {"meetings": meetings, "nav_section": "reports"}
    )


# --- Public ---------------------------------------------------------------------------------


def public_list(request):
    reports = list(
        Report.objects.filter(status=Report.Status.PUBLISHED, is_public=True)
        .select_related("period", "directorate", "board")
        .order_by("-period__start", "kind", "scope_key", "-version")
    )
    return render(
        request, "reporting/reports/public/list.html", {"reports": reports, "nav_section": "public"}
    )


def public_detail(request, report_id: int):
    report = services.public_report(report_id)
    versions = [
        v for v in services.versions_of(report) if v.status == Report.Status.PUBLISHED and v.is_public
    ]
    context = {
        "report": report,
        "versions": versions,
        "current": versions[0] if versions else None,
        "body": report.public_html,
        "digest": report.public_digest,
        "nav_section": "public",
    }
    return render(request, "reporting/reports/public/detail.html", context)


def public_file(request, report_id: int, fmt: str):
    report = services.public_report(report_id)
    stored = services.stored_file(report, "public", fmt)
    if stored is None:
        raise Http404("No such file.")
    return _file_response(stored, _slug(report))


def public_data(request, report_id: int):
    report = services.public_report(report_id)
    return JsonResponse({"digest": report.public_digest, "snapshot": report.public_snapshot})
