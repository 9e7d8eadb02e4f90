from django.urls import path

from reporting import exception_views

app_name = "exceptions"
urlpatterns = [
    path("exceptions/", exception_views.exception_list, name="list"),
    path("exceptions/<int:entry_id>/review/", exception_views.exception_review, name="review"),
    path("exceptions/history/", exception_views.exception_history_recompute, name="history"),
]
