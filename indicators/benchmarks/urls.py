"""Comparator groups and the import of comparator values (mounted at /benchmarks/)."""

from django.urls import path

from indicators.benchmarks import views

app_name = "benchmarks"

urlpatterns = [
    path("", views.groups, name="groups"),
    path("import/", views.import_upload, name="import"),
    path("import/<int:batch_id>/", views.import_preview, name="import_preview"),
    path("import/<int:batch_id>/progress/", views.import_progress, name="import_progress"),
]
