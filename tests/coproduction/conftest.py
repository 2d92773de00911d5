from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _empty_cache():
    """The public page is cached: each test starts from nothing cached."""
    cache.clear()
    yield
    cache.clear()
