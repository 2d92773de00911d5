"""The parts of the dashboard that show no action (KPIs, findings, families' views, levels and groups) are kept across updates to actions.

They are cached under the strategy's `beyond_actions` revision, which every
change raises except one to the actions' own rows. These tests commit for real
(as test_dashboard_cache.py does): each kept part must show its own change at once.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from actions.models import Action, ActionUpdate, DeliveryGroup, Milestone, RatingLevel
from actions.revisions import revision_of
from actions.services import action_update_record
from coproduction.models import FamiliesLevel, FamiliesView
from governance.models import Finding, Inspection
from kpis.models import Indicator
from tests.reporting.test_dashboard_cache import dashboard_of, level_named, red_count

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def seen(client, board, action):
    """A board member who has loaded the dashboard once, so it is in the cache."""
    client.force_login(board)
    dashboard_of(client, action.strategy)
    return client


def revisions(strategy) -> tuple[int, int]:
    return revision_of(strategy.pk), revision_of(strategy.pk, beyond_actions=True)


def test_a_change_to_an_action_raises_only_the_strategy_revision(action, owner):
    strategy = action.strategy
    start, beyond = revisions(strategy)
    changes = [
        lambda: action_update_record(
            action=action, user=owner, rating=level_named(strategy, "red"), narrative="Blocked", expected_version=action.version
        ),
        lambda: Action.objects.filter(pk=action.pk).update(notes="Noted at the board"),
        lambda: ActionUpdate.objects.create(action=action, rating_after=action.rating, narrative="Bulk-loaded"),
        lambda: Milestone.objects.create(action=action, title="Phase 1", due_date=dt.date(2025, 9, 30)),
    ]
    for number, change in enumerate(changes, start=1):
        change()
        assert revisions(strategy) == (start + number, beyond)


def test_a_change_beyond_the_actions_raises_both_revisions(action, group, owner, officer):
    strategy = action.strategy
    start, beyond = revisions(strategy)
    changes = [
        lambda: Indicator.objects.create(
            strategy=strategy, code="K1", name="EHC plans in 20 weeks", unit="percentage", direction="higher", frequency="annual"
        ),
        lambda: DeliveryGroup.objects.filter(pk=group.pk).update(name="1. Oversight and assurance"),
        lambda: FamiliesView.objects.create(
            group=group, level=FamiliesLevel.NO_CHANGE, narrative="No change", source="Survey", recorded_by=owner
        ),
        lambda: action.owners.clear(),  # the owners are the filter's options
    ]
    for number, change in enumerate(changes, start=1):
        change()
        assert revisions(strategy) == (start + number, beyond + number)


def test_each_part_kept_beyond_the_actions_shows_its_change_on_the_cached_dashboard(seen, action, group, owner, officer):
    strategy = action.strategy
    assert "EHC plans in 20 weeks" not in dashboard_of(seen, strategy)
    Indicator.objects.create(
        strategy=strategy, code="K1", name="EHC plans in 20 weeks", unit="percentage", direction="higher", frequency="annual"
    )
    assert "All 1 KPIs on the scorecard" in dashboard_of(seen, strategy)

    ended = timezone.localdate() - dt.timedelta(days=14)
    inspection = Inspection.objects.create(
        strategy=strategy, kind="full", started_on=ended - dt.timedelta(days=4), ended_on=ended, outcome="systemic", created_by=officer
    )
    Finding.objects.create(inspection=inspection, kind=Finding.Kind.PRIORITY, number=1, text="Leaders' oversight of plans")
    assert "Inspection findings with no action: <strong>1</strong>" in dashboard_of(seen, strategy)

    DeliveryGroup.objects.filter(pk=group.pk).update(name="1. Oversight and assurance")
    assert "1. Oversight and assurance" in dashboard_of(seen, strategy)

    RatingLevel.objects.filter(pk=level_named(strategy, "red").pk).update(label="Stalled")
    assert "Stalled" in dashboard_of(seen, strategy)

    assert "1 recorded" not in dashboard_of(seen, strategy)
    FamiliesView.objects.create(group=group, level=FamiliesLevel.NO_CHANGE, narrative="No change", source="Survey", recorded_by=owner)
    assert "1 recorded" in dashboard_of(seen, strategy)


def test_a_dashboard_rebuilt_after_an_update_reads_only_what_the_update_can_change(seen, action, owner):
    strategy = action.strategy
    before = red_count(dashboard_of(seen, strategy))
    action_update_record(
        action=action, user=owner, rating=level_named(strategy, "red"), narrative="Blocked", expected_version=action.version
    )
    with CaptureQueriesContext(connection) as queries:
        after = red_count(dashboard_of(seen, strategy))
    assert after == before + 1
    read = " ".join(query["sql"] for query in queries)
    # (The head's priority action plan due date, not cached, reads the inspections on every request.)
    assert not [table for table in ("kpis_indicator", "kpis_kpivalue", "coproduction_familiesview") if table in read]
