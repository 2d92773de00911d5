"""The feed's entity sets: what each one holds, its properties and their OData types.

Every set is read for one partnership only, as a queryset of plain rows whose
keys are the OData property names (PascalCase, as Power BI shows them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.postgres.aggregates import StringAgg
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import NullIf
from django.utils import timezone

from actions import jeopardy, rules
from actions.models import Action, ActionUpdate, DeliveryGroup, Snapshot, SnapshotAction
from finance.models import FinanceActual, Mitigation, MitigationSaving
from kpis.models import Benchmark, KpiValue
from people.models import Partnership
from risks import rules as risk_rules
from risks.models import Risk, RiskScore

EDM = {
    "int": "Edm.Int64",
    "str": "Edm.String",
    "date": "Edm.Date",
    "datetime": "Edm.DateTimeOffset",
    "decimal": "Edm.Decimal",
    "bool": "Edm.Boolean",
}


@dataclass(frozen=True)
class Property:
    name: str
    kind: str  # a key of EDM
    source: object  # a field path or a query expression
    nullable: bool = True

    @property
    def edm_type(self) -> str:
        return EDM[self.kind]


@dataclass(frozen=True)
class EntitySet:
    name: str
    type_name: str
    description: str
    properties: tuple[Property, ...]
    rows: Callable[[Partnership, dt.date], QuerySet]
    # Properties computed as at the day of the request (an action's status).
    dated: Callable[[dt.date], tuple[Property, ...]] | None = None

    def properties_for(self, today: dt.date) -> tuple[Property, ...]:
        return self.properties + (self.dated(today) if self.dated else ())

    @property
    def property_names(self) -> list[str]:
        return [p.name for p in self.properties_for(dt.date.today())]

    def property(self, name: str) -> Property | None:
        return next((p for p in self.properties_for(dt.date.today()) if p.name == name), None)

    def queryset(self, partnership: Partnership, today: dt.date | None = None) -> QuerySet:
        """The set's rows for the partnership, each a dict of property name to value, in key order."""
        today = today or timezone.localdate()
        properties = self.properties_for(today)
        annotations = {p.name: F(p.source) if isinstance(p.source, str) else p.source for p in properties}
        return self.rows(partnership, today).annotate(**annotations).order_by("Id").values(*[p.name for p in properties])


def _actions(partnership: Partnership, today: dt.date) -> QuerySet:
    return Action.objects.filter(strategy__partnership=partnership)


def _action_properties() -> tuple[Property, ...]:
    return (
        Property("Id", "int", "pk", nullable=False),
        Property("StrategyId", "int", "strategy_id", nullable=False),
        Property("Strategy", "str", "strategy__name", nullable=False),
        Property("Ref", "str", "ref", nullable=False),
        Property("Text", "str", "text", nullable=False),
        Property("Priority", "str", "group__priority__name"),
        Property("DeliveryGroupId", "int", "group_id", nullable=False),
        Property("DeliveryGroup", "str", "group__name", nullable=False),
        # Null, as declared, when the action has no owner or the plan wrote no due date; never "".
        Property("Owners", "str", StringAgg("owners__title", delimiter="; ", order_by="owners__title", default=None)),
        Property(
            "Organisations",
            "str",
            StringAgg("owners__organisation__name", delimiter="; ", distinct=True, order_by="owners__organisation__name", default=None),
        ),
        Property("DueDate", "date", "due_date"),
        Property("Due", "str", NullIf("due_text", Value(""))),
        Property("Rating", "str", "rating__label", nullable=False),
        Property("Progress", "str", rules.classification(), nullable=False),
        Property("RatingIsComplete", "bool", "rating__is_complete", nullable=False),
        Property("RatingIsRisk", "bool", "rating__is_risk", nullable=False),
        Property("OverdueSince", "date", "overdue_since"),
        Property("UpdatedAt", "datetime", "updated_at", nullable=False),
    )


def _action_status(today: dt.date) -> tuple[Property, ...]:
    """The rule book's status of each action as at `today` (actions/rules.py): one definition for every page and the feed."""
    rule = rules.conditions(today)
    return (
        Property("IsOverdue", "bool", rules.flag(rule["overdue"]), nullable=False),
        Property("IsDueSoon", "bool", rules.flag(rule["due_soon"]), nullable=False),
        Property("IsOnTrackButOverdue", "bool", rules.flag(rule["inconsistent"]), nullable=False),
        Property("NeedsUpdate", "bool", rules.flag(rule["needs_update"]), nullable=False),
        Property("IsUnallocated", "bool", rules.flag(rule["unallocated"]), nullable=False),
        Property("HasNoDueDate", "bool", rules.flag(rule["no_due_date"]), nullable=False),
    )


