"""What the action page reads about its action: each row its own, whichever side of a relation it was set from."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actions.models import Action, ActionUpdate, Evidence

pytestmark = pytest.mark.django_db


def related_refs(html: str) -> list[str]:
    row = re.search(r"Related actions</dt>(.*?)</dd>", html, re.S)
    return re.findall(r">([A-Z]+\d+)</a>", row.group(1)) if row else []


def test_the_page_lists_the_live_related_actions_whichever_side_linked_them(client, owner, action, make_action):
    later, earlier, retired = make_action(ref="A2", position=2), make_action(ref="A3", position=3), make_action(ref="A4", position=4)
    action.related.add(earlier)
    later.related.add(action)  # set from the other action's side
    action.related.add(retired)
    Action.objects.filter(pk=retired.pk).update(retired_at=timezone.now(), retired_reason=Action.Retirement.WITHDRAWN)
    client.force_login(owner)
    assert related_refs(client.get(reverse("actions:action_detail", args=[action.pk])).content.decode()) == ["A2", "A3"]
    # ... and each related page lists its own, not the first page's read again.
    assert related_refs(client.get(reverse("actions:action_detail", args=[earlier.pk])).content.decode()) == [action.ref]


def test_each_update_shows_its_own_evidence_and_the_owners_are_the_actions_own(client, owner, action, make_action, level, owner_post):
    now = timezone.now()
    first, second = (
        ActionUpdate.objects.create(action=action, author=owner, created_at=now, rating_after=level("amber"), narrative=text)
        for text in ("First.", "Second.")
    )
    Evidence.objects.create(update=first, kind=Evidence.Kind.LINK, url="https://example.org/first", created_at=now)
    Evidence.objects.create(update=second, kind=Evidence.Kind.LINK, url="https://example.org/second", created_at=now)
    other = make_action(owners=[])
    client.force_login(owner)
    html = client.get(reverse("actions:action_detail", args=[action.pk])).content.decode()
    assert html.count('href="https://example.org/first"') == 1 and html.count('href="https://example.org/second"') == 1
    assert owner_post.title in html
    other_html = client.get(reverse("actions:action_detail", args=[other.pk])).content.decode()
    assert "example.org" not in other_html and "To be allocated" in other_html


def test_the_updates_section_htmx_asks_for_reads_no_findings_or_strands_it_does_not_show(client, owner, action, level):
    client.force_login(owner)
    data = {"version": action.version, "rating": level("amber").pk, "narrative": "Progress.", "links": ""}
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("actions:action_update", args=[action.pk]), data, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "Progress." in response.content.decode()
    read = " ".join(query["sql"] for query in queries.captured_queries)
    assert "governance_finding" not in read and "governance_strandlink" not in read


def test_the_action_is_read_in_one_statement_joining_only_what_its_pages_show(client, officer, action, level):
    """PostgreSQL plans the action's statement on every request: each table joined and the list's ordering cost planning time."""
    client.force_login(officer)
    pages = [reverse(name, args=[action.pk]) for name in ("actions:action_detail", "actions:action_edit", "governance:action_findings")]
    for url in pages:
        client.get(url)  # the kept statements compiled
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        statements = [q["sql"] for q in queries.captured_queries]
        read = next(sql for sql in statements if sql.startswith('SELECT "actions_action"."id"') and "JOIN" in sql)
        joined = set(re.findall(r'JOIN "(\w+)"', read))
        assert joined == {"actions_strategy", "actions_ratinglevel", "actions_deliverygroup", "actions_priority"}, url
        assert "ORDER BY" not in read
        # Nothing the statement left out is read on its own.
        alone = " ".join(statements)
        assert 'FROM "people_partnership"' not in alone and 'FROM "actions_ratingscheme"' not in alone, url


def test_the_page_sends_its_reads_of_the_action_together_and_shows_them_all(client, officer, action, level, make_action, owner_post):
    """Owners, history, milestones, related actions, levels and the last board: one round trip, not one each."""
    other = make_action(ref="A9", position=9)
    action.related.add(other)
    ActionUpdate.objects.create(action=action, author=officer, created_at=timezone.now(), rating_after=level("amber"), narrative="Met.")
    action.milestones.create(title="Pilot starts", due_date=timezone.localdate(), position=1)
    client.force_login(officer)
    url = reverse("actions:action_detail", args=[action.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        html = client.get(url).content.decode()
    assert (owner_post.title in html, "Met." in html, "Pilot starts" in html, related_refs(html)) == (True, True, True, ["A9"])
    together = [q["sql"] for q in queries.captured_queries if q["sql"].count("SELECT") >= 9]
    assert len(together) == 1 and len(queries) == 4  # the session, the memberships, the action, and the rest at once
    for table in ("people_post", "actions_actionupdate", "actions_milestone", "actions_ratinglevel", "governance_finding"):
        assert f'FROM "{table}"' in together[0]


def test_an_update_looks_for_confirmed_sign_offs_without_joining_organisations_to_sort_them(client, owner, action, level):
    client.force_login(owner)
    data = {"version": action.version, "rating": level("amber").pk, "narrative": "Progress.", "links": ""}
    with CaptureQueriesContext(connection) as queries:
        assert client.post(reverse("actions:action_update", args=[action.pk]), data).status_code == 302
    [probe] = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('SELECT "governance_signoff"')]
    assert "people_organisation" not in probe and "FOR UPDATE" in probe
