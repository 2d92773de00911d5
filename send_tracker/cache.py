"""The cache as pages use it: a help when it answers, never the reason a page fails.

A page built from the database is always right; the cache only saves building
it again. So a cache that cannot be reached (Redis restarting, the cache table
missing) is logged and the page is built as if nothing was cached.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable

from django.conf import settings
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


def page_key(page: str, *parts: object, params=None, state: object = ()) -> str:
    """A cache key for a built page: its name, the parts that identify it, and a digest of the rest.

    `params` (a QueryDict: the filters asked for, in any order) and `state`
    (anything else the page depends on) go into the digest, so the key stays short.
    """
    asked = sorted((name, value) for name, values in params.lists() for value in values) if params is not None else []
    digest = hashlib.sha256(repr((asked, state)).encode()).hexdigest()[:32]
    return ":".join([page, *(str(part) for part in parts), digest])


def cached_page(key: str, build: Callable[[], str]) -> str:
    """The page cached under `key`, or `build()` it and keep it for settings.DASHBOARD_CACHE_SECONDS."""
    html = cache_get(key)
    if html is None:
        html = build()
        cache_set(key, html, settings.DASHBOARD_CACHE_SECONDS)
    return html
