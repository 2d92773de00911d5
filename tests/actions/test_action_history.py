"""The action page's history: every update, change to the plan's entry and reminder, newest first, as people read it."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from actions.models import ActionChange, ActionUpdate, ChaseStep, Evidence


def history_of(client, action) -> str:
    page = client.get(reverse("actions:action_detail", args=[action.pk])).content.decode()
    return page[page.index('id="history"') : page.index("</ol>", page.index('id="history"'))]


def test_the_history_lists_updates_changes_and_reminders_newest_first_with_their_evidence(client, officer, owner, action, level):
    now = timezone.now()
    ActionUpdate.objects.create(
        action=action, author=None, created_at=now - dt.timedelta(days=30), rating_after=level("amber"), narrative="Imported"
    )
    second = ActionUpdate.objects.create(
        action=action,
        author=owner,
        created_at=now - dt.timedelta(days=2),
        rating_before=level("amber"),
        rating_after=level("red"),
        narrative="Panel <delayed>\nsecond line",
    )
    ActionUpdate.objects.create(
        action=action, author=owner, created_at=now - dt.timedelta(days=1), rating_before=level("red"), rating_after=level("red")
    )
    Evidence.objects.create(update=second, kind=Evidence.Kind.LINK, url="https://example.org/minutes?a=1&b=2", created_at=now)
    ActionChange.objects.create(
        action=action,
        author=officer,
        created_at=now - dt.timedelta(days=10),
        field=ActionChange.Field.DUE,
        before="September 2025",
        after="March 2026",
        reason="waiting on the new panel",
    )
    ChaseStep.objects.create(action=action, overdue_since=dt.date(2026, 1, 1), number=2, day=dt.date(2026, 1, 29), to_lead=True)
    client.force_login(officer)

    history = history_of(client, action)

    entries = history.split('<li class="app-history__item')[1:]
    assert len(entries) == 5
    assert "Escalated" in entries[0] and "Reminder 2: overdue since 1 January 2026" in entries[0]
    assert "(no change)" in entries[1] and 'data-rating="red"' in entries[1]
    assert "→" in entries[2] and "Panel &lt;delayed&gt;<br>second line" in entries[2]
    assert 'href="https://example.org/minutes?a=1&amp;b=2"' in entries[2]
    assert "Due date revised from September 2025 to March 2026: waiting on the new panel" in entries[3]
    assert "Plan import" in entries[4] and "→" not in entries[4] and "Imported" in entries[4]
    assert "Evidence:" not in entries[4]
