from django.urls import path

from api import views

urlpatterns = [
    path("accounts/api-tokens/", views.token_page, name="api_tokens"),
    path("accounts/api-tokens/<int:token_id>/revoke/", views.token_revoke, name="api_token_revoke"),
]
