"""The risk register as a table for a spreadsheet export: restricted risks only for those who may read them, the open ones
first and then the closed ones, each saying when it was closed and why."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from actions.models import Strategy
from intake.tables import Cell, DateCell, NumberCell, cells_escaped
from people.models import Membership
from risks import reads, rules
from risks.access import risks_visible
from risks.models import Risk, RiskScale

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
    "Restricted",
    "Closed",
    "Why closed",
]


def _score(score: int) -> NumberCell:
    """A score as a whole number, so the register sorts 9 below 16 and 20."""
    return NumberCell(Decimal(score), str(score), "0")


def risks_table(strategy: Strategy, today: dt.date, *, user: User | None = None, membership: Membership | None = None) -> list[list[Cell]]:
    """The register's risks the person may read (with nobody given, none of the restricted ones): the open ones highest
    score first, then the closed ones."""
    risks = Risk.objects.filter(strategy=strategy)
    if user is None or membership is None:
        risks = risks.filter(restricted=False)
    else:
        risks = risks_visible(risks, user, membership, RiskScale.for_partnership(strategy.partnership_id))
    table = [list(RISK_COLUMNS)]
    # One read for both: the open ones first, each part highest score first.
    rows = sorted(reads.risk_rows(risks, today), key=lambda row: not rules.is_open(row.risk.closed_at))
    for row in rows:
        risk = row.risk
        closed_on = timezone.localdate(risk.closed_at) if risk.closed_at else None
        cells = [
            risk.ref,
            risk.title,
            risk.get_category_display(),
            risk.owner.title,
            risk.cause,
            risk.effect,
            _score(risk.inherent_score),
            _score(risk.residual_likelihood),
            _score(risk.residual_impact),
            _score(risk.residual_score),
            _score(risk.target_score),
            risk.controls,
            "; ".join(f"{action.ref} ({words.lower()})" for action, words in row.actions),
            DateCell(risk.review_date, risk.review_date.isoformat()),
            "; ".join(row.flags),
            "yes: do not share" if risk.restricted else "no",
            DateCell(closed_on, closed_on.isoformat()) if closed_on else "",
            risk.closed_reason,
        ]
        table.append(cells_escaped(cells))
    return table
