"""What the finance page, the dashboard and the board pack read: per year, unmitigated against planned against achieved."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from actions import jeopardy
from actions.models import Action, Snapshot, Strategy
from finance.models import FinanceActual, FinancePlan, Mitigation, SnapshotMitigation
from finance.money import money_short, year_end, year_label

ZERO = Decimal("0")


def mitigations_with_jeopardy(plan: FinancePlan, today: dt.date) -> QuerySet[Mitigation]:
    """The plan's mitigations, each with `at_risk`: one of the actions that deliver it is at risk or overdue."""
    delivering = Mitigation.actions.through.objects.filter(
        mitigation=OuterRef("pk"), action__in=Action.everything.filter(jeopardy.in_jeopardy(today))
    )
    return Mitigation.objects.filter(plan=plan).annotate(at_risk=Exists(delivering))


def latest_actuals(plan: FinancePlan, *, entered_by: dt.datetime | None = None) -> dict[tuple[int, int], FinanceActual]:
    """Each (mitigation, year)'s latest actual figure (as entered by a time, when given): the one that counts."""
    actuals = FinanceActual.objects.filter(mitigation__plan=plan)
    if entered_by is not None:
        actuals = actuals.filter(entered_at__lte=entered_by)
    latest = actuals.order_by("mitigation_id", "year", "-as_at", "-entered_at", "-id").distinct("mitigation_id", "year")
    return {(row.mitigation_id, row.year): row for row in latest}


def saving_at_risk(in_jeopardy: bool, actual: FinanceActual | None) -> bool:
    """Whether a mitigation's saving for one year is at risk: an action that delivers it is at risk or overdue, and the
    year's outturn (a figure as at its last day, 31 March) is not in. Once it is, the saving was achieved or it was
    missed: the year is closed, and its saving is no longer at risk, whatever its actions do next."""
    return in_jeopardy and not (actual is not None and actual.as_at >= year_end(actual.year))


@dataclass
class YearRow:
    year: int
    grant: Decimal | None
    unmitigated: Decimal | None
    target: Decimal | None
    planned: Decimal = ZERO
    achieved: Decimal | None = None
    at_risk: Decimal = ZERO
    planned_forecast: Decimal | None = None
    achieved_forecast: Decimal | None = None

    @property
    def label(self) -> str:
        return year_label(self.year)


@dataclass
class MitigationRow:
    mitigation: Mitigation
    at_risk: bool
    planned: dict[int, Decimal]
    achieved: dict[int, Decimal]
    actions: list[tuple[Action, str]]

    @property
    def planned_total(self) -> Decimal:
        return sum(self.planned.values(), ZERO)

    @property
    def achieved_total(self) -> Decimal:
        return sum(self.achieved.values(), ZERO)


@dataclass
class Movement:
    """Since the last board's snapshot: savings achieved and savings at risk, then and now."""

    as_at: dt.date
    achieved_then: Decimal
    achieved_now: Decimal
    at_risk_then: Decimal
    at_risk_now: Decimal

    @property
    def achieved_change(self) -> str:
        """ "from £87.5m to £98.8m", or "still £98.8m" where the sum reads the same as it did."""
        return _change(self.achieved_then, self.achieved_now)

    @property
    def at_risk_change(self) -> str:
        return _change(self.at_risk_then, self.at_risk_now)


def _change(then: Decimal, now: Decimal) -> str:
    then_words, now_words = money_short(then), money_short(now)
    return f"still {now_words}" if then_words == now_words else f"from {then_words} to {now_words}"


@dataclass
class FinanceSummary:
    plan: FinancePlan
    years: list[YearRow]
    mitigations: list[MitigationRow]
    movement: Movement | None = None
    illustrative: bool = False
    totals: dict[str, Decimal] = field(default_factory=dict)

    @property
    def final(self) -> YearRow | None:
        return self.years[-1] if self.years else None


def _frozen_totals(snapshot: Snapshot) -> tuple[Decimal, Decimal]:
    achieved = at_risk = ZERO
    for row in SnapshotMitigation.objects.filter(snapshot=snapshot):
        achieved += row.achieved or ZERO
        at_risk += row.planned if row.at_risk else ZERO
    return achieved, at_risk


