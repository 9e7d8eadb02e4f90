"""API fixtures: a small council (tests/conftest.py), tokens for its users, and a client."""

import pytest
from django.core.cache import cache

from api import tokens
from api.models import ApiToken


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def token_for(db):
    def make(user, scope=ApiToken.Scope.READ, days=30):
        _, raw = tokens.token_create(user=user, name="test feed", scope=scope, days=days)
        return raw

    return make


@pytest.fixture
def api_get(client):
    def get(path, token=None, **headers):
        if token:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        return client.get(path, **headers)

    return get
