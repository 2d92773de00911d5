"""My actions stays cached while other people's actions change, and is built again when anything it shows changes.

On a board day every delivery lead saves updates at once. Each person's list is
keyed by a digest of what it shows of their own actions and by their strategies' revisions
beyond the actions' own tables, so one lead's update builds again only the lists
that show that action. These commit for real (transactional), as production does.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import actions.views
from actions.models import Action, ActionUpdate, Milestone, Snapshot
from actions.revisions import ACTION_TABLES
from actions.services import action_update_record
from people.models import Post
from send_tracker import cache as page_cache
from tests.conftest import make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("cache_emptied")]


@pytest.fixture
def builds(monkeypatch) -> list[str]:
    """The My actions pages built (cache misses), one entry a build."""
    built: list[str] = []

    def built_once(key, latest_key, build, **options):
        def counted():
            built.append(latest_key)
            return build()

        return page_cache.page_built_once(key, latest_key, counted, **options)

    monkeypatch.setattr(actions.views, "page_built_once", built_once)
    return built


@pytest.fixture
def someone_elses(strategy, group, partnership, level) -> Action:
    """An action in the same strategy and delivery group, owned by another post."""
    theirs = Action.objects.create(
        strategy=strategy, group=group, ref="SP2", text="Publish the local offer", position=2, rating=level("amber")
    )
    theirs.owners.add(Post.objects.create(partnership=partnership, title="Head of SEND Services"))
    return theirs


def my_actions_of(client: Client) -> str:
    response = client.get(reverse("actions:my_actions"))
    assert response.status_code == 200
    return response.content.decode()


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_update_to_someone_elses_action_leaves_my_list_cached(builds, action, owner, officer, someone_elses, level):
    mine = signed_in(owner)
    assert ">SP1<" in my_actions_of(mine) and ">SP2<" not in my_actions_of(mine)
    assert len(builds) == 1
    action_update_record(
        action=someone_elses, user=officer, rating=level("red"), narrative="Slipping", expected_version=someone_elses.version
    )
    page = my_actions_of(mine)
    assert ">SP1<" in page and 'data-rating="red"' not in page
    assert len(builds) == 1


def test_an_update_to_my_action_shows_at_once_however_it_was_saved(builds, action, owner, officer, level):
    mine = signed_in(owner)
    assert 'data-rating="red"' not in my_actions_of(mine)
    action_update_record(action=action, user=officer, rating=level("red"), narrative="Escalated", expected_version=action.version)
    page = my_actions_of(mine)
    assert 'data-rating="red"' in page and f"{timezone.localdate():%-d %b %Y}" in page
    Action.objects.filter(pk=action.pk).update(text="Strengthen oversight with families")  # a plain SQL fix
    assert "Strengthen oversight with families" in my_actions_of(mine)
    assert len(builds) == 3


def test_a_milestone_done_on_my_action_shows(action, owner):
    mine = signed_in(owner)
    milestone = Milestone.objects.create(action=action, title="Panel agreed", due_date=dt.date(2025, 7, 31))
    assert "0 of 1 milestones done" in my_actions_of(mine)
    Milestone.objects.filter(pk=milestone.pk).update(done_at=timezone.now())
    assert "1 of 1 milestones done" in my_actions_of(mine)


def test_an_action_given_to_my_post_or_taken_from_it_shows(action, owner, owner_post, someone_elses):
    mine = signed_in(owner)
    assert ">SP2<" not in my_actions_of(mine)
    someone_elses.owners.add(owner_post)
    assert ">SP2<" in my_actions_of(mine)
    someone_elses.owners.remove(owner_post)
    assert ">SP2<" not in my_actions_of(mine)


def test_a_renamed_delivery_group_and_a_new_board_show(action, owner, officer, group):
    mine = signed_in(owner)
    assert "1. Oversight" in my_actions_of(mine)
    type(group).objects.filter(pk=group.pk).update(name="1. Oversight and challenge")
    assert "1. Oversight and challenge" in my_actions_of(mine)

    ActionUpdate.objects.create(action=action, created_at=timezone.now() - dt.timedelta(days=1), rating_after=action.rating)
    assert "<strong>0 of 1</strong> updated since the plan came in" in my_actions_of(mine)  # its starting rating only
    action_update_record(action=action, user=officer, rating=action.rating, narrative="On course", expected_version=action.version)
    said = "<strong>1 of 1</strong> updated since the plan came in: your actions not yet complete, and those completed since."
    assert said in my_actions_of(mine)
    Snapshot.objects.create(strategy=action.strategy, taken_by=officer, as_at=timezone.localdate())
    assert "<strong>0 of 1</strong> updated since the last board:" in my_actions_of(mine)


def test_a_new_person_holding_the_same_post_gets_their_own_list(builds, action, owner, owner_post, partnership):
    second = make_user("second@example.org", partnership, "lead", [owner_post])
    assert ">SP1<" in my_actions_of(signed_in(owner)) and ">SP1<" in my_actions_of(signed_in(second))
    assert len(builds) == 2 and len(set(builds)) == 2


def test_the_key_reads_every_table_of_the_actions_own_that_the_page_reads(builds, monkeypatch, action, owner):
    """What raises no `beyond_actions` revision (the actions' own tables) must be read for the key, or a change to it is missed."""
    read: dict[str, set[str]] = {}

    def tables_of(queries) -> set[str]:
        return {table for query in queries for table in re.findall(r'(?:FROM|JOIN)\s+"([a-z_0-9]+)"', query["sql"])}

    def built_once(key, latest_key, build, **options):
        key()  # the key of what the page shows, read as it is when the page was not kept at this revision
        with CaptureQueriesContext(connection) as queries:
            html = build()
        read["page"] = tables_of(queries)
        return page_cache.Served(html)

    shown_read = actions.views.my_actions_shown_read

    def shown_of(user, revisions):
        with CaptureQueriesContext(connection) as queries:
            shown = shown_read(user, revisions)
        read["key"] = tables_of(queries)
        return shown

    Milestone.objects.create(action=action, title="Panel agreed", due_date=dt.date(2025, 7, 31))
    monkeypatch.setattr(actions.views, "page_built_once", built_once)
    monkeypatch.setattr(actions.views, "my_actions_shown_read", shown_of)
    my_actions_of(signed_in(owner))
    own_tables = {table for table, _ in ACTION_TABLES}
    assert {"actions_action", "actions_actionupdate", "actions_milestone"} <= read["page"]
    assert read["page"] & own_tables <= read["key"]


def test_with_nothing_changed_the_cached_list_is_found_by_the_revisions_alone(action, owner):
    """A quiet day's list costs what it did: the session, the person, and their posts with their strategies' revisions."""
    mine = signed_in(owner)
    Milestone.objects.create(action=action, title="Panel agreed", due_date=dt.date(2025, 7, 31))
    my_actions_of(mine)
    with CaptureQueriesContext(connection) as queries:
        assert "0 of 1 milestones done" in my_actions_of(mine)
    assert len(queries) == 3
    assert not any('"actions_milestone"' in query["sql"] for query in queries.captured_queries)
