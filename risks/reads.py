"""What the register's pages, the dashboard and the board pack read: rows with their status, the heat map, top risks, trends."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from accounts.history import history_user_id
from actions import jeopardy
from actions.models import Action, Snapshot, Strategy
from actions.rows import ref_order
from risks import rules
from risks.models import SCALE, Risk, RiskEvent, RiskScale, SnapshotRisk, band


@dataclass
class Cell:
    likelihood: int
    impact: int
    refs: list[str] = field(default_factory=list)
    impact_label: str = ""  # the scale's words for its impact, as its column is headed ("4 Major")

    @property
    def score(self) -> int:
        return self.likelihood * self.impact

    @property
    def band(self) -> tuple[str, str]:
        return band(self.score)

    @property
    def count(self) -> int:
        return len(self.refs)


@dataclass
class HeatMap:
    """Likelihood down (5 at the top), impact across; every cell says its score, band and count, not its colour alone."""

    scale: RiskScale
    rows: list[tuple[str, list[Cell]]]
    impacts: list[str]
    total: int


def heat_map(scores: list[tuple[str, int, int]], scale: RiskScale) -> HeatMap:
    """`scores` are (ref, likelihood, impact) of each risk to place."""
    cells = {(lk, im): Cell(lk, im, impact_label=scale.impact(im)) for lk in SCALE for im in SCALE}
    for ref, likelihood, impact in scores:
        cells[(likelihood, impact)].refs.append(ref)
    for cell in cells.values():
        cell.refs.sort(key=ref_order)
    rows = [(scale.likelihood(lk), [cells[(lk, im)] for im in SCALE]) for lk in reversed(SCALE)]
    return HeatMap(scale=scale, rows=rows, impacts=[scale.impact(im) for im in SCALE], total=len(scores))


def mitigating_actions_prefetch() -> Prefetch:
    """A risk's mitigating actions in the plan's order (SS2 before SS10)."""
    in_plan_order = Action.everything.select_related("rating").order_by("position", "id")
    return Prefetch("mitigating_actions", queryset=in_plan_order, to_attr="mitigating")


@dataclass
class RiskRow:
    risk: Risk
    status: rules.RiskStatus
    actions: list[tuple[Action, str]]  # each mitigating action with its class's words

    @property
    def flags(self) -> list[str]:
        return self.status.flags


def risk_rows(risks: QuerySet[Risk], today: dt.date) -> list[RiskRow]:
    """The risks with their status (in the query) and their mitigating actions' classes, highest residual score first."""
    found = rules.with_status(risks, today).select_related("owner").prefetch_related(mitigating_actions_prefetch()).order_by()
    # Ordered here, not by the database: risks of equal scores in the order people count them, R7 before R10.
    found = sorted(found, key=lambda risk: (-risk.residual, -risk.inherent, ref_order(risk.ref)))
    return [
        RiskRow(
            risk=risk,
            status=rules.status_of(risk),
            actions=[(action, jeopardy.described(action, today)) for action in risk.mitigating],
        )
        for risk in found
    ]


@dataclass
class Register:
    """The register's page: its open risks with their status and the heat map they fill, then the closed ones on record."""

    rows: list[RiskRow]
    heat: HeatMap
    closed: list[Risk]


def register(risks: QuerySet[Risk], scale: RiskScale, today: dt.date) -> Register:
    """`risks` are those the person may read: the open ones are the live register; the closed ones, latest closed first."""
    rows = risk_rows(risks.filter(rules.open_risk()), today)
    heat = heat_map([(row.risk.ref, row.risk.residual_likelihood, row.risk.residual_impact) for row in rows], scale)
    closed = risks.exclude(rules.open_risk()).select_related("owner", "closed_by").order_by("-closed_at", "-pk")
    return Register(rows=rows, heat=heat, closed=list(closed))


def top_risks(strategy: Strategy, *, limit: int = 5, today: dt.date, include_restricted: bool = False) -> list[RiskRow]:
    """The strategy's highest residual open risks, for the dashboard's headline and the board pack. Restricted ones only when asked."""
    risks = Risk.objects.filter(rules.open_risk(), strategy=strategy)
    if not include_restricted:
        risks = risks.filter(restricted=False)
    return risk_rows(risks, today)[:limit]


def snapshot_heat_map(snapshot: Snapshot, scale: RiskScale, *, include_restricted: bool = False) -> HeatMap:
    frozen = SnapshotRisk.objects.filter(snapshot=snapshot)
    if not include_restricted:
        frozen = frozen.filter(restricted=False)
    return heat_map(list(frozen.values_list("ref", "residual_likelihood", "residual_impact")), scale)


@dataclass
class Movement:
    ref: str
    title: str
    before: int | None
    after: int | None  # None: closed since the previous snapshot

    @property
    def words(self) -> str:
        if self.after is None:
            return "Closed"
        if self.before is None:
            return "New to the register"
        return "Risen" if self.after > self.before else "Fallen"


