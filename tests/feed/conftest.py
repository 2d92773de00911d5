"""Feed fixtures: an API token for the shared test partnership, and one for another partnership."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from feed.models import api_token_create


@pytest.fixture(autouse=True)
def _empty_cache():
    """The feed's rate limit counts live in the cache: each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def token(partnership, officer) -> str:
    return api_token_create(partnership=partnership, name="Power BI", created_by=officer)[1]


@pytest.fixture
def outsider_token(other_partnership, outsider) -> str:
    return api_token_create(partnership=other_partnership, name="Their Power BI", created_by=outsider)[1]


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}
