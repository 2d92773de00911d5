"""Fixtures for reporting: a generated large plan and helpers to move ratings between snapshots."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from actions.models import Action, ActionUpdate, DeliveryGroup, Priority, Strategy
from people.models import Post
from tests.actions.conftest import make_action  # noqa: F401  (fixture)
from tests.kpis.conftest import indicator  # noqa: F401  (fixture)


def rating_change(action: Action, level, *, when: dt.datetime | None = None, narrative: str = "Rating reviewed.", author=None) -> None:
    """Change an action's rating the way an update does: the action and an append-only update."""
    before = action.rating
    action.rating = level
    action.version += 1
    action.save()
    ActionUpdate.objects.create(
        action=action, rating_before=before, rating_after=level, narrative=narrative, created_at=when or timezone.now(), author=author
    )


@pytest.fixture
def big_plan(partnership, scheme):
    """A 2,000-action plan over 4 priorities and 40 groups, made with bulk inserts."""
    strategy = Strategy.objects.create(partnership=partnership, name="Big plan", scheme=scheme)
    levels = list(scheme.levels.all())
    posts = Post.objects.bulk_create([Post(partnership=partnership, title=f"Owner post {i}") for i in range(50)])
    priorities = Priority.objects.bulk_create([Priority(strategy=strategy, name=f"Priority {i}", position=i) for i in range(4)])
    groups = DeliveryGroup.objects.bulk_create(
        [DeliveryGroup(strategy=strategy, priority=priorities[i % 4], name=f"Group {i}", position=i) for i in range(40)]
    )
    actions = Action.objects.bulk_create(
        [
            Action(
                strategy=strategy,
                group=groups[i % 40],
                ref=f"B{i}",
                text=f"Action {i}",
                rating=levels[i % len(levels)],
                due_date=dt.date(2025, 1 + i % 12, 1) if i % 7 else None,
                due_precision=Action.DuePrecision.DAY if i % 7 else Action.DuePrecision.NONE,
                position=i,
            )
            for i in range(2000)
        ]
    )
    Action.owners.through.objects.bulk_create(
        [Action.owners.through(action_id=a.pk, post_id=posts[i % 50].pk) for i, a in enumerate(actions) if i % 11]
    )
    ActionUpdate.objects.bulk_create([ActionUpdate(action=a, rating_after=a.rating, narrative="Imported.") for a in actions])
    return strategy


@pytest.fixture
def inspection(strategy, officer):
    from governance.models import Inspection

    return Inspection.objects.create(
        strategy=strategy,
        kind=Inspection.Kind.FULL,
        started_on=dt.date(2025, 1, 13),
        ended_on=dt.date(2025, 1, 24),
        inspectorates=["ofsted", "cqc"],
        outcome=Inspection.Outcome.INCONSISTENT,
        created_by=officer,
    )


@pytest.fixture
def finding(inspection, action):
    from governance.models import Finding

    finding = Finding.objects.create(
        inspection=inspection, kind=Finding.Kind.PRIORITY, number=1, text="Improve the timeliness of EHC needs assessments."
    )
    finding.actions.add(action)
    return finding


@pytest.fixture
def deliverable(strategy, group, action):
    from coproduction.models import Deliverable

    deliverable = Deliverable.objects.create(
        strategy=strategy, group=group, statement="Families receive a draft plan within 14 weeks.", due_date=dt.date(2026, 3, 31)
    )
    deliverable.actions.add(action)
    return deliverable
