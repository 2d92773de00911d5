"""The dashboard is built once and cached until its strategy changes, by any path, once the change is committed.

These tests commit for real (transactional), as production does: the revision
is raised when a transaction commits, so what they prove is what a board
member sees after a delivery lead saves.
"""

from __future__ import annotations

import datetime as dt
import re
import threading

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.chasing import actions_sweep
from actions.models import Action, ActionUpdate, RatingLevel
from actions.revisions import revision_of
from actions.services import action_update_record
from coproduction.models import FamiliesLevel, FamiliesView
from kpis.models import Indicator, KpiValue
from people.models import Post
from tests.conftest import make_user

pytestmark = pytest.mark.django_db(transaction=True)


def dashboard_of(client: Client, strategy, query: str = "") -> str:
    response = client.get(reverse("reporting:dashboard", args=[strategy.pk]) + (f"?{query}" if query else ""))
    assert response.status_code == 200
    return response.content.decode()


def level_named(strategy, code: str) -> RatingLevel:
    return strategy.scheme.levels.get(code=code)


def red_count(html: str) -> int:
    match = re.search(r'app-figures__item--risk">.*?app-figures__count">(\d+)<', html, re.S)
    return int(match.group(1))


@pytest.fixture
def seen(client, board, action):
    """A board member who has loaded the dashboard once, so it is in the cache."""
    client.force_login(board)
    dashboard_of(client, action.strategy)
    return client


def test_an_update_a_delivery_lead_saves_shows_on_the_cached_dashboard_at_once(seen, action, owner):
    before = dashboard_of(seen, action.strategy)
    red = level_named(action.strategy, "red")
    assert action.rating != red
    action_update_record(action=action, user=owner, rating=red, narrative="Blocked by recruitment", expected_version=action.version)
    after = dashboard_of(seen, action.strategy)
    assert red_count(after) == red_count(before) + 1


def test_nothing_changes_the_revision_until_the_change_is_committed(action, owner):
    strategy = action.strategy
    start = revision_of(strategy.pk)
    with transaction.atomic():
        Action.objects.filter(pk=action.pk).update(text="Changed inside a transaction")
        assert revision_of(strategy.pk) == start  # still building: readers keep the cached page
        seen_elsewhere: list[int] = []
        reader = threading.Thread(target=lambda: (seen_elsewhere.append(revision_of(strategy.pk)), connection.close()))
        reader.start()
        reader.join()
        assert seen_elsewhere == [start]
    assert revision_of(strategy.pk) == start + 1
    with pytest.raises(RuntimeError), transaction.atomic():
        Action.objects.filter(pk=action.pk).update(text="Rolled back")
        raise RuntimeError
    assert revision_of(strategy.pk) == start + 1


def test_bulk_writes_the_sweep_and_other_tables_raise_the_revision_once_per_transaction(action, group, partnership, owner):
    strategy = action.strategy
    # The sweep's one UPDATE over many rows: one raise, not one per row.
    Action.objects.filter(pk=action.pk).update(due_date=dt.date(2020, 1, 1), overdue_since=None)
    start = revision_of(strategy.pk)
    actions_sweep(today=dt.date(2026, 12, 1))
    assert revision_of(strategy.pk) == start + 1
    actions_sweep(today=dt.date(2026, 12, 1))  # nothing changed: the revision stays
    assert revision_of(strategy.pk) == start + 1

    indicator = Indicator.objects.create(
        strategy=strategy, code="K1", name="EHC plans in 20 weeks", unit="percentage", direction="higher", frequency="annual"
    )
    start += 1
    changes = [
        lambda: ActionUpdate.objects.create(action=action, rating_after=action.rating, narrative="Bulk-loaded"),
        lambda: FamiliesView.objects.create(
            group=group, level=FamiliesLevel.NO_CHANGE, narrative="Not yet seeing a change", source="Survey", recorded_by=owner
        ),
        lambda: KpiValue.objects.create(indicator=indicator, period="2025", period_start=dt.date(2025, 1, 1), value=50),
        lambda: Post.objects.filter(partnership=partnership, title=action.owners.first().title).update(title="Renamed post"),
        lambda: action.owners.clear(),
    ]
    for number, change in enumerate(changes, start=1):
        change()
        assert revision_of(strategy.pk) == start + 1 + number


