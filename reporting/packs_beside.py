"""The risk register's and the high-needs budget's pages of the board pack, in the slots the pack keeps for them."""

from __future__ import annotations

from finance.models import FinancePlan
from reporting.sections import fill_section
from risks.models import SnapshotRisk


def _risks(context: dict) -> dict:
    snapshot = context["snapshot"]
    return {"pack_has_risks": SnapshotRisk.objects.filter(snapshot=snapshot, restricted=False).exists()}


def _finance(context: dict) -> dict:
    return {"pack_has_finance": FinancePlan.objects.filter(strategy_id=context["snapshot"].strategy_id).exists()}


def sections_fill() -> None:
    fill_section(
        "risks",
        template="reporting/pdf/sections/risks.html",
        provider=_risks,
        summary="The top risks, the heat map and the risks that moved",
        when="pack_has_risks",
    )
    fill_section(
        "finance",
        template="reporting/pdf/sections/finance.html",
        provider=_finance,
        summary="The forecast and the mitigations' savings against plan",
        when="pack_has_finance",
    )
