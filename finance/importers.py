"""Actual figures from a spreadsheet: every row checked first, then all added in one transaction or none.

Columns: mitigation (its ref), year (2025-26), as_at (30/09/2025), achieved (pounds), and optionally note.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from accounts.models import User
from finance.models import FinanceActual, FinancePlan, Mitigation
from finance.money import MoneyError, money_full, parse_money, parse_year, year_label
from intake.tables import ImportFileError, RowProblem, missing_columns, read_table

COLUMNS = ["mitigation", "year", "as_at", "achieved"]
MAX_ROWS = 2000


@dataclass
class Loaded:
    rows: list[dict] = field(default_factory=list)  # what would be added, as the preview shows it
    problems: list[RowProblem] = field(default_factory=list)
    created: int = 0


def _date(text: str) -> dt.date | None:
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"):
        try:
            return dt.datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    return None


def actuals_import(content: bytes, filename: str, plan: FinancePlan, *, apply: bool = True, by: User | None = None) -> Loaded:
    """Read and check every row; with `apply`, add them all (or, if any row has a problem, none)."""
    loaded = Loaded()
    try:
        table = read_table(content, filename, max_rows=MAX_ROWS)
    except ImportFileError as error:
        loaded.problems.append(RowProblem(error.row, "", "", str(error)))
        return loaded
    loaded.problems += missing_columns(table, COLUMNS)
    if loaded.problems:
        return loaded
    mitigations = {m.ref.casefold(): m for m in Mitigation.objects.filter(plan=plan)}
    actuals = []
    for number, row in table[1:]:
        ref, typed_year, typed_date, typed_amount = (row.get(c, "").strip() for c in COLUMNS)
        problems = []
        mitigation = mitigations.get(ref.casefold())
        if mitigation is None:
            problems.append(RowProblem(number, "mitigation", ref, f"There is no mitigation {ref or '(blank)'} in this plan"))
        year = parse_year(typed_year)
        if year is None:
            problems.append(RowProblem(number, "year", typed_year, "Enter a financial year such as 2025-26"))
        elif year not in plan.years:
            problems.append(
                RowProblem(
                    number,
                    "year",
                    typed_year,
                    f"{typed_year} is outside the plan's years ({year_label(plan.first_year)} to {year_label(plan.last_year)})",
                )
            )
        as_at = _date(typed_date)
        if as_at is None:
            problems.append(RowProblem(number, "as_at", typed_date, "Enter the date as day/month/year, for example 30/09/2025"))
        try:
            achieved: Decimal | None = parse_money(typed_amount)
        except MoneyError as error:
            achieved = None
            problems.append(RowProblem(number, "achieved", typed_amount, str(error)))
        if problems:
            loaded.problems += problems
            continue
        actuals.append(
            FinanceActual(mitigation=mitigation, year=year, as_at=as_at, achieved=achieved, note=row.get("note", "")[:300], entered_by=by)
        )
        loaded.rows.append(
            {
                "row": number,
                "mitigation": mitigation.ref,
                "year": year_label(year),
                "as_at": as_at.isoformat(),
                "achieved": money_full(achieved),
            }
        )
    if apply and not loaded.problems:
        with transaction.atomic():
            loaded.created = len(FinanceActual.objects.bulk_create(actuals))
    return loaded
