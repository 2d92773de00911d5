"""What a snapshot froze is read once and kept: an update to the live plan rebuilds the dashboard
without reading the snapshot again, and a new snapshot or a changed rating level is never missed."""

from __future__ import annotations

import datetime as dt

import pytest

from actions.models import Snapshot
from governance.services import snapshot_take
from reporting.dashboard import snapshot_rows

pytestmark = pytest.mark.usefixtures("cache_emptied")


def test_a_snapshots_rows_are_read_once_and_again_when_a_level_or_the_snapshots_change(action, strategy, django_assert_num_queries):
    snapshot = snapshot_take(strategy=strategy, as_at=dt.date(2025, 7, 1))
    levels = list(strategy.scheme.levels.all())
    snapshot = Snapshot.objects.with_first_board().get(pk=snapshot.pk)
    first = snapshot_rows(snapshot, [snapshot], levels, beyond_actions=0)
    assert [(row.ref, row.rating.label, row.cycle_started_at) for row in first] == [("SP1", action.rating.label, None)]

    action.text = "Strengthen oversight with families"  # the live plan changes; the snapshot does not
    action.save()
    with django_assert_num_queries(0):
        again = snapshot_rows(snapshot, [snapshot], levels, beyond_actions=0)
    assert [row.text for row in again] == ["Strengthen oversight"]

    level = action.rating
    level.label = "Amber: some slippage"
    level.save()
    levels = list(strategy.scheme.levels.all())
    assert snapshot_rows(snapshot, [snapshot], levels, beyond_actions=0)[0].rating.label == "Amber: some slippage"

    # A snapshot taken earlier than it (back-dated) starts its cycle.
    earlier = snapshot_take(strategy=strategy, as_at=dt.date(2025, 5, 1))
    snapshots = list(Snapshot.objects.filter(strategy=strategy).with_first_board().latest_first())
    assert snapshot_rows(snapshot, snapshots, levels, beyond_actions=0)[0].cycle_started_at == earlier.taken_at
