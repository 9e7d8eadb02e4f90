"""Scorecards, the councillors' dashboard and the public pages (open data included)."""

from django.urls import path

from organisation import roles
from reporting import scorecard_views as views

app_name = "scorecards"


def _scorecard(route: str, kind: str, name: str) -> list:
    """The scorecard page and its two export files, e.g. /scorecards/cmt/ and .../export.xlsx."""
    return [
        path(route, views.scorecard_page, {"kind": kind}, name=name),
        path(f"{route}export.<str:fmt>", views.scorecard_export, {"kind": kind}, name=f"{name}_export"),
    ]


urlpatterns = [
    path("scorecards/", views.scorecard_index, name="index"),
    *_scorecard("scorecards/directorate/<slug:slug>/", roles.SCORECARD_DIRECTORATE, "directorate"),
    *_scorecard("scorecards/council-plan/", roles.SCORECARD_COUNCIL_PLAN, "council_plan"),
    *_scorecard("scorecards/portfolio/<slug:slug>/", roles.SCORECARD_PORTFOLIO, "portfolio"),
    *_scorecard("scorecards/cmt/", roles.SCORECARD_CMT, "cmt"),
    *_scorecard("scorecards/board/<slug:slug>/", roles.SCORECARD_BOARD, "board"),
    path("dashboard/", views.dashboard_page, name="dashboard"),
    path("public/", views.public_page, name="public"),
    path("public/open-data.csv", views.open_data, {"fmt": "csv"}, name="open_data_csv"),
    path("public/open-data.json", views.open_data, {"fmt": "json"}, name="open_data_json"),
    path("public/indicators/<str:reference>/", views.public_indicator_page, name="public_indicator"),
]
