"""The risk register's and the high-needs budget's pack pages, their sheets of the workbook, and what their rules put to the board.

The pages and the items for decision register as this module loads: the pack's context (reporting.report) loads it.
"""

from __future__ import annotations

import datetime as dt

from accounts.models import User
from actions.models import Strategy
from finance import reads as finance_reads
from finance.exports import finance_sheets
from finance.models import FinancePlan
from finance.money import money_short
from intake.tables import Cell
from people.models import Membership
from reporting.for_decision import ForDecision, register_provider
from reporting.sections import section_filler
from risks import reads as risk_reads
from risks.exports import risks_table
from risks.models import SnapshotRisk


@section_filler(
    "risks",
    template="reporting/pdf/sections/risks.html",
    summary="the top risks, the heat map and the risks that moved",
    when="pack_has_risks",
)
def _risks(context: dict) -> dict:
    snapshot = context["snapshot"]
    return {"pack_has_risks": SnapshotRisk.objects.filter(snapshot=snapshot, restricted=False).exists()}


@section_filler(
    "finance",
    template="reporting/pdf/sections/finance.html",
    summary="the forecast and the mitigations' savings against plan",
    when="pack_has_finance",
)
def _finance(context: dict) -> dict:
    return {"pack_has_finance": FinancePlan.objects.filter(strategy_id=context["snapshot"].strategy_id).exists()}


@register_provider
def risks_for_decision(context: dict) -> list[ForDecision]:
    """Risks above target with a mitigating action at risk or overdue, or past their review (never a restricted one)."""
    snapshot = context["snapshot"]
    return [
        ForDecision(
            f"Risk {row.risk.ref}: {row.risk.title}",
            "; ".join(row.flags) + f" (scored {row.risk.residual_score}, target {row.risk.target_score}).",
            [action.ref for action, _ in row.actions],
            "Rule: risk register",
        )
        for row in risk_reads.for_decision(snapshot.strategy, snapshot.as_at)
    ]


@register_provider
def savings_for_decision(context: dict) -> list[ForDecision]:
    """Savings of the high-needs budget's mitigations put at risk by the actions that deliver them."""
    snapshot = context["snapshot"]
    return [
        ForDecision(
            f"Savings at risk: {row.mitigation.ref} {row.mitigation.title}",
            f"{money_short(row.planned_total)} planned; an action that delivers it is at risk or overdue.",
            [action.ref for action, _ in row.actions],
            "Rule: high-needs budget",
        )
        for row in finance_reads.savings_at_risk(snapshot.strategy, snapshot.as_at)
    ]


def beside_sheets(strategy: Strategy, user: User, membership: Membership, today: dt.date) -> list[tuple[str, list[list[Cell]]]]:
    """The strategy workbook's sheets after its actions: the risks the person may read, then the finance plan, where there are any."""
    risks = risks_table(strategy, today, user=user, membership=membership)
    return [*([("Risks", risks)] if len(risks) > 1 else []), *finance_sheets(strategy, today)]
