from django.urls import path

from clinics import views

app_name = "clinics"

urlpatterns = [
    path("", views.clinic_list, name="list"),
    path("request/", views.clinic_request, name="request"),
    path("suggestions/decide/", views.suggestion_decide, name="suggestion_decide"),
    path("<int:clinic_id>/", views.clinic_detail, name="detail"),
    path("<int:clinic_id>/schedule/", views.clinic_schedule, name="schedule"),
    path("<int:clinic_id>/cancel/", views.clinic_cancel, name="cancel"),
    path("<int:clinic_id>/pack/", views.clinic_pack, name="pack"),
    path("<int:clinic_id>/pack.pdf", views.clinic_pack_pdf, name="pack_pdf"),
    path("<int:clinic_id>/record/", views.clinic_record, name="record"),
    path("<int:clinic_id>/plans/new/", views.plan_create, name="plan_create"),
    path(
        "<int:clinic_id>/definition-review/close/",
        views.definition_review_close,
        name="definition_review_close",
    ),
    path("plans/<int:plan_id>/", views.plan_detail, name="plan"),
    path("plans/<int:plan_id>/sign-off/", views.plan_sign_off, name="plan_sign_off"),
    path("plans/<int:plan_id>/return/", views.plan_return, name="plan_return"),
    path("plans/<int:plan_id>/resubmit/", views.plan_resubmit, name="plan_resubmit"),
    path("plans/<int:plan_id>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<int:plan_id>/close/", views.plan_close, name="plan_close"),
    path("actions/<int:action_id>/", views.action_update, name="action_update"),
]
