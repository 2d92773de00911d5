"""Actual figures from a spreadsheet, read for the intake pipeline: every row checked first, then all added in one transaction or none.

Columns: mitigation (its ref), year (2025-26), as_at (30/09/2025), achieved (pounds), and optionally note.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from accounts.models import User
from actions.models import Strategy
from finance.models import FinanceActual, FinancePlan, Mitigation
from finance.money import MoneyError, as_at_problem, money_full, parse_money, parse_year, year_label
from intake.readers import Found
from intake.tables import ImportFileError, RowProblem, cell_problems, missing_columns, read_table

COLUMNS = ["mitigation", "year", "as_at", "achieved"]
MAX_ROWS = 2000
SHOWN_ROWS = 500
NOTE_LIMIT = FinanceActual._meta.get_field("note").max_length


def _date(text: str) -> dt.date | None:
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"):
        try:
            return dt.datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    return None


def _row_problems(number: int, row: dict[str, str], plan: FinancePlan, mitigations: dict[str, Mitigation]) -> tuple[list, dict]:
    """The row's problems by column, and its values once read."""
    ref, typed_year, typed_date, typed_amount = (row.get(c, "").strip() for c in COLUMNS)
    problems = cell_problems(number, row, {"note": NOTE_LIMIT})
    mitigation = mitigations.get(ref.casefold())
    if mitigation is None:
        problems.append(RowProblem(number, "mitigation", ref, f"There is no mitigation {ref or '(blank)'} in this plan"))
    year = parse_year(typed_year)
    if year is None:
        problems.append(RowProblem(number, "year", typed_year, "Enter a financial year such as 2025-26"))
    elif year not in plan.years:
        span = f"{year_label(plan.first_year)} to {year_label(plan.last_year)}"
        problems.append(RowProblem(number, "year", typed_year, f"{typed_year} is outside the plan's years ({span})"))
    as_at = _date(typed_date)
    if as_at is None:
        problems.append(RowProblem(number, "as_at", typed_date, "Enter the date as day/month/year, for example 30/09/2025"))
    elif year is not None and (problem := as_at_problem(year, as_at)):
        problems.append(RowProblem(number, "as_at", typed_date, problem))
    achieved: Decimal | None = None
    try:
        achieved = parse_money(typed_amount)
    except MoneyError as error:
        problems.append(RowProblem(number, "achieved", typed_amount, str(error)))
    values = {"mitigation": mitigation, "year": year, "as_at": as_at, "achieved": achieved, "note": row.get("note", "").strip()}
    return problems, values


def actuals_read(content: bytes, filename: str, strategy: Strategy) -> Found:
    """What the file would add, with every problem by row and column; writes nothing."""
    found = Found(shown={"rows": [], "count": 0}, plan=[])
    plan = FinancePlan.objects.filter(strategy=strategy).first()
    if plan is None:
        found.problems.append(RowProblem(0, "", "", "This strategy has no finance plan yet: set one up before adding figures."))
        return found
    try:
        table = read_table(content, filename, max_rows=MAX_ROWS)
    except ImportFileError as error:
        found.problems.append(RowProblem(error.row, "", "", str(error)))
        return found
    found.problems += missing_columns(table, COLUMNS)
    if found.problems:
        return found
    mitigations = {m.ref.casefold(): m for m in Mitigation.objects.filter(plan=plan)}
    for number, row in table[1:]:
        problems, values = _row_problems(number, row, plan, mitigations)
        if problems:
            found.problems += problems
            continue
        found.plan.append(values)
        if len(found.shown["rows"]) < SHOWN_ROWS:
            shown = {"row": number, "mitigation": values["mitigation"].ref, "year": year_label(values["year"])}
            found.shown["rows"].append({**shown, "as_at": f"{values['as_at']:%-d %b %Y}", "achieved": money_full(values["achieved"])})
    found.shown["count"] = len(found.plan)
    return found


def actuals_apply(found: Found, *, by: User | None) -> int:
    """Add every figure the file holds, in the caller's transaction; how many were added."""
    return len(FinanceActual.objects.bulk_create([FinanceActual(**values, entered_by=by) for values in found.plan]))
