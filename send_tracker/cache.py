"""The cache as pages use it: a help when it answers, never the reason a page fails.

A page built from the database is always right; the cache only saves building
it again. So a cache that cannot be reached (Redis restarting, the cache table
missing) is logged and the page is built as if nothing was cached.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


class DrawnOnce:
    """HTML drawn once for each key in this process, the least recently used dropped first past `size`.

    For parts of a page that are a function of a few values (the key must hold
    every value the part shows, and the drawing read nothing else): no revision
    is needed, since a change to any of them is a new key.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._drawn: OrderedDict[tuple, str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple, draw: Callable[[], str]) -> str:
        with self._lock:
            html = self._drawn.get(key)
            if html is not None:
                self._drawn.move_to_end(key)
                return html
        html = draw()
        with self._lock:
            self._drawn[key] = html
            while len(self._drawn) > self.size:
                self._drawn.popitem(last=False)
        return html


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


def cache_add(key: str, value, seconds: int) -> bool:
    """Set `key` only if nobody has: True when this caller did (or when the cache cannot be reached)."""
    try:
        return cache.add(key, value, seconds)
    except Exception:  # noqa: BLE001 - with no cache, every request builds its own page
        logger.warning("The cache could not be written; building the page afresh.", exc_info=True)
        return True


def cache_delete(key: str) -> None:
    try:
        cache.delete(key)
    except Exception:  # noqa: BLE001 - the entry expires by itself
        logger.warning("The cache could not be written.", exc_info=True)


def page_key(page: str, *parts: object, params=None, state: object = ()) -> str:
    """A cache key for a built page: its name, the parts that identify it, and a digest of the rest.

    `params` (a QueryDict: the filters asked for, in any order) and `state`
    (anything else the page depends on) go into the digest, so the key stays short.
    """
    asked = sorted((name, value) for name, values in params.lists() for value in values) if params is not None else []
    digest = hashlib.sha256(repr((asked, state)).encode()).hexdigest()[:32]
    return ":".join([page, *(str(part) for part in parts), digest])


# One build at a time ----------------------------------------------------------------------------

# How long a build may hold its claim: longer than any page takes, short enough that a build
# whose process died is not waited for.
BUILD_CLAIM_SECONDS = 30
# How long a request that must see the current page waits for someone else's build before it builds its own.
BUILD_WAIT_SECONDS = 3.0
BUILD_POLL_SECONDS = 0.02


@dataclass(frozen=True)
class Served:
    html: str
    # Set when the current page was being built by another request and the one before it was served:
    # when that copy was built (seconds since the epoch), for the page to say so.
    earlier_copy_built_at: float | None = None


def page_built_once(
    key: str | Callable[[], str],
    latest_key: str,
    build: Callable[[], str],
    *,
    saved_at: float | None = None,
    known_as: str | None = None,
    wait: float | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> Served:
    """The page cached under `key`, built by one request at a time however many ask at once.

    The first request to miss claims the build of the page (`latest_key`: the
    key without the revision), whatever revision it asks for, so a stream of
    changes makes one build after another rather than one for each request.
    The others, while it builds, get the copy last built, marked with when its
    build began. Whoever saved a change at `saved_at` (seconds since the epoch)
    is given that copy only if its build began after they saved, so it holds
    their change; otherwise they wait up to `wait` seconds for a build that
    does, claiming the next one themselves when the one under way ends, and
    then build it themselves.

    `known_as` is a key cheaper to read than `key` and valid for less time
    (a revision that more changes raise): it is looked up first, `key` (then
    a function) only when it misses, and the current page is kept under both.
    A `key` given as a function is made again after a build, which is kept
    only if it is the same (`_kept`).
    """
    if known_as is not None:
        html = cache_get(known_as)
        if html is not None:
            return Served(html)
        served = page_built_once(key, latest_key, build, saved_at=saved_at, wait=wait, clock=clock, sleep=sleep)
        if served.earlier_copy_built_at is None:
            cache_set(known_as, served.html, settings.DASHBOARD_CACHE_SECONDS)
        return served
    key_now = key if callable(key) else None
    key = key() if callable(key) else key
    html = cache_get(key)
    if html is not None:
        return Served(html)
    claim = f"{latest_key}:building"
    deadline = clock() + (BUILD_WAIT_SECONDS if wait is None else wait)
    while True:
        began = time.time()  # before the build reads anything
        if cache_add(claim, began, BUILD_CLAIM_SECONDS):
            try:
                html = build()
                _kept(key, key_now, html)
                cache_set(latest_key, (began, html), settings.DASHBOARD_CACHE_SECONDS)
            finally:
                cache_delete(claim)
            return Served(html)
        earlier = cache_get(latest_key)
        if earlier is not None and (saved_at is None or earlier[0] >= saved_at):
            built_at, html = earlier
            return Served(html, earlier_copy_built_at=built_at)
        if clock() >= deadline:
            break
        sleep(BUILD_POLL_SECONDS)
        html = cache_get(key)
        if html is not None:
            return Served(html)
    # The other build is slow or its process died: nobody waits longer than `wait`.
    html = build()
    _kept(key, key_now, html)
    return Served(html)


def _kept(key: str, key_now: Callable[[], str] | None, html: str) -> None:
    """Keep a page just built under `key`; when the key is made from the data (`key_now`), only if the data did not move meanwhile.

    A key of revisions only ever rises, so a page built from newer data than its key is still never older than any
    request that finds it. A key made from what the page shows can come back (a milestone ticked, then unticked): a
    page that began under it and read a change it was then keyed under would be found again once the change is undone.
    """
    if key_now is None or key_now() == key:
        cache_set(key, html, settings.DASHBOARD_CACHE_SECONDS)


def earlier_copy_note(served: Served, request, *, page: str) -> str:
    """The note above an earlier copy of `page` ("the dashboard"), saying when it was built; "" for the current page."""
    if served.earlier_copy_built_at is None:
        return ""
    built_at = datetime.datetime.fromtimestamp(served.earlier_copy_built_at, tz=datetime.UTC)
    return render_to_string("includes/earlier_copy.html", {"page": page, "built_at": built_at, "request": request})


# A person who has just saved a change sees it on their next page, never an earlier copy.
SAVED_COOKIE = "saved_change"
SAVED_SECONDS = 60


class SavedChangeMiddleware:
    """Notes in a short-lived cookie when the person last saved something (any write that succeeded).

    A cookie rather than the session, so a write costs no extra query; a forged
    one only changes which copy of a page its holder is given. The time is taken
    after the write committed, so any build that began later holds it, and kept to
    the millisecond rounded up: never before the commit, or a build begun just
    before it would pass for one that holds the change.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method not in ("GET", "HEAD", "OPTIONS") and response.status_code < 400 and request.user.is_authenticated:
            response.set_cookie(
                SAVED_COOKIE,
                f"{math.ceil(time.time() * 1000) / 1000:.3f}",
                max_age=SAVED_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response


def saved_at(request) -> float | None:
    """When the person last saved a change (seconds since the epoch), if within SAVED_SECONDS; None if not.

    A value that is not a time of the last SAVED_SECONDS (an old cookie, or one
    made up) counts as saved just now: its holder is given only a page built from now on.
    """
    value = request.COOKIES.get(SAVED_COOKIE)
    if value is None:
        return None
    now = time.time()
    try:
        saved = float(value)
    except ValueError:
        return now
    return saved if now - SAVED_SECONDS - 5 <= saved <= now else now
