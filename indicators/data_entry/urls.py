"""Data entry, approvals, imports, exports, targets, data quality and audit (mounted at the site root)."""

from django.urls import path

from indicators.data_entry.views import (
    approvals,
    audit,
    data_quality,
    exports,
    imports,
    notifications,
    returns,
    targets,
)

app_name = "data_entry"
urlpatterns = [
    path("returns/", returns.returns_list, name="returns"),
    path("returns/bulk/", returns.returns_bulk, name="bulk"),
    path("returns/<str:reference>/<str:period>/", returns.return_entry, name="entry"),
    path("returns/<str:reference>/<str:period>/rag/", returns.return_entry_rag, name="entry_rag"),
    path("approvals/", approvals.approvals_list, name="approvals"),
    path("approvals/<int:result_id>/", approvals.approval_decide, name="decide"),
    path("approvals/approve-selected/", approvals.approvals_approve_selected, name="approve_selected"),
    path("accounts/notifications/", notifications.notification_preferences, name="notifications"),
    path("audit/", audit.audit, name="audit"),
    path("audit/export.<str:fmt>", audit.audit_export, name="audit_export"),
    path("targets/", targets.targets_index, name="targets"),
    path("targets/import/", targets.targets_import, name="targets_import"),
    path("targets/<str:reference>/", targets.targets_indicator, name="targets_indicator"),
    path("data-quality/", data_quality.data_quality_page, name="data_quality"),
    path("data-quality/records/", data_quality.data_quality_records, name="data_quality_records"),
    path("imports/", imports.import_upload, name="imports"),
    path("imports/<int:batch_id>/", imports.import_preview_view, name="import_preview"),
    path("imports/<int:batch_id>/progress/", imports.import_progress, name="import_progress"),
    path("exports/results.<str:fmt>", exports.export_results, name="export_results"),
    path("exports/template.<str:fmt>", exports.export_template, name="export_template"),
    path("exports/library.<str:fmt>", exports.export_library, name="export_library"),
    path("audit/results/<int:result_id>/restore/<int:change_id>/", audit.result_restore_view, name="restore"),
]
