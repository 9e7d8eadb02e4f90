"""Data entry, approvals, imports, exports, targets, data quality and audit (mounted at the site root)."""

from django.urls import path

from indicators.data_entry import views

app_name = "data_entry"
urlpatterns = [
    path("returns/", views.returns_list, name="returns"),
    path("returns/bulk/", views.returns_bulk, name="bulk"),
    path("returns/<str:reference>/<str:period>/", views.return_entry, name="entry"),
    path("approvals/", views.approvals_list, name="approvals"),
    path("approvals/<int:result_id>/", views.approval_decide, name="decide"),
    path("audit/", views.audit, name="audit"),
    path("targets/", views.targets_index, name="targets"),
    path("targets/import/", views.targets_import, name="targets_import"),
    path("targets/<str:reference>/", views.targets_indicator, name="targets_indicator"),
    path("data-quality/", views.data_quality_page, name="data_quality"),
    path("data-quality/records/", views.data_quality_records, name="data_quality_records"),
    path("imports/", views.import_upload, name="imports"),
    path("imports/<int:batch_id>/", views.import_preview_view, name="import_preview"),
    path("exports/results.<str:fmt>", views.export_results, name="export_results"),
    path("exports/template.<str:fmt>", views.export_template, name="export_template"),
    path("exports/library.<str:fmt>", views.export_library, name="export_library"),
    path("audit/results/<int:result_id>/restore/<int:change_id>/", views.result_restore_view, name="restore"),
]
