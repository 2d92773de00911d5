"""The dashboard's rows are read in a fixed number of queries whatever the plan size."""

from __future__ import annotations

import datetime as dt

from actions.models import Action
from actions.rows import rows_from_actions, rows_from_snapshot
from governance.services import snapshot_take


def test_it_reads_live_and_snapshot_rows_in_two_queries_each_at_two_plan_sizes(one_plan, big_plan, django_assert_num_queries):
    for strategy in (one_plan, big_plan):
        snapshot = snapshot_take(strategy=strategy, as_at=dt.date(2025, 6, 1))
        with django_assert_num_queries(2):
            rows = rows_from_actions(Action.objects.filter(strategy=strategy))
        with django_assert_num_queries(2):
            frozen = rows_from_snapshot(snapshot)
        assert len(rows) == len(frozen) == Action.objects.filter(strategy=strategy).count()
        # One rating object per level, shared by every row at that level.
        assert len({id(row.rating) for row in rows}) == len({row.rating.pk for row in rows})
