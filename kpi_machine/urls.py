from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from reporting import views as reporting_views

admin.site.site_header = "KPI Machine administration"
admin.site.site_title = "KPI Machine"

urlpatterns = [
    path("", reporting_views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("indicators/", include("indicators.urls")),
    path("admin/", admin.site.urls),
]