def _achieved():
    """The latest figure entered for the saving's mitigation and year."""
    latest = FinanceActual.objects.filter(mitigation=OuterRef("mitigation_id"), year=OuterRef("year")).order_by(
        "-as_at", "-entered_at", "-id"
    )
    return Subquery(latest.values("achieved")[:1])


def _mitigation_status(today: dt.date) -> tuple[Property, ...]:
    """Whether an action that delivers the saving's mitigation is at risk or overdue as at `today` (actions/jeopardy.py)."""
    delivering = Mitigation.actions.through.objects.filter(
        mitigation=OuterRef("mitigation_id"), action__in=Action.everything.filter(jeopardy.in_jeopardy(today))
    )
    return (Property("IsAtRisk", "bool", rules.flag(Q(Exists(delivering))), nullable=False),)


def _risks(partnership: Partnership, today: dt.date) -> QuerySet:
    # Restricted risks (commercial or personal) never leave the product through the feed.
    return risk_rules.with_scores(Risk.objects.filter(strategy__partnership=partnership, restricted=False))


def _risk_status(today: dt.date) -> tuple[Property, ...]:
    """The register's rules as at `today` (risks/rules.py)."""
    return (
        Property("IsReviewOverdue", "bool", risk_rules.flag(risk_rules.review_overdue(today)), nullable=False),
        Property("HasMitigationsAtRiskAboveTarget", "bool", risk_rules.flag(risk_rules.actions_in_jeopardy(today)), nullable=False),
    )


