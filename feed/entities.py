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
from kpis.models import Benchmark, Indicator, KpiValue
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


def properties(table: str, **expressions) -> tuple[Property, ...]:
    """Properties written one a line as "Name kind source": a kind ending in "?" may be null; a line with no source
    takes the query expression passed under its name.
    """
    found = []
    for line in table.strip().splitlines():
        name, kind, *source = line.split()
        found.append(Property(name, kind.rstrip("?"), source[0] if source else expressions[name], nullable=kind.endswith("?")))
    return tuple(found)


def flags(**conditions: Q) -> tuple[Property, ...]:
    """A true/false property (never null) for each rule's condition, under its name."""
    return tuple(Property(name, "bool", rules.flag(condition), nullable=False) for name, condition in conditions.items())


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
    # Owners, Organisations and Due are null, as declared, when the action has no owner or the plan wrote no due date; never "".
    return properties(
        """
        Id int pk
        StrategyId int strategy_id
        Strategy str strategy__name
        Ref str ref
        Text str text
        Priority str? group__priority__name
        DeliveryGroupId int group_id
        DeliveryGroup str group__name
        Owners str?
        Organisations str?
        DueDate date? due_date
        Due str?
        Rating str rating__label
        Progress str
        RatingIsComplete bool rating__is_complete
        RatingIsRisk bool rating__is_risk
        OverdueSince date? overdue_since
        UpdatedAt datetime updated_at
        """,
        Owners=StringAgg("owners__title", delimiter="; ", order_by="owners__title", default=None),
        Organisations=StringAgg(
            "owners__organisation__name", delimiter="; ", distinct=True, order_by="owners__organisation__name", default=None
        ),
        Due=NullIf("due_text", Value("")),
        Progress=rules.classification(),
    )


