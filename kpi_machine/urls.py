"""The portal's URL map. Each area has its own URL module, owned by its app."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path

from api import views as api_views
from api.api import urlpatterns as api_urlpatterns
from kpi_machine import accounts, lockouts
from kpi_machine.health import healthz
from reporting import views as reporting_views

admin.site.site_header = "KPI Machine administration"
admin.site.site_title = "KPI Machine"

urlpatterns = [
    path("", reporting_views.home, name="home"),
    path("healthz/", healthz, name="healthz"),
    path("accounts/", accounts.account, name="account"),
    path("accounts/login/", accounts.SignInView.as_view(), name="login"),
    path("accounts/login/code/", accounts.sign_in_code, name="login-code"),
    path("accounts/two-factor/", accounts.enrol, name="two-factor-enrol"),
    path("accounts/two-factor/remove/", accounts.remove, name="two-factor-remove"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/lockouts/", lockouts.lockouts, name="lockouts"),
    # Data entry and data quality (indicators app).
    path("", include("indicators.data_entry.urls")),
    path("indicators/", include("indicators.urls")),
    path("benchmarks/", include("indicators.benchmarks.urls")),
    # Scorecards, dashboards, public pages and exception lists (reporting app).
    path("", include("reporting.scorecard_urls")),
    path("", include("reporting.exception_urls")),
    # Performance clinics and remedial plans (clinics app).
    path("clinics/", include("clinics.urls")),
    # Service Improvement Plans (service_plans app).
    path("service-plans/", include("service_plans.urls")),
    # Committee reports and returns to central government (reporting.reports).
    path("", include("reporting.reports.urls")),
    # The read API (api app): its reference page, the API itself, and a problem-details 404 for
    # any other address under /api/; personal API tokens on the account page.
    path("api/v1/docs/", api_views.docs, name="api_docs"),
    path("api/v1/", api_urlpatterns()),
    re_path(r"^api/(?P<rest>.*)$", api_views.not_found),
    path("", include("api.urls")),
    # The admin signs in through the portal's own sign-in, so its second step (the two-factor
    # code) cannot be bypassed by the admin's form.
    path("admin/login/", accounts.SignInView.as_view(), name="admin-login"),
    path("admin/", admin.site.urls),
]