def test_a_change_in_another_partnership_leaves_the_cached_dashboard_alone(action, other_partnership, scheme):
    from actions.models import Strategy

    other = Strategy.objects.create(partnership=other_partnership, name="Another plan", scheme=scheme)
    mine = revision_of(action.strategy.pk)
    Strategy.objects.filter(pk=other.pk).update(name="Another plan, renamed")
    assert revision_of(action.strategy.pk) == mine
    assert revision_of(other.pk) >= 1


def test_the_cached_page_holds_nothing_of_the_person_who_first_loaded_it(client, action, partnership, board):
    from people.models import Membership

    first = make_user("first.reader@example.org", partnership, Membership.Role.BOARD_MEMBER)
    first.first_name = "Firstreader"
    first.save()
    client.force_login(first)
    dashboard_of(client, action.strategy)
    client.force_login(board)
    html = dashboard_of(client, action.strategy)
    assert "Firstreader" not in html and "first.reader" not in html
    # The only form that posts lives outside the cached part and carries this session's token.
    body = html[html.index('class="app-dashboard-head"') :]
    assert "csrfmiddlewaretoken" not in body.split("</main>")[0]


def test_officers_and_board_members_get_their_own_controls_from_the_same_plan(client, action, board, officer):
    client.force_login(board)
    assert "take a snapshot" not in dashboard_of(client, action.strategy)
    client.force_login(officer)
    assert "take a snapshot" in dashboard_of(client, action.strategy)
    client.force_login(board)
    assert "take a snapshot" not in dashboard_of(client, action.strategy)


def test_the_cached_dashboard_follows_the_date(seen, action, monkeypatch):
    from django.utils import timezone

    Action.objects.filter(pk=action.pk).update(due_date=timezone.localdate() + dt.timedelta(days=1), due_precision="day")
    today = dashboard_of(seen, action.strategy)
    tomorrow = timezone.localdate() + dt.timedelta(days=3)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: tomorrow)
    later = dashboard_of(seen, action.strategy)
    assert today != later
    assert tomorrow.strftime("%-d %B %Y") in later


def my_actions_of(client: Client) -> str:
    response = client.get(reverse("actions:my_actions"))
    assert response.status_code == 200
    return response.content.decode()


def test_my_actions_follows_an_update_someone_else_saves_and_a_post_handed_over(client, action, owner, officer, partnership, group):
    client.force_login(owner)
    assert 'data-rating="red"' not in my_actions_of(client)
    action_update_record(
        action=action, user=officer, rating=level_named(action.strategy, "red"), narrative="Escalated", expected_version=action.version
    )
    assert 'data-rating="red"' in my_actions_of(client)

    handed = Post.objects.create(partnership=partnership, title="Head of Commissioning")
    theirs = Action.objects.create(
        strategy=action.strategy, group=group, ref="HC1", text="Commission more specialist places", position=99, rating=action.rating
    )
    theirs.owners.add(handed)
    assert ">HC1<" not in my_actions_of(client)
    owner.posts.add(handed)  # a hand-over: the person's posts are in the page's key
    assert ">HC1<" in my_actions_of(client)


def test_the_filters_follow_their_owners_and_the_value_chosen(seen, action, partnership):
    """The filter form is drawn once for what it shows: a renamed owner and the owner chosen each draw it again."""
    post = action.owners.first()
    before = dashboard_of(seen, action.strategy)
    assert f'<option value="{post.pk}">{post.title}</option>' in before
    Post.objects.filter(pk=post.pk).update(title="Head of Renamed Services")
    after = dashboard_of(seen, action.strategy)
    assert f'<option value="{post.pk}">Head of Renamed Services</option>' in after
    assert post.title not in after
    chosen = dashboard_of(seen, action.strategy, f"owner={post.pk}")
    assert f'<option value="{post.pk}" selected>Head of Renamed Services</option>' in chosen
    assert f'<option value="{post.pk}">Head of Renamed Services</option>' in dashboard_of(seen, action.strategy)


def test_a_dashboard_built_again_after_a_change_reads_the_strategys_revisions_once(client, action, board):
    client.force_login(board)
    url = reverse("reporting:dashboard", args=[action.strategy_id])
    client.get(url)
    Action.objects.filter(pk=action.pk).update(text="Reworded at the board.")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert len([q for q in queries.captured_queries if 'FROM "actions_strategyrevision"' in q["sql"]]) == 1
    assert len([q for q in queries.captured_queries if "alike_" in q["sql"]]) == 1  # built again, not served from the cache
