from __future__ import annotations

import datetime as dt

from django.contrib.postgres.aggregates import StringAgg
from django.db import transaction
from django.db.models import OuterRef, Subquery

from actions.models import Action, ActionUpdate, Strategy, User
from governance.models import Snapshot, SnapshotAction
from kpis.services import snapshot_kpi_values


@transaction.atomic
def snapshot_take(*, strategy: Strategy, as_at: dt.date, taken_by: User | None = None, note: str = "") -> Snapshot:
    """Freeze every action of the strategy as it stands now, labelled "as at" the given date.

    Set-based: one read of the actions (with their owners and latest
    narrative aggregated in SQL) and batched inserts, whatever the plan size.
    """
    snapshot = Snapshot.objects.create(strategy=strategy, as_at=as_at, taken_by=taken_by, note=note)
    latest = ActionUpdate.objects.filter(action=OuterRef("pk")).order_by("-created_at", "-id")
    rows = (
        Action.objects.filter(strategy=strategy)
        .annotate(
            owner_list=StringAgg("owners__title", delimiter="; ", order_by="owners__title", default=""),
            latest_narrative=Subquery(latest.values("narrative")[:1]),
            latest_at=Subquery(latest.values("created_at")[:1]),
        )
        .values_list(
            "pk", "group_id", "ref", "text", "owner_list", "due_date", "due_precision", "rating_id", "latest_narrative", "latest_at"
        )
    )
    SnapshotAction.objects.bulk_create(
        [
            SnapshotAction(
                snapshot=snapshot,
                action_id=pk,
                group_id=group_id,
                ref=ref,
                text=text,
                owners=owners,
                due_date=due_date,
                due_precision=precision,
                rating_id=rating_id,
                narrative=narrative or "",
                last_updated_at=latest_at,
            )
            for pk, group_id, ref, text, owners, due_date, precision, rating_id, narrative, latest_at in rows
        ],
        batch_size=1000,
    )
    snapshot_kpi_values(snapshot)
    return snapshot
