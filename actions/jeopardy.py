"""Whether an action puts at risk what depends on it: a risk it mitigates, a saving it delivers.

One definition, read by the risk register and the finance plan: an action is in
jeopardy when the rule book classes it "at risk", or when it is overdue. The
class comes from the rating's meaning (complete, at risk, not started, on track),
the overdue flag from actions/rules.py. Every other module asks here, so the
definition changes in one place.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import CharField, F, Q, Value
from django.db.models.functions import Coalesce

from actions import rules

COMPLETE, AT_RISK, NOT_STARTED, ON_TRACK = "complete", "at_risk", "not_started", "on_track"
CLASS_LABELS = {COMPLETE: "Complete", AT_RISK: "At risk", NOT_STARTED: "Not started", ON_TRACK: "On track"}


def classification(rating) -> str:
    """An action's one class, from the rule book (Python twin of `classification_expression`)."""
    return rules.classify(rating).value


def classification_expression(prefix: str = "") -> Coalesce:
    """The class as a column, over Action (or over a relation to it, with `prefix` such as "mitigating_actions__")."""
    return Coalesce(F(f"{prefix}rating__progress"), Value(rules.Progress.NOT_STARTED.value), output_field=CharField())


def is_in_jeopardy(rating, due_date: dt.date | None, today: dt.date, retired: bool = False) -> bool:
    """Python twin of `in_jeopardy`: live, and classed at risk or overdue."""
    return not retired and (classification(rating) == AT_RISK or rules.is_overdue(due_date, rating, today))


def in_jeopardy(today: dt.date) -> Q:
    """Over Action: classed at risk, or overdue. Retired actions are never in jeopardy (they no longer deliver)."""
    return (Q(rating__progress=rules.Progress.AT_RISK) | rules.overdue(today)) & Q(retired_at__isnull=True)


def described(action, today: dt.date) -> str:
    """An action's class in words, with "overdue" beside it when it is: "On track, overdue"."""
    words = CLASS_LABELS[classification(action.rating)]
    return f"{words}, overdue" if rules.is_overdue(action.due_date, action.rating, today) else words
