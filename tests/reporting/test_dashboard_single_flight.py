"""One dashboard build at a time: while it is built the others get the copy before it, said so,
and whoever has just saved a change sees it on their next page, never that copy.

These commit for real (transactional): the revision a page is keyed by is raised when a change commits.
"""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.http import HttpResponse, QueryDict
from django.test import Client
from django.urls import reverse

from actions.models import Action
from reporting.dashboard import dashboard_cache_key
from send_tracker.cache import SAVED_COOKIE, SavedChangeMiddleware, page_built_once, saved_at
from tests.reporting.test_dashboard_cache import dashboard_of, level_named, red_count

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("cache_emptied")]


def test_many_requests_at_once_build_the_page_once():
    started, release = threading.Event(), threading.Event()
    builds: list[int] = []

    def build() -> str:
        builds.append(1)
        started.set()
        release.wait(5)
        return "current"

    cache.set("page:latest", (0.0, "earlier"))
    served = []
    first = threading.Thread(target=lambda: served.append(page_built_once("page:2", "page:latest", build)))
    first.start()
    assert started.wait(5)
    # The same revision, and newer ones (more changes saved meanwhile, as on a board day): none builds while one is under way.
    others = [page_built_once(f"page:{revision}", "page:latest", build) for revision in (2, 2, 3, 4, 5)]
    release.set()
    first.join(5)

    assert len(builds) == 1
    assert served[0].html == "current" and served[0].earlier_copy_built_at is None
    assert {(o.html, o.earlier_copy_built_at) for o in others} == {("earlier", 0.0)}
    # Once built, everyone gets the current page.
    assert page_built_once("page:2", "page:latest", build).html == "current"
    assert len(builds) == 1


def test_a_request_that_must_see_the_current_page_waits_for_the_build_then_builds_it_itself():
    cache.set("page:latest", (time.time() - 10, "earlier"))  # built before the person saved
    cache.add("page:latest:building", time.time() - 5)  # someone else's build, which never finishes
    ticks = iter(range(100))
    served = page_built_once(
        "page:2", "page:latest", lambda: "current", saved_at=time.time() - 1, wait=3, clock=lambda: next(ticks), sleep=lambda s: None
    )
    assert served.html == "current" and served.earlier_copy_built_at is None


def test_whoever_saved_is_given_a_copy_whose_build_began_after_they_saved_while_the_next_is_built():
    """Their change is in it; what others saved since is being included, and the page says so."""
    saved = time.time() - 2
    cache.set("page:latest", (saved + 1, "built after the save"))
    cache.add("page:latest:building", time.time())
    served = page_built_once("page:5", "page:latest", lambda: "built again", saved_at=saved)
    assert (served.html, served.earlier_copy_built_at) == ("built after the save", saved + 1)


def test_whoever_saved_waits_for_a_build_begun_before_their_save_then_builds_the_next_themselves():
    saved = time.time() - 1
    cache.set("page:latest", (saved - 9, "earlier"))
    cache.add("page:latest:building", saved - 0.5)
    polls, builds = [], []

    def sleep(seconds: float) -> None:
        polls.append(seconds)
        if len(polls) == 2:  # the build under way ends, without the change: its copy is the one before the save
            cache.set("page:latest", (saved - 0.5, "built from before the save"))
            cache.delete("page:latest:building")

    def build() -> str:
        builds.append(1)
        return "with the change"

    served = page_built_once("page:6", "page:latest", build, saved_at=saved, sleep=sleep)
    assert served.html == "with the change" and served.earlier_copy_built_at is None
    assert len(polls) == 2 and len(builds) == 1
    assert cache.get("page:latest")[1] == "with the change"


def test_with_no_earlier_copy_a_request_waits_for_the_build_in_progress():
    cache.add("page:latest:building", time.time())
    polls = []

    def sleep(seconds: float) -> None:
        polls.append(seconds)
        if len(polls) == 3:
            cache.set("page:2", "built by the other request")

    served = page_built_once("page:2", "page:latest", lambda: "built again", sleep=sleep)
    assert served.html == "built by the other request"


def update_post(client: Client, action: Action, rating) -> None:
    action.refresh_from_db()
    response = client.post(
        reverse("actions:action_update", args=[action.pk]),
        {"version": action.version, "rating": rating.pk, "narrative": "Blocked by recruitment", "links": ""},
    )
    assert response.status_code == 302


