"""One dashboard build at a time: while it is built the others get the copy before it, said so,
and whoever has just saved a change sees it on their next page, never that copy.

These commit for real (transactional): the revision a page is keyed by is raised when a change commits.
"""

from __future__ import annotations

import threading

import pytest
from django.core.cache import cache
from django.http import QueryDict
from django.test import Client
from django.urls import reverse

from actions.models import Action
from reporting.dashboard import dashboard_cache_key
from send_tracker.cache import SAVED_COOKIE, page_built_once
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
    others = [page_built_once("page:2", "page:latest", build) for _ in range(5)]
    release.set()
    first.join(5)

    assert len(builds) == 1
    assert served[0].html == "current" and served[0].earlier_copy_built_at is None
    assert {(o.html, o.earlier_copy_built_at) for o in others} == {("earlier", 0.0)}
    # Once built, everyone gets the current page.
    assert page_built_once("page:2", "page:latest", build).html == "current"
    assert len(builds) == 1


def test_a_request_that_must_see_the_current_page_waits_for_the_build_then_builds_it_itself():
    cache.set("page:latest", (0.0, "earlier"))
    cache.add("page:2:building", 1)  # someone else's build, which never finishes
    ticks = iter(range(100))
    served = page_built_once(
        "page:2", "page:latest", lambda: "current", current_only=True, wait=3, clock=lambda: next(ticks), sleep=lambda s: None
    )
    assert served.html == "current" and served.earlier_copy_built_at is None


def test_with_no_earlier_copy_a_request_waits_for_the_build_in_progress():
    cache.add("page:2:building", 1)
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
    assert SAVED_COOKIE in author.cookies
    # Someone else has started building the dashboard with the change and not finished yet.
    key = dashboard_cache_key(strategy, QueryDict(), part="body")
    cache.add(f"{key}:building", 1)

    meanwhile = dashboard_of(client, strategy)
    assert red_count(meanwhile) == red_count(before)
    assert "a change saved since is being included now" in meanwhile

    seen_by_author = dashboard_of(author, strategy)
    assert red_count(seen_by_author) == red_count(before) + 1
    assert "being included now" not in seen_by_author

    # The build done, everyone sees the change.
    cache.delete(f"{key}:building")
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
    cache.add("page:3:building", 1)
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