ENTITY_SETS: dict[str, EntitySet] = {
    s.name: s
    for s in [
        EntitySet(
            "Actions",
            "Action",
            "Every action of the partnership's strategies, with its status as at the day it is read.",
            _action_properties(),
            _actions,
            _action_status,
        ),
        EntitySet(
            "Updates",
            "Update",
            "Every recorded change of an action's rating or narrative.",
            (
                Property("Id", "int", "pk", nullable=False),
                Property("ActionId", "int", "action_id", nullable=False),
                Property("ActionRef", "str", "action__ref", nullable=False),
                Property("StrategyId", "int", "action__strategy_id", nullable=False),
                Property("CreatedAt", "datetime", "created_at", nullable=False),
                Property("RatingBefore", "str", "rating_before__label"),
                Property("RatingAfter", "str", "rating_after__label", nullable=False),
                Property("Narrative", "str", "narrative", nullable=False),
                Property("Source", "str", "source", nullable=False),
            ),
            lambda partnership, today: ActionUpdate.objects.filter(action__strategy__partnership=partnership),
        ),
        EntitySet(
            "DeliveryGroups",
            "DeliveryGroup",
            "Delivery groups (and sub-groups) of the partnership's strategies.",
            (
                Property("Id", "int", "pk", nullable=False),
                Property("StrategyId", "int", "strategy_id", nullable=False),
                Property("Strategy", "str", "strategy__name", nullable=False),
                Property("Priority", "str", "priority__name"),
                Property("Name", "str", "name", nullable=False),
                Property("ParentId", "int", "parent_id"),
                Property("Position", "int", "position", nullable=False),
            ),
            lambda partnership, today: DeliveryGroup.objects.filter(strategy__partnership=partnership),
        ),
        EntitySet(
            "KpiValues",
            "KpiValue",
            "The value that stands for each KPI's period, with the benchmarks entered beside it.",
            (
                Property("Id", "int", "pk", nullable=False),
                Property("KpiId", "int", "indicator_id", nullable=False),
                Property("KpiCode", "str", "indicator__code", nullable=False),
                Property("Kpi", "str", "indicator__name", nullable=False),
                Property("StrategyId", "int", "indicator__strategy_id", nullable=False),
                Property("Period", "str", "period", nullable=False),
                Property("PeriodStart", "date", "period_start", nullable=False),
                Property("Value", "decimal", "value", nullable=False),
                Property("Unit", "str", "indicator__unit", nullable=False),
                Property("Target", "decimal", "indicator__target"),
                Property("England", "decimal", "england"),
                Property("Region", "decimal", "region"),
                Property("StatisticalNeighbours", "decimal", "statistical_neighbours"),
                Property("EnteredAt", "datetime", "entered_at", nullable=False),
            ),
            lambda partnership, today: KpiValue.objects.current().filter(indicator__strategy__partnership=partnership),
        ),
        EntitySet(
            "Benchmarks",
            "Benchmark",
            "How each KPI's period compares with England, the region and the statistical neighbours, with the rank.",
            (
                Property("Id", "int", "pk", nullable=False),
                Property("KpiId", "int", "indicator_id", nullable=False),
                Property("KpiCode", "str", "indicator__code", nullable=False),
                Property("Period", "str", "period", nullable=False),
                Property("PeriodStart", "date", "period_start", nullable=False),
                Property("England", "decimal", "england"),
                Property("Region", "decimal", "region"),
                Property("RegionName", "str", "region_name", nullable=False),
                Property("NeighboursAverage", "decimal", "neighbours_average"),
                Property("NeighboursCounted", "int", "neighbours_counted", nullable=False),
                Property("Rank", "int", "rank"),
                Property("Ranked", "int", "ranked"),
            ),
            lambda partnership, today: Benchmark.objects.filter(indicator__strategy__partnership=partnership),
        ),
        EntitySet(
            "Snapshots",
            "Snapshot",
            "Reporting snapshots: the plan frozen as at a date.",
            (
                Property("Id", "int", "pk", nullable=False),
                Property("StrategyId", "int", "strategy_id", nullable=False),
                Property("AsAt", "date", "as_at", nullable=False),
                Property("TakenAt", "datetime", "taken_at", nullable=False),
                Property("Note", "str", "note", nullable=False),
            ),
            lambda partnership, today: Snapshot.objects.filter(strategy__partnership=partnership),
        ),
        EntitySet(
            "SnapshotItems",
            "SnapshotItem",
            "Each action as it stood in a snapshot.",
            (
                Property("Id", "int", "pk", nullable=False),
                Property("SnapshotId", "int", "snapshot_id", nullable=False),
                Property("AsAt", "date", "snapshot__as_at", nullable=False),
                Property("ActionId", "int", "action_id", nullable=False),
                Property("Ref", "str", "ref", nullable=False),
                Property("DeliveryGroupId", "int", "group_id", nullable=False),
                Property("Owners", "str", "owners", nullable=False),
                Property("DueDate", "date", "due_date"),
                Property("Rating", "str", "rating__label", nullable=False),
                Property("LastUpdatedAt", "datetime", "last_updated_at"),
            ),
            lambda partnership, today: SnapshotAction.objects.filter(snapshot__strategy__partnership=partnership),
        ),
        EntitySet(
            "Risks",
            "Risk",
            "The risk register of the partnership's strategies, with scores and the rules' flags as at the day it is read. "
            "Restricted risks are left out.",
            (
                Property("Id", "int", "pk", nullable=False),
                Property("StrategyId", "int", "strategy_id", nullable=False),
                Property("Ref", "str", "ref", nullable=False),
                Property("Title", "str", "title", nullable=False),
                Property("Category", "str", "category", nullable=False),
                Property("Owner", "str", "owner__title", nullable=False),
                Property("InherentScore", "int", "inherent", nullable=False),
                Property("ResidualLikelihood", "int", "residual_likelihood", nullable=False),
                Property("ResidualImpact", "int", "residual_impact", nullable=False),
                Property("ResidualScore", "int", "residual", nullable=False),
                Property("TargetScore", "int", "target", nullable=False),
                Property("ReviewDate", "date", "review_date", nullable=False),
                Property(
                    "MitigatingActions",
                    "str",
                    StringAgg("mitigating_actions__ref", delimiter="; ", order_by="mitigating_actions__ref", default=Value("")),
                ),
            ),
            _risks,
            _risk_status,
        ),
        EntitySet(
            "RiskScores",
            "RiskScore",
            "Every scoring of a risk, with its reason. Restricted risks' scores are left out.",
            (
                Property("Id", "int", "pk", nullable=False),
                Property("RiskId", "int", "risk_id", nullable=False),
                Property("RiskRef", "str", "risk__ref", nullable=False),
                Property("At", "datetime", "at", nullable=False),
                Property("InherentLikelihood", "int", "inherent_likelihood", nullable=False),
                Property("InherentImpact", "int", "inherent_impact", nullable=False),
                Property("ResidualLikelihood", "int", "residual_likelihood", nullable=False),
                Property("ResidualImpact", "int", "residual_impact", nullable=False),
                Property("Reason", "str", "reason", nullable=False),
            ),
            lambda partnership, today: RiskScore.objects.filter(risk__strategy__partnership=partnership, risk__restricted=False),
        ),
        EntitySet(
            "Mitigations",
            "Mitigation",
            "Each finance plan mitigation's planned saving per year, with what it has achieved (its latest figure).",
            (
                Property("Id", "int", "pk", nullable=False),
                Property("MitigationId", "int", "mitigation_id", nullable=False),
                Property("StrategyId", "int", "mitigation__plan__strategy_id", nullable=False),
                Property("Ref", "str", "mitigation__ref", nullable=False),
                Property("Title", "str", "mitigation__title", nullable=False),
                Property("IsIllustrative", "bool", "mitigation__is_illustrative", nullable=False),
                Property("Year", "int", "year", nullable=False),
                Property("Planned", "decimal", "planned", nullable=False),
                Property("Achieved", "decimal", _achieved()),
            ),
            lambda partnership, today: MitigationSaving.objects.filter(mitigation__plan__strategy__partnership=partnership),
            _mitigation_status,
        ),
    ]
}