def test_while_a_change_is_being_built_others_see_the_copy_before_it_and_its_author_sees_the_change(
    client, action, board, owner, monkeypatch
):
    monkeypatch.setattr("send_tracker.cache.BUILD_WAIT_SECONDS", 0.1)
    strategy = action.strategy
    client.force_login(board)
    before = dashboard_of(client, strategy)
    author = Client()
    author.force_login(owner)
    red = level_named(strategy, "red")

    update_post(author, action, red)
    # When they saved: a time of the last few seconds, taken once the change was committed (to the millisecond, rounded up).
    assert time.time() - 5 < float(author.cookies[SAVED_COOKIE].value) <= time.time() + 0.001
    # Someone else has started building the dashboard with the change and not finished yet.
    claim = f"{dashboard_cache_key(strategy, QueryDict(), part='body', latest=True)}:building"
    cache.add(claim, time.time())

    meanwhile = dashboard_of(client, strategy)
    assert red_count(meanwhile) == red_count(before)
    assert "a change saved since is being included now" in meanwhile

    seen_by_author = dashboard_of(author, strategy)
    assert red_count(seen_by_author) == red_count(before) + 1
    assert "being included now" not in seen_by_author

    # The build done, everyone sees the change.
    cache.delete(claim)
    after = dashboard_of(client, strategy)
    assert red_count(after) == red_count(before) + 1
    assert "being included now" not in after


def test_a_cheaper_key_is_read_first_and_keeps_only_the_current_page():
    """`known_as`: found by it, the page costs no more; missed, the page is found (or built) by its key and kept under both."""
    keys_made: list[str] = []

    def key() -> str:
        keys_made.append("page:2")
        return "page:2"

    cache.set("page:2", "current")
    assert page_built_once(key, "page:latest", lambda: "built", known_as="page:r7").html == "current"
    assert cache.get("page:r7") == "current" and len(keys_made) == 1
    assert page_built_once(key, "page:latest", lambda: "built", known_as="page:r7").html == "current"
    assert len(keys_made) == 1

    # While someone else builds, the copy before it is served but never kept under the cheaper key.
    cache.set("page:latest", (0.0, "earlier"))
    cache.add("page:latest:building", time.time())
    served = page_built_once(lambda: "page:3", "page:latest", lambda: "built", known_as="page:r8")
    assert served.html == "earlier" and served.earlier_copy_built_at == 0.0
    assert cache.get("page:r8") is None


def test_a_page_keyed_by_what_it_shows_is_not_kept_when_that_moved_while_it_was_built():
    """A key made from the data can come back (a milestone ticked, then unticked), so a build that saw it move keeps nothing."""
    shown = iter(["page:ticked-0", "page:ticked-1", "page:ticked-0", "page:ticked-0"])

    served = page_built_once(lambda: next(shown), "page:latest", lambda: "built while a milestone was ticked")
    assert served.html == "built while a milestone was ticked"
    assert cache.get("page:ticked-0") is None and cache.get("page:ticked-1") is None
    # Nothing moved during this build: it is kept, and found by the next request.
    assert page_built_once(lambda: next(shown), "page:latest", lambda: "built").html == "built"
    assert cache.get("page:ticked-0") == "built"


def test_the_time_saved_is_read_from_the_cookie_and_anything_else_counts_as_just_now(rf):
    now = time.time()
    assert saved_at(rf.get("/")) is None
    assert saved_at(cookied(rf, f"{now - 20:.3f}")) == pytest.approx(now - 20, abs=0.01)
    # Not a time, or not one of the last minute (an old cookie, or one made up): only a page built from now on will do.
    for value in ("1", "soon", "nan", f"{now + 3600}", f"{now - 3600}"):
        assert saved_at(cookied(rf, value)) >= now, value


def test_the_time_saved_is_never_before_the_save_even_in_its_last_millisecond(rf, owner, monkeypatch):
    """Kept to the millisecond, rounded up: a save at 100.1504 s is 100.151, so a dashboard build begun at 100.1502,
    before the save, is never taken for one that holds it (100.150 would be)."""
    monkeypatch.setattr("send_tracker.cache.time", SimpleNamespace(time=lambda: 100.1504))
    request = rf.post("/")
    request.user = owner
    response = SavedChangeMiddleware(lambda request: HttpResponse())(request)
    assert response.cookies[SAVED_COOKIE].value == "100.151"


def cookied(rf, value: str):
    request = rf.get("/")
    request.COOKIES[SAVED_COOKIE] = value
    return request
