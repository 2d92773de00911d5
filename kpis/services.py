"""Writes that span KPI rows: entering, correcting and snapshotting values."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction

from accounts.models import User
from kpis.alerts import kpi_crossings_notify
from kpis.models import Indicator, KpiValue, SnapshotKpiValue


def kpi_value_enter(
    *,
    indicator: Indicator,
    period: str,
    value: Decimal,
    entered_by: User | None,
    england: Decimal | None = None,
    region: Decimal | None = None,
    statistical_neighbours: Decimal | None = None,
    note: str = "",
) -> KpiValue:
    """Record a new period's value (alerting its owners and the officers if it crosses the target or tolerance).

    The database rejects a second current value for the same period.
    """
    return _value_add(
        indicator=indicator,
        period=period.strip(),
        period_start=indicator.period_start(period),
        value=value,
        england=england,
        region=region,
        statistical_neighbours=statistical_neighbours,
        note=note,
        entered_by=entered_by,
    )


@transaction.atomic
def kpi_value_correct(
    *,
    original: KpiValue,
    value: Decimal,
    reason: str,
    entered_by: User | None,
    england: Decimal | None = None,
    region: Decimal | None = None,
    statistical_neighbours: Decimal | None = None,
    note: str = "",
) -> KpiValue:
    """Supersede a value with a corrected one; the original is kept as it was, with the reason."""
    original = KpiValue.objects.select_for_update().get(pk=original.pk)
    if original.is_superseded:
        raise ValueError("This value has already been corrected: correct the latest value instead.")
    KpiValue.objects.filter(pk=original.pk).update(is_superseded=True)
    return _value_add(
        indicator_id=original.indicator_id,
        period=original.period,
        period_start=original.period_start,
        value=value,
        entered_by=entered_by,
        england=england,
        region=region,
        statistical_neighbours=statistical_neighbours,
        note=note,
        corrects=original,
        reason=reason,
    )


def _value_add(**fields: Any) -> KpiValue:
    """Save a value, entered or corrected, and alert its owners and the officers if it crosses the target or tolerance."""
    value = KpiValue.objects.create(**fields)
    kpi_crossings_notify([value])
    return value


def snapshot_kpi_values(snapshot) -> int:
    """Freeze the strategy's current KPI values for periods starting on or before the snapshot's date.

    Set-based: one read and one batched insert whatever the number of KPIs.
    """
    rows = (
        KpiValue.objects.current()
        .filter(indicator__strategy_id=snapshot.strategy_id, period_start__lte=snapshot.as_at)
        .values_list("pk", "indicator_id", "period", "period_start", "value")
    )
    created = SnapshotKpiValue.objects.bulk_create(
        [
            SnapshotKpiValue(snapshot=snapshot, kpi_value_id=pk, indicator_id=indicator_id, period=period, period_start=start, value=value)
            for pk, indicator_id, period, start, value in rows
        ],
        batch_size=1000,
    )
    return len(created)