def finance_summary(strategy: Strategy, *, today: dt.date, snapshot: Snapshot | None = None) -> FinanceSummary | None:
    """The strategy's finance plan year by year, its mitigations, and the movement since the last snapshot.

    With `snapshot` (a board pack), the figures are those frozen in it and the movement is since the one before.
    """
    plan = FinancePlan.objects.filter(strategy=strategy).prefetch_related("figures").first()
    if plan is None:
        return None
    delivering = Prefetch("actions", queryset=Action.everything.select_related("rating").order_by("position", "id"), to_attr="delivering")
    found = list(mitigations_with_jeopardy(plan, snapshot.as_at if snapshot else today).prefetch_related("savings", delivering))
    # At risk: each (mitigation, year) whose saving is at risk; a mitigation is at risk when any of its years is.
    if snapshot is None:
        planned = {(m.pk, s.year): s.planned for m in found for s in m.savings.all()}
        actuals = latest_actuals(plan)
        achieved = {key: row.achieved for key, row in actuals.items()}
        jeopardy_of = {m.pk: m.at_risk for m in found}
        at_risk = {key: saving_at_risk(jeopardy_of[key[0]], actuals.get(key)) for key in planned}
    else:
        frozen = list(SnapshotMitigation.objects.filter(snapshot=snapshot))
        planned = {(row.mitigation_id, row.year): row.planned for row in frozen}
        achieved = {(row.mitigation_id, row.year): row.achieved for row in frozen if row.achieved is not None}
        at_risk = {(row.mitigation_id, row.year): row.at_risk for row in frozen}
    mitigations_at_risk = {mitigation_id for (mitigation_id, _), flagged in at_risk.items() if flagged}
    figures = {f.year: f for f in plan.figures.all()}
    years = []
    planned_so_far = achieved_so_far = ZERO
    any_achieved = False
    for year in plan.years:
        figure = figures.get(year)
        row = YearRow(
            year=year,
            grant=figure.grant if figure else None,
            unmitigated=figure.unmitigated_forecast if figure else None,
            target=figure.target_forecast if figure else None,
        )
        for m in found:
            saving = planned.get((m.pk, year), ZERO)
            row.planned += saving
            if at_risk.get((m.pk, year)):
                row.at_risk += saving
            if (m.pk, year) in achieved:
                row.achieved = (row.achieved or ZERO) + achieved[(m.pk, year)]
        planned_so_far += row.planned
        if row.achieved is not None:
            any_achieved = True
            achieved_so_far += row.achieved
        if row.unmitigated is not None:
            row.planned_forecast = row.unmitigated - planned_so_far
            if any_achieved and row.achieved is not None:
                row.achieved_forecast = row.unmitigated - achieved_so_far
        years.append(row)
    mitigations = [
        MitigationRow(
            mitigation=m,
            at_risk=m.pk in mitigations_at_risk,
            planned={y: planned[(m.pk, y)] for y in plan.years if (m.pk, y) in planned},
            achieved={y: achieved[(m.pk, y)] for y in plan.years if (m.pk, y) in achieved},
            actions=[(a, jeopardy.described(a, snapshot.as_at if snapshot else today)) for a in m.delivering],
        )
        for m in found
    ]
    summary = FinanceSummary(plan=plan, years=years, mitigations=mitigations, illustrative=any(m.is_illustrative for m in found))
    summary.totals = {
        "planned": sum((r.planned for r in years), ZERO),
        "achieved": sum((r.achieved or ZERO for r in years), ZERO),
        "at_risk": sum((r.at_risk for r in years), ZERO),
    }
    previous = snapshot.previous() if snapshot else Snapshot.objects.last_board_for(strategy)
    if previous is not None:
        achieved_then, at_risk_then = _frozen_totals(previous)
        summary.movement = Movement(previous.as_at, achieved_then, summary.totals["achieved"], at_risk_then, summary.totals["at_risk"])
    return summary


def actuals_recent(plan: FinancePlan, limit: int = 20) -> QuerySet[FinanceActual]:
    """The latest figures entered, newest first: who entered what, for which mitigation and year."""
    return (
        FinanceActual.objects.filter(mitigation__plan=plan)
        .select_related("mitigation", "entered_by")
        .order_by("-entered_at", "-id")[:limit]
    )


def savings_at_risk(strategy: Strategy, today: dt.date) -> list[MitigationRow]:
    """The mitigations whose savings are at risk because an action that delivers them is at risk or overdue: for decision."""
    summary = finance_summary(strategy, today=today)
    return [row for row in summary.mitigations if row.at_risk] if summary else []


@dataclass
class Headline:
    achieved: Decimal
    planned_to_date: Decimal
    planned_total: Decimal
    at_risk: Decimal
    final: YearRow | None
    for_decision: list[MitigationRow]


def headline(strategy: Strategy, today: dt.date) -> Headline | None:
    """The dashboard's figures: savings achieved against those planned for the same years, and the savings at risk."""
    summary = finance_summary(strategy, today=today)
    if summary is None:
        return None
    return Headline(
        achieved=summary.totals["achieved"],
        planned_to_date=sum((row.planned for row in summary.years if row.achieved is not None), ZERO),
        planned_total=summary.totals["planned"],
        at_risk=summary.totals["at_risk"],
        final=summary.final,
        for_decision=[row for row in summary.mitigations if row.at_risk],
    )
