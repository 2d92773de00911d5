"""The finance plan's mitigations as a table for a spreadsheet export: one row per mitigation and year, exact to the penny."""

from __future__ import annotations

import datetime as dt

from actions.models import Strategy
from finance import reads
from finance.money import year_label
from intake.tables import cell_escape

MITIGATION_COLUMNS = ["Ref", "Mitigation", "Illustrative", "Year", "Planned (£)", "Achieved (£)", "At risk", "Delivered by"]


def mitigations_table(strategy: Strategy, today: dt.date) -> list[list[str]]:
    table = [list(MITIGATION_COLUMNS)]
    summary = reads.finance_summary(strategy, today=today)
    if summary is None:
        return table
    for row in summary.mitigations:
        m = row.mitigation
        for year in sorted(row.planned.keys() | row.achieved.keys()):
            achieved = row.achieved.get(year)
            cells = [
                m.ref,
                m.title,
                "yes" if m.is_illustrative else "no",
                year_label(year),
                f"{row.planned.get(year, 0):.2f}",
                "" if achieved is None else f"{achieved:.2f}",
                "yes" if row.at_risk else "no",
                "; ".join(action.ref for action, _words in row.actions),
            ]
            table.append([cell_escape(cell) for cell in cells])
    return table
