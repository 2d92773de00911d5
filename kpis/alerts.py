"""KPI alerts: a new value that moves a KPI across its target or its tolerance tells its owners and the officers.

Set-based: one read of the new values with the value each follows, one of the people
to tell, one insert of the notifications; each value alerts each person at most once
however often it is called. The alerts wait for each person's digest like any notification.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.urls import reverse

from actions.models import Notification
from kpis.models import Indicator, KpiValue, Rag
from people.models import Membership

# The RAGs a value can cross between; a first value, or a KPI with no target, crosses nothing.
_RATED = {Rag.ON_TARGET, Rag.WITHIN_TOLERANCE, Rag.OFF_TARGET}


@dataclass(frozen=True)
class Crossing:
    """A new value that moved its KPI across its target or tolerance: what it was (before) and is now (after)."""

    indicator: Indicator
    value: KpiValue
    before: Rag
    after: Rag

    def sentence(self) -> str:
        indicator = self.indicator
        return (
            f"{indicator.code} {indicator.name}: {self.value.formatted()} for {self.value.period_label} is now {self.after.label.lower()} "
            f"(was {self.before.label.lower()}; target {indicator.target_label()})"
        )


def kpi_crossings(values: QuerySet[KpiValue]) -> list[Crossing]:
    """Which of these values moved their KPI across its target or tolerance, against the value before each.

    Only a value for the KPI's latest period counts (a back-filled older period is
    not news); a first value, or a KPI with no target, crosses nothing. One query.
    """
    current = KpiValue.objects.current().filter(indicator=OuterRef("indicator"))
    earlier = current.filter(period_start__lt=OuterRef("period_start")).order_by("-period_start", "-entered_at")
    rows = (
        values.filter(is_superseded=False)
        .exclude(Exists(current.filter(period_start__gt=OuterRef("period_start"))))
        .annotate(previous=Subquery(earlier.values("value")[:1]))
        .select_related("indicator__strategy")
        .order_by("indicator__position", "indicator_id", "period_start")
    )
    return [c for row in rows if (c := crossing_of(row.indicator, row, row.previous))]


def crossing_of(indicator: Indicator, value: KpiValue, previous: KpiValue | Decimal | None) -> Crossing | None:
    """The crossing this value of the KPI made from the one before it (a value or a number), if it moved across the target or tolerance."""
    before_value = previous.value if isinstance(previous, KpiValue) else previous
    before, after = indicator.rag(before_value), indicator.rag(value.value)
    if before != after and before in _RATED and after in _RATED:
        value.indicator = indicator  # already read: formatting the value needs it
        return Crossing(indicator, value, before, after)
    return None


def kpi_crossings_between(strategy_id: int, since: dt.datetime | None, until: dt.datetime | None = None) -> list[Crossing]:
    """The KPI crossings entered after `since` (the last board's snapshot was taken) and up to `until` (default: now)."""
    if since is None:
        return []
    values = KpiValue.objects.filter(indicator__strategy_id=strategy_id, entered_at__gt=since)
    return kpi_crossings(values.filter(entered_at__lte=until) if until else values)


def kpi_crossings_notify(values: Iterable[KpiValue]) -> int:
    """Alert the owners and officers about each of these new values that moved its KPI across its target or tolerance.

    Returns the number of notifications queued.
    """
    ids = [value.pk for value in values]
    if not ids:
        return 0
    crossings = [(c.value, c.before, c.after) for c in kpi_crossings(KpiValue.objects.filter(pk__in=ids))]
    if not crossings:
        return 0
    indicator_ids = {row.indicator_id for row, _, _ in crossings}
    partnership_ids = {row.indicator.strategy.partnership_id for row, _, _ in crossings}
    owners = defaultdict(set)
    for indicator_id, user_id, partnership_id in Membership.objects.filter(
        partnership_id__in=partnership_ids, user__is_active=True, user__posts__indicators__in=indicator_ids
    ).values_list("user__posts__indicators", "user_id", "partnership_id"):
        owners[(indicator_id, partnership_id)].add(user_id)
    officers = defaultdict(set)
    for partnership_id, user_id in Membership.objects.filter(
        partnership_id__in=partnership_ids, role=Membership.Role.OFFICER, user__is_active=True
    ).values_list("partnership_id", "user_id"):
        officers[partnership_id].add(user_id)
    notifications = []
    for row, before, after in crossings:
        indicator = row.indicator
        partnership_id = indicator.strategy.partnership_id
        message = Crossing(indicator, row, before, after).sentence()
        for user_id in owners[(indicator.pk, partnership_id)] | officers[partnership_id]:
            notifications.append(
                Notification(
                    recipient_id=user_id,
                    action=None,
                    kind=Notification.Kind.KPI_ALERT,
                    event_key=f"kpi-value-{row.pk}",
                    partnership_id=partnership_id,
                    message=message[:500],
                    link=reverse("kpis:indicator_detail", args=[indicator.pk]),
                )
            )
    Notification.objects.bulk_create(notifications, ignore_conflicts=True)
    return len(notifications)