def _action_status(today: dt.date) -> tuple[Property, ...]:
    """The rule book's status of each action as at `today` (actions/rules.py): one definition for every page and the feed."""
    rule = rules.conditions(today)
    return flags(
        IsOverdue=rule["overdue"],
        IsDueSoon=rule["due_soon"],
        IsOnTrackButOverdue=rule["inconsistent"],
        NeedsUpdate=rule["needs_update"],
        IsUnallocated=rule["unallocated"],
        HasNoDueDate=rule["no_due_date"],
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
    return flags(IsAtRisk=Q(Exists(delivering)))


def _risks(partnership: Partnership, today: dt.date) -> QuerySet:
    # Restricted risks (commercial or personal) never leave the product through the feed.
    return risk_rules.with_scores(Risk.objects.filter(strategy__partnership=partnership, restricted=False))


def _risk_status(today: dt.date) -> tuple[Property, ...]:
    """The register's rules as at `today` (risks/rules.py)."""
    return flags(IsReviewOverdue=risk_rules.review_overdue(today), HasMitigationsAtRiskAboveTarget=risk_rules.actions_in_jeopardy(today))


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
            properties(
                """
                Id int pk
                ActionId int action_id
                ActionRef str action__ref
                StrategyId int action__strategy_id
                CreatedAt datetime created_at
                RatingBefore str? rating_before__label
                RatingAfter str rating_after__label
                Narrative str narrative
                Source str source
                """
            ),
            lambda partnership, today: ActionUpdate.objects.filter(action__strategy__partnership=partnership),
        ),
        EntitySet(
            "DeliveryGroups",
            "DeliveryGroup",
            "Delivery groups (and sub-groups) of the partnership's strategies.",
            properties(
                """
                Id int pk
                StrategyId int strategy_id
                Strategy str strategy__name
                Priority str? priority__name
                Name str name
                ParentId int? parent_id
                Position int position
                """
            ),
            lambda partnership, today: DeliveryGroup.objects.filter(strategy__partnership=partnership),
        ),
        EntitySet(
            "Kpis",
            "Kpi",
            "Each KPI of the partnership's strategies as defined: what counts as better, its target and how far short is amber.",
            properties(
                """
                Id int pk
                StrategyId int strategy_id
                Code str code
                Name str name
                Unit str unit
                Direction str direction
                Frequency str frequency
                Source str source
                SourceDetail str source_detail
                BaselineValue decimal? baseline_value
                BaselinePeriod str baseline_period
                Target decimal? target
                Tolerance decimal? tolerance
                StretchAim decimal? stretch_aim
                """
            ),
            lambda partnership, today: Indicator.objects.filter(strategy__partnership=partnership),
        ),
        EntitySet(
            "KpiValues",
            "KpiValue",
            "The value that stands for each KPI's period, its RAG against the target (Status), and the benchmarks entered beside it.",
            properties(
                """
                Id int pk
                KpiId int indicator_id
                KpiCode str indicator__code
                Kpi str indicator__name
                StrategyId int indicator__strategy_id
                Period str period
                PeriodStart date period_start
                Value decimal value
                Unit str indicator__unit
                Target decimal? indicator__target
                Status str
                England decimal? england
                Region decimal? region
                StatisticalNeighbours decimal? statistical_neighbours
                EnteredAt datetime entered_at
                """,
                # The scorecard's RAG of the value against the KPI's target and tolerance (Indicator.rag).
                Status=Indicator.rag_expression(),
            ),
            lambda partnership, today: KpiValue.objects.current().filter(indicator__strategy__partnership=partnership),
        ),
        EntitySet(
            "Benchmarks",
            "Benchmark",
            "How each KPI's period compares with England, the region and the statistical neighbours, with the rank.",
            properties(
                """
                Id int pk
                KpiId int indicator_id
                KpiCode str indicator__code
                Period str period
                PeriodStart date period_start
                England decimal? england
                Region decimal? region
                RegionName str region_name
                NeighboursAverage decimal? neighbours_average
                NeighboursCounted int neighbours_counted
                Rank int? rank
                Ranked int? ranked
                """
            ),
            lambda partnership, today: Benchmark.objects.filter(indicator__strategy__partnership=partnership),
        ),
        EntitySet(
            "Snapshots",
            "Snapshot",
            "Reporting snapshots: the plan frozen as at a date.",
            properties(
                """
                Id int pk
                StrategyId int strategy_id
                AsAt date as_at
                TakenAt datetime taken_at
                Note str note
                """
            ),
            lambda partnership, today: Snapshot.objects.filter(strategy__partnership=partnership),
        ),
        EntitySet(
            "SnapshotItems",
            "SnapshotItem",
            "Each action as it stood in a snapshot.",
            properties(
                """
                Id int pk
                SnapshotId int snapshot_id
                AsAt date snapshot__as_at
                ActionId int action_id
                Ref str ref
                DeliveryGroupId int group_id
                Owners str owners
                DueDate date? due_date
                Rating str rating__label
                LastUpdatedAt datetime? last_updated_at
                """
            ),
            lambda partnership, today: SnapshotAction.objects.filter(snapshot__strategy__partnership=partnership),
        ),
        EntitySet(
            "Risks",
            "Risk",
            "The risk register of the partnership's strategies, with scores and the rules' flags as at the day it is read. "
            "A closed risk stays with the time it was closed (ClosedAt, null while open) and no flags: "
            "filter on ClosedAt eq null for the live register. Restricted risks are left out.",
            properties(
                """
                Id int pk
                StrategyId int strategy_id
                Ref str ref
                Title str title
                Category str category
                Owner str owner__title
                InherentScore int inherent
                ResidualLikelihood int residual_likelihood
                ResidualImpact int residual_impact
                ResidualScore int residual
                TargetScore int target
                ReviewDate date review_date
                MitigatingActions str?
                ClosedAt datetime? closed_at
                """,
                MitigatingActions=StringAgg(
                    "mitigating_actions__ref", delimiter="; ", order_by="mitigating_actions__ref", default=Value("")
                ),
            ),
            _risks,
            _risk_status,
        ),
        EntitySet(
            "RiskScores",
            "RiskScore",
            "Every scoring of a risk, with its reason. Restricted risks' scores are left out.",
            properties(
                """
                Id int pk
                RiskId int risk_id
                RiskRef str risk__ref
                At datetime at
                InherentLikelihood int inherent_likelihood
                InherentImpact int inherent_impact
                ResidualLikelihood int residual_likelihood
                ResidualImpact int residual_impact
                Reason str reason
                """
            ),
            lambda partnership, today: RiskScore.objects.filter(risk__strategy__partnership=partnership, risk__restricted=False),
        ),
        EntitySet(
            "Mitigations",
            "Mitigation",
            "Each finance plan mitigation's planned saving per year, with what it has achieved (its latest figure).",
            properties(
                """
                Id int pk
                MitigationId int mitigation_id
                StrategyId int mitigation__plan__strategy_id
                Ref str mitigation__ref
                Title str mitigation__title
                IsIllustrative bool mitigation__is_illustrative
                Year int year
                Planned decimal planned
                Achieved decimal?
                """,
                Achieved=_achieved(),
            ),
            lambda partnership, today: MitigationSaving.objects.filter(mitigation__plan__strategy__partnership=partnership),
            _mitigation_status,
        ),
    ]
}
