"""Writes to the finance plan: each all-or-nothing, and the actuals append-only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from actions.models import Action, Snapshot
from finance.models import FinanceActual, FinancePlan, FinanceYear, Mitigation, MitigationSaving, SnapshotMitigation
from finance.reads import latest_actuals, mitigations_with_jeopardy, saving_at_risk


@transaction.atomic
def figures_save(*, plan: FinancePlan, figures: dict[int, dict[str, Decimal | None]]) -> None:
    """Each year's grant and forecasts, in one transaction: `figures` maps a year of the plan to its three amounts."""
    for year, amounts in figures.items():
        FinanceYear.objects.update_or_create(plan=plan, year=year, defaults=amounts)
    FinanceYear.objects.filter(plan=plan).exclude(year__in=list(plan.years)).delete()
    FinancePlan.objects.filter(pk=plan.pk).update(version=F("version") + 1)


@transaction.atomic
def mitigation_save(*, mitigation: Mitigation, actions: list[Action], planned: dict[int, Decimal | None]) -> Mitigation:
    """The mitigation, the actions that deliver it and its planned saving per year (a blank year has none)."""
    mitigation.save()
    mitigation.actions.set(actions)
    for year, amount in planned.items():
        if amount is None:
            MitigationSaving.objects.filter(mitigation=mitigation, year=year).delete()
        else:
            MitigationSaving.objects.update_or_create(mitigation=mitigation, year=year, defaults={"planned": amount})
    return mitigation


def actual_record(
    *,
    mitigation: Mitigation,
    year: int,
    as_at: dt.date,
    achieved: Decimal,
    note: str = "",
    by: User | None,
    entered_at: dt.datetime | None = None,
) -> FinanceActual:
    """Add an actual figure (the history keeps every one); entered now, unless `entered_at` says when."""
    return FinanceActual.objects.create(
        mitigation=mitigation, year=year, as_at=as_at, achieved=achieved, note=note, entered_by=by, entered_at=entered_at or timezone.now()
    )


def snapshot_mitigations(snapshot: Snapshot) -> int:
    """Freeze the strategy's mitigations, year by year, into the snapshot: planned, achieved, and at risk as at its date."""
    plan = FinancePlan.objects.filter(strategy_id=snapshot.strategy_id).first()
    if plan is None:
        return 0
    jeopardy_of = dict(mitigations_with_jeopardy(plan, snapshot.as_at).values_list("pk", "at_risk"))
    actuals = latest_actuals(plan, entered_by=snapshot.taken_at)
    planned = {
        (m, y): amount
        for m, y, amount in MitigationSaving.objects.filter(mitigation__plan=plan).values_list("mitigation_id", "year", "planned")
    }
    created = SnapshotMitigation.objects.bulk_create(
        [
            SnapshotMitigation(
                snapshot=snapshot,
                mitigation_id=mitigation_id,
                year=year,
                planned=planned.get((mitigation_id, year), Decimal("0")),
                achieved=actuals[(mitigation_id, year)].achieved if (mitigation_id, year) in actuals else None,
                at_risk=saving_at_risk(jeopardy_of.get(mitigation_id, False), actuals.get((mitigation_id, year))),
            )
            for mitigation_id, year in sorted(planned.keys() | actuals.keys())
        ]
    )
    return len(created)
