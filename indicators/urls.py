from django.urls import path

from indicators import views

app_name = "indicators"
urlpatterns = [
    path("", views.indicator_library, name="library"),
    path("<str:reference>/", views.indicator_detail, name="detail"),
    path("<str:reference>/rebase/", views.rebase_decision, name="rebase"),
]
