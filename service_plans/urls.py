from django.urls import path

from service_plans import views

app_name = "service_plans"
urlpatterns = [
    path("", views.plan_list, name="list"),
    path("new/", views.plan_create, name="create"),
    path("mine/", views.my_work, name="mine"),
    path("corporate-risks/", views.corporate_risks, name="corporate_risks"),
    path("overview/", views.plans_overview, name="overview"),
    path("objectives/", views.my_objectives, name="objectives"),
    path("objectives/team/", views.team_objectives, name="team_objectives"),
    path("objectives/<int:objective_id>/remove/", views.objective_delete, name="objective_delete"),
    path("dmt/<slug:slug>/", views.dmt_view, name="dmt"),
    path("themes/<slug:slug>/", views.theme_view, name="theme"),
    path("indicators/<str:reference>/", views.indicator_view, name="indicator"),
    path("<int:plan_id>/", views.plan_detail, name="detail"),
    path("<int:plan_id>/print/", views.plan_print, name="print"),
    path("<int:plan_id>/edit/", views.plan_edit, name="edit"),
    path("<int:plan_id>/export.xlsx", views.plan_export, name="export"),
    path("<int:plan_id>/import/", views.plan_import_view, name="import"),
    path("<int:plan_id>/import/confirm/", views.plan_import_confirm, name="import_confirm"),
    path("<int:plan_id>/move/", views.plan_transition, name="transition"),
    path("<int:plan_id>/comments/", views.plan_comment, name="comment"),
    path("<int:plan_id>/next-year/", views.plan_next_year, name="next_year"),
    path("<int:plan_id>/versions/<int:number>/", views.plan_version, name="version"),
    path("<int:plan_id>/savings/", views.saving_add, name="saving_add"),
    path("<int:plan_id>/savings/<int:saving_id>/remove/", views.saving_remove, name="saving_remove"),
    path("<int:plan_id>/indicators/", views.plan_indicator_add, name="indicator_add"),
    path(
        "<int:plan_id>/indicators/<int:entry_id>/remove/",
        views.plan_indicator_remove,
        name="indicator_remove",
    ),
    path(
        "<int:plan_id>/indicators/<int:entry_id>/include/",
        views.plan_indicator_include,
        name="indicator_include",
    ),
    path("<int:plan_id>/actions/new/", views.action_edit, name="action_create"),
    path("<int:plan_id>/actions/<int:action_id>/", views.action_detail, name="action"),
    path("<int:plan_id>/actions/<int:action_id>/edit/", views.action_edit, name="action_edit"),
    path("<int:plan_id>/risks/new/", views.risk_edit, name="risk_create"),
    path("<int:plan_id>/risks/<int:risk_id>/", views.risk_detail, name="risk"),
    path("<int:plan_id>/risks/<int:risk_id>/edit/", views.risk_edit, name="risk_edit"),
]