def risks_moved(snapshot: Snapshot, *, include_restricted: bool = False) -> list[Movement]:
    """The risks whose residual score differs from the previous snapshot's (and new ones), largest rise first, then those
    closed since the previous snapshot."""
    previous = snapshot.previous()
    if previous is None:
        return []
    now = SnapshotRisk.objects.filter(snapshot=snapshot)
    if not include_restricted:
        now = now.filter(restricted=False)
    before = {row.risk_id: row for row in SnapshotRisk.objects.filter(snapshot=previous)}
    moved = [
        Movement(row.ref, row.title, before[row.risk_id].residual_score if row.risk_id in before else None, row.residual_score)
        for row in now
        if row.risk_id not in before or before[row.risk_id].residual_score != row.residual_score
    ]
    gone = {pk for pk, row in before.items() if include_restricted or not row.restricted} - {row.risk_id for row in now}
    closed = Risk.objects.filter(pk__in=gone).exclude(rules.open_risk()).values_list("pk", flat=True) if gone else []
    moved.sort(key=lambda m: (-(m.after - (m.before or 0)), ref_order(m.ref)))
    return moved + sorted(
        (Movement(before[pk].ref, before[pk].title, before[pk].residual_score, None) for pk in closed), key=lambda m: ref_order(m.ref)
    )


def closing_events(events: QuerySet[RiskEvent]) -> QuerySet[RiskEvent]:
    """Of the register's history, the events in which a risk was closed (its closing date set where the event before had
    none) or reopened (cleared where it had one): each closing, with who and why, stays on record after a reopening.

    `happened_at`: when the risk was closed (the date its closer gave), or when it was reopened."""
    earlier = RiskEvent.objects.filter(pgh_obj_id=OuterRef("pgh_obj_id"), pgh_id__lt=OuterRef("pgh_id")).order_by("-pgh_id")
    return (
        events.filter(pgh_label="update")
        .annotate(closed_before=Subquery(earlier.values("closed_at")[:1]), happened_at=Coalesce("closed_at", "pgh_created_at"))
        .filter(Q(closed_at__isnull=False, closed_before__isnull=True) | Q(closed_at__isnull=True, closed_before__isnull=False))
    )


def closings_of(risk: Risk) -> list[RiskEvent]:
    """The risk's closings and reopenings, newest first, each with `by`: who closed it, or who reopened it (from the
    history's context, where the change was made through the product)."""
    events = closing_events(RiskEvent.objects.filter(pgh_obj_id=risk.pk)).annotate(made_by_id=history_user_id())
    events = list(events.select_related("closed_by").order_by("-pgh_id"))
    reopeners = {e.made_by_id for e in events if e.closed_at is None} - {None}
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in=reopeners)} if reopeners else {}
    for event in events:
        event.by = event.closed_by if event.closed_at else users.get(event.made_by_id)
    return events


def score_trend(risk: Risk) -> list[tuple[dt.date, int]]:
    """The risk's residual score at each snapshot, oldest first: its trend across board cycles."""
    frozen = SnapshotRisk.objects.filter(risk=risk).select_related("snapshot").order_by("snapshot__as_at", "snapshot__taken_at")
    return [(row.snapshot.as_at, row.residual_score) for row in frozen]


@dataclass
class PackRisks:
    """The board pack's risk page, from the snapshot: restricted risks are never in a pack."""

    top: list[SnapshotRisk]
    heat: HeatMap
    moved: list[Movement]
    total: int


def pack_risks(snapshot: Snapshot, *, limit: int = 5) -> PackRisks | None:
    frozen = list(SnapshotRisk.objects.filter(snapshot=snapshot, restricted=False))
    if not frozen:
        return None
    scale = RiskScale.for_partnership(snapshot.strategy.partnership_id)
    top = sorted(frozen, key=lambda r: (-r.residual_score, ref_order(r.ref)))[:limit]
    heat = heat_map([(r.ref, r.residual_likelihood, r.residual_impact) for r in frozen], scale)
    return PackRisks(top=top, heat=heat, moved=risks_moved(snapshot), total=len(frozen))


def for_decision(strategy: Strategy, today: dt.date) -> list[RiskRow]:
    """Open risks a board is asked to decide on: above target with a mitigating action in jeopardy, or past their review date.

    Restricted risks are left out: the decisions list reaches every board member. Closed risks are not for decision.
    """
    risks = Risk.objects.filter(rules.open_risk(), strategy=strategy, restricted=False)
    flagged = rules.with_status(risks, today).filter(rules.actions_in_jeopardy(today) | rules.review_overdue(today))
    return risk_rows(risks.filter(pk__in=flagged.values("pk")), today)
