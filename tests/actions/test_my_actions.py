"""My actions: what a delivery lead owns or leads, with filters and counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actions.models import Action, ActionUpdate, DeliveryGroup, Snapshot
from actions.services import action_update_record
from people.models import Membership, Post
from tests.conftest import make_user


def make_actions(strategy, group, post, level, count, *, start=100, due=dt.date(2025, 9, 30)):
    actions = Action.objects.bulk_create(
        Action(
            strategy=strategy,
            group=group,
            ref=f"A{start + i}",
            text=f"Action {start + i}",
            due_date=due,
            due_precision=Action.DuePrecision.MONTH,
            rating=level("amber"),
            position=start + i,
        )
        for i in range(count)
    )
    Action.owners.through.objects.bulk_create(Action.owners.through(action_id=a.pk, post_id=post.pk) for a in actions)
    return actions


def test_it_lists_owned_and_led_actions_grouped_by_strategy_and_group(client, owner, action, strategy, group, level, partnership):
    other_post = Post.objects.create(partnership=partnership, title="Someone else")
    not_mine = make_actions(strategy, group, other_post, level, 1, start=900)[0]
    sub = DeliveryGroup.objects.create(strategy=strategy, priority=group.priority, parent=group, name="1.A Sub-area", position=2)
    in_sub = make_actions(strategy, sub, other_post, level, 1, start=950)[0]
    client.force_login(owner)
    html = client.get(reverse("actions:my_actions")).content.decode()
    assert "SEND Strategy 2025-2028" in html and "1. Oversight" in html
    assert ">SP1<" in html and "Sep 2025" in html and ">Amber</strong>" in html
    assert f">{not_mine.ref}<" not in html and f">{in_sub.ref}<" not in html

    # The group lead (of the parent group) sees every action in it and its sub-groups.
    lead = make_user("lead2@example.org", partnership, Membership.Role.DELIVERY_LEAD, [group.lead])
    client.force_login(lead)
    html = client.get(reverse("actions:my_actions")).content.decode()
    assert all(f">{ref}<" in html for ref in ["SP1", not_mine.ref, in_sub.ref])
    assert "1. Oversight – 1.A Sub-area" in html


def test_it_shows_who_updated_each_action_last(client, owner, group_lead, action, level):
    action_update_record(action=action, user=group_lead, rating=level("red"), narrative="Stalled", expected_version=1)
    client.force_login(owner)
    html = client.get(reverse("actions:my_actions")).content.decode()
    assert "by group.lead@example.org" in html and ">Red</strong>" in html


def test_it_filters_by_rating_and_state_and_keeps_the_filters_in_the_url(client, owner, action, strategy, group, owner_post, level):
    today = timezone.localdate()
    due_now = make_actions(strategy, group, owner_post, level, 1, start=200, due=today.replace(day=28) if today.day <= 28 else today)[0]
    later = make_actions(strategy, group, owner_post, level, 1, start=300, due=dt.date(today.year + 2, 1, 31))[0]
    action_update_record(action=action, user=owner, rating=level("red"), narrative="Late", expected_version=1)
    client.force_login(owner)

    html = client.get(reverse("actions:my_actions"), {"rating": "red"}).content.decode()
    assert ">SP1<" in html and f">{later.ref}<" not in html
    assert '<option value="red" selected>Red (1)</option>' in html and "Showing 1 of 3 actions" in html

    html = client.get(reverse("actions:my_actions"), {"show": "overdue"}).content.decode()
    assert ">SP1<" in html and f">{later.ref}<" not in html and '<option value="overdue" selected>Overdue (1)</option>' in html
    assert '<select class="govuk-select" id="filter-show" name="show">' in html and '<option value="">All actions (3)</option>' in html

    html = client.get(reverse("actions:my_actions"), {"show": "due_this_month"}).content.decode()
    assert f">{due_now.ref}<" in html and ">SP1<" not in html and "Due this month (1)" in html

    # Needs an update: nothing recorded since the latest snapshot.
    Snapshot.objects.create(strategy=strategy, as_at=today, taken_at=timezone.now())
    html = client.get(reverse("actions:my_actions"), {"show": "needs_update"}).content.decode()
    assert "Needs an update (3)" in html and "Showing 3 of 3" in html
    action_update_record(action=later, user=owner, rating=level("amber"), narrative="", expected_version=1)
    html = client.get(reverse("actions:my_actions"), {"show": "needs_update"}).content.decode()
    assert "Needs an update (2)" in html and f">{later.ref}<" not in html
    # Each row flags it in the same words as the filter, the update round and the notifications.
    assert html.count('<strong class="govuk-tag govuk-tag--yellow">Needs an update</strong>') == 2 and "Needs update<" not in html
    # The counts above the list read as sentences, and a count of none is no link to an empty list.
    assert '<span class="govuk-!-font-weight-bold">2</span> need an update</a>' in html
    assert '<span class="govuk-!-font-weight-bold">1</span> overdue</a>' in html
    Action.objects.filter(pk=due_now.pk).update(due_date=today.replace(year=today.year + 3))
    html = client.get(reverse("actions:my_actions")).content.decode()
    assert '<li><span class="govuk-!-font-weight-bold">0</span> due this month</li>' in html and "?show=due_this_month" not in html

    # Nonsense in the URL is ignored, not an error.
    response = client.get(reverse("actions:my_actions"), {"rating": "<script>", "show": "everything"})
    assert response.status_code == 200 and "Showing 3 of 3" in response.content.decode()


def test_officers_without_posts_are_pointed_to_the_strategies(client, officer, action):
    client.force_login(officer)
    html = client.get(reverse("actions:my_actions")).content.decode()
    assert "You do not hold a post that owns or leads actions" in html
    assert reverse("actions:strategy_list") in html


def test_posts_in_another_partnership_never_bring_its_actions_in(client, outsider, action, owner_post):
    outsider.posts.add(owner_post)  # a mis-set post must not open another partnership's plan
    client.force_login(outsider)
    assert ">SP1<" not in client.get(reverse("actions:my_actions")).content.decode()


@pytest.mark.parametrize("sizes", [(5, 200)])
def test_my_actions_issues_the_same_queries_for_5_and_200_actions(
    client, owner, strategy, group, owner_post, level, sizes, django_assert_max_num_queries
):
    client.force_login(owner)
    counts = []
    made = 0
    for size in sizes:
        new = make_actions(strategy, group, owner_post, level, size - made, start=1000 + made)
        ActionUpdate.objects.bulk_create(ActionUpdate(action=a, author=owner, rating_after=level("amber"), narrative="n") for a in new)
        made = size
        with CaptureQueriesContext(connection) as queries, django_assert_max_num_queries(8):
            response = client.get(reverse("actions:my_actions"))
        assert response.status_code == 200 and response.content.decode().count('class="govuk-tag app-rating') >= size
        counts.append(len(queries))
        # Then served from the cache until their posts or a strategy of theirs change.
        with django_assert_max_num_queries(6):
            again = client.get(reverse("actions:my_actions"))
        assert again.content.decode().count('class="govuk-tag app-rating') >= size
    assert counts[0] == counts[1]


def test_the_action_page_issues_the_same_queries_for_1_and_50_updates(client, owner, action, level, django_assert_max_num_queries):
    client.force_login(owner)
    counts = []
    for total in (1, 50):
        while ActionUpdate.objects.filter(action=action).count() < total:
            action_update_record(
                action=action,
                user=owner,
                rating=level("amber"),
                narrative="n",
                links=["https://example.org/e"],
                expected_version=action.version,
            )
        # 16: the history also reads the plan's changes to the action (owners, due date, text...), in one query,
        # its repeat reminders while overdue in one more, the page lists the inspection findings the action answers,
        # and its milestones in one more.
        with CaptureQueriesContext(connection) as queries, django_assert_max_num_queries(17):
            response = client.get(reverse("actions:action_detail", args=[action.pk]))
        assert response.status_code == 200 and f'data-testid="update-count">{total}<' in response.content.decode()
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_page_reads_the_persons_memberships_and_posts_once_each(client, owner, action):
    client.force_login(owner)
    client.get(reverse("actions:my_actions"))
    Action.objects.filter(pk=action.pk).update(notes="Changed, so the page is built again.")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("actions:my_actions"))
    assert action.ref in response.content.decode()
    # Each statement on its own, those sent together in one message included; a read of posts is one whose rows are posts.
    sql = [statement for query in queries.captured_queries for statement in query["sql"].split(";\n")]
    assert len([q for q in sql if 'FROM "people_membership"' in q]) == 1
    assert len([q for q in sql if q.startswith('SELECT "people_post"."id"')]) == 1
