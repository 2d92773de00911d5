"""The risk register as a table for a spreadsheet export: restricted risks never leave the product this way."""

from __future__ import annotations

import datetime as dt

from actions.models import Strategy
from intake.tables import cell_escape
from risks import reads
from risks.models import Risk

RISK_COLUMNS = [
    "Ref",
    "Risk",
    "Category",
    "Owner",
    "Cause",
    "Effect",
    "Score before controls",
    "Likelihood now",
    "Impact now",
    "Score now",
    "Target score",
    "Controls",
    "Mitigating actions",
    "Review date",
    "Flags",
]


def risks_table(strategy: Strategy, today: dt.date) -> list[list[str]]:
    table = [list(RISK_COLUMNS)]
    for row in reads.risk_rows(Risk.objects.filter(strategy=strategy, restricted=False), today):
        risk = row.risk
        cells = [
            risk.ref,
            risk.title,
            risk.get_category_display(),
            risk.owner.title,
            risk.cause,
            risk.effect,
            str(risk.inherent_score),
            str(risk.residual_likelihood),
            str(risk.residual_impact),
            str(risk.residual_score),
            str(risk.target_score),
            risk.controls,
            "; ".join(f"{action.ref} ({words.lower()})" for action, words in row.actions),
            risk.review_date.isoformat(),
            "; ".join(row.flags),
        ]
        table.append([cell_escape(cell) for cell in cells])
    return table
