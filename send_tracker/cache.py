"""The cache as pages use it: a help when it answers, never the reason a page fails.

A page built from the database is always right; the cache only saves building
it again. So a cache that cannot be reached (Redis restarting, the cache table
missing) is logged and the page is built as if nothing was cached.
"""

from __future__ import annotations

import logging

from django.core.cache import cache

logger = logging.getLogger(__name__)


def cache_get(key: str):
    try:
        return cache.get(key)
    except Exception:  # noqa: BLE001 - any backend's failure: build the page instead
        logger.warning("The cache could not be read; building the page afresh.", exc_info=True)
        return None


def cache_set(key: str, value, seconds: int) -> None:
    try:
        cache.set(key, value, seconds)
    except Exception:  # noqa: BLE001 - the page is served all the same
        logger.warning("The cache could not be written; the page was served uncached.", exc_info=True)
