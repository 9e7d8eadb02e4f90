"""Committee reports (/reports/), their public versions (/public/reports/) and the returns."""

from django.urls import path

from reporting.reports import delivery_plan_views, returns_views, views

app_name = "reports"

urlpatterns = [
    path("reports/", views.report_list, name="list"),
    path("reports/generate/", views.generate, name="generate"),
    path("reports/calendar/", views.calendar, name="calendar"),
    path("reports/<int:report_id>/", views.report_detail, name="detail"),
    path("reports/<int:report_id>/progress/", views.progress, name="progress"),
    path("reports/<int:report_id>/regenerate/", views.regenerate, name="regenerate"),
    path("reports/<int:report_id>/narrative/<str:slot>/", views.narrative_edit, name="narrative"),
    path("reports/<int:report_id>/narrative/<str:slot>/review/", views.review, name="review"),
    path("reports/<int:report_id>/exempt/", views.exempt, name="exempt"),
    path("reports/<int:report_id>/step/<slug:step>/", views.workflow, name="workflow"),
    path("reports/<int:report_id>/publish/", views.publish, name="publish"),
    path("reports/<int:report_id>/new-version/", views.new_version, name="new_version"),
    path("reports/<int:report_id>/report.<str:fmt>", views.report_file, name="file"),
    path("reports/<int:report_id>/files-progress/", views.files_progress, name="files_progress"),
    path("reports/<int:report_id>/make-files/", views.retry_files, name="retry_files"),
    path("reports/delivery-plans/", delivery_plan_views.plan_list, name="delivery_plans"),
    path("reports/delivery-plans/<int:plan_id>/", delivery_plan_views.plan_detail, name="delivery_plan"),
    path(
        "reports/delivery-plans/<int:plan_id>/priorities/new/",
        delivery_plan_views.item_form,
        name="delivery_plan_item_new",
    ),
    path(
        "reports/delivery-plans/<int:plan_id>/priorities/<int:item_id>/",
        delivery_plan_views.item_form,
        name="delivery_plan_item",
    ),
    path("reports/returns/", returns_views.collections_page, name="returns"),
    path("reports/returns/<int:return_id>/status/", returns_views.update_status, name="return_status"),
    path("reports/returns/<int:return_id>/export.<str:fmt>", returns_views.export, name="return_export"),
    path("reports/returns/<int:return_id>/submitted-file/", returns_views.submitted_file, name="return_file"),
    path("public/reports/", views.public_list, name="public_list"),
    path("public/reports/<int:report_id>/", views.public_detail, name="public_detail"),
    path("public/reports/<int:report_id>/report.<str:fmt>", views.public_file, name="public_file"),
    path("public/reports/<int:report_id>/data.json", views.public_data, name="public_data"),
]
