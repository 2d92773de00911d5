"""The finance plan as tables for a spreadsheet: its years, its mitigations year by year and the actual figures, to the penny."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from actions.models import Strategy
from finance import reads
from finance.models import FinanceActual
from finance.money import year_label
from intake.tables import Cell, DateCell, NumberCell, cells_escaped

MITIGATION_COLUMNS = ["Ref", "Mitigation", "Illustrative", "Year", "Planned (£)", "Achieved (£)", "At risk", "Delivered by"]
YEAR_COLUMNS = [
    "Year",
    "Grant (£)",
    "Unmitigated forecast (£)",
    "Target forecast (£)",
    "Planned savings (£)",
    "Achieved savings (£)",
    "Savings at risk (£)",
    "Forecast with planned savings (£)",
    "Forecast with achieved savings (£)",
]
ACTUAL_COLUMNS = ["Mitigation", "Year", "As at", "Achieved (£)", "Note", "Entered by", "Entered"]
ACTUALS_LIMIT = 10_000


def _pounds(amount: Decimal | None) -> Cell:
    """An amount as a number the workbook can add up, to the penny; none as an empty cell."""
    return "" if amount is None else NumberCell(amount, f"{amount:.2f}")


def mitigations_table(strategy: Strategy, today: dt.date, summary: reads.FinanceSummary | None = None) -> list[list[Cell]]:
    table = [list(MITIGATION_COLUMNS)]
    summary = summary or reads.finance_summary(strategy, today=today)
    if summary is None:
        return table
    for row in summary.mitigations:
        m = row.mitigation
        for year in sorted(row.planned.keys() | row.achieved.keys()):
            cells = [
                m.ref,
                m.title,
                "yes" if m.is_illustrative else "no",
                year_label(year),
                _pounds(row.planned.get(year, Decimal(0))),
                _pounds(row.achieved.get(year)),
                "yes" if row.at_risk else "no",
                "; ".join(action.ref for action, _words in row.actions),
            ]
            table.append(cells_escaped(cells))
    return table


def years_table(summary: reads.FinanceSummary | None) -> list[list[Cell]]:
    """Each year of the plan: the grant, the forecasts and the savings planned, achieved and at risk."""
    table = [list(YEAR_COLUMNS)]
    for row in summary.years if summary else []:
        amounts = (row.grant, row.unmitigated, row.target, row.planned, row.achieved, row.at_risk)
        table.append([row.label, *map(_pounds, amounts), _pounds(row.planned_forecast), _pounds(row.achieved_forecast)])
    return table


def actuals_table(summary: reads.FinanceSummary | None) -> list[list[Cell]]:
    """Every actual figure entered, newest first: corrections are new entries, so the history is all here."""
    table: list[list[Cell]] = [list(ACTUAL_COLUMNS)]
    if summary is None:
        return table
    actuals = (
        FinanceActual.objects.filter(mitigation__plan=summary.plan)
        .select_related("mitigation", "entered_by")
        .order_by("-entered_at", "-id")[:ACTUALS_LIMIT]
    )
    for actual in actuals:
        entered = timezone.localtime(actual.entered_at).date()
        as_at = DateCell(actual.as_at, actual.as_at.strftime("%d/%m/%Y"))
        cells = [actual.mitigation.ref, year_label(actual.year), as_at, _pounds(actual.achieved), actual.note, str(actual.entered_by or "")]
        table.append(cells_escaped([*cells, DateCell(entered, entered.strftime("%d/%m/%Y"))]))
    return table


def finance_sheets(strategy: Strategy, today: dt.date) -> list[tuple[str, list[list[Cell]]]]:
    """The finance plan's sheets of the strategy's workbook, none when it has no finance plan."""
    summary = reads.finance_summary(strategy, today=today)
    if summary is None:
        return []
    return [
        ("Finance years", years_table(summary)),
        ("Mitigations", mitigations_table(strategy, today, summary)),
        ("Actual figures", actuals_table(summary)),
    ]
