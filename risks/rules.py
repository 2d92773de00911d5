"""The risk register's rules, each written once as a database expression over Risk and its Python twin.

- Open: the risk has not been closed. A closed risk (its cause gone, or become
  an issue) stays on record but leaves the live register, the heat map, the top
  risks, the items for decision, snapshots and packs, and no rule flags it.
- Review overdue: the risk's review date is before today.
- Mitigations in jeopardy above target: the residual score is above the target
  score while at least one of the actions that mitigate it is in jeopardy
  (classed at risk or overdue, by actions/jeopardy.py over the rule book).

Pages, the feed, the pack and the dashboard's headline ask this module; a test
holds each expression and its twin to the same answer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q, QuerySet

from actions import jeopardy
from actions.models import Action
from actions.rules import flag
from risks.models import Risk

# Python twins ------------------------------------------------------------------------------------


def is_open(closed_at: dt.datetime | None) -> bool:
    return closed_at is None


def is_review_overdue(review_date: dt.date, today: dt.date, closed_at: dt.datetime | None = None) -> bool:
    return is_open(closed_at) and review_date < today


def is_above_target_with_actions_in_jeopardy(
    residual_score: int, target_score: int, actions: Iterable[Action], today: dt.date, closed_at: dt.datetime | None = None
) -> bool:
    """`actions` are the risk's mitigating actions, with their ratings."""
    return (
        is_open(closed_at)
        and residual_score > target_score
        and any(jeopardy.is_in_jeopardy(action.rating, action.due_date, today, retired=action.retired_at is not None) for action in actions)
    )


@dataclass(frozen=True)
class RiskStatus:
    review_overdue: bool = False
    actions_in_jeopardy: bool = False

    @property
    def flags(self) -> list[str]:
        found = []
        if self.review_overdue:
            found.append("Review overdue")
        if self.actions_in_jeopardy:
            found.append("Mitigating actions at risk, above target")
        return found


def status(risk: Risk, today: dt.date) -> RiskStatus:
    """A risk's status, from its prefetched mitigating actions (with their ratings)."""
    return RiskStatus(
        review_overdue=is_review_overdue(risk.review_date, today, risk.closed_at),
        actions_in_jeopardy=is_above_target_with_actions_in_jeopardy(
            risk.residual_score, risk.target_score, risk.mitigating_actions.all(), today, risk.closed_at
        ),
    )


# Database expressions, over Risk -----------------------------------------------------------------


def open_risk() -> Q:
    return Q(closed_at__isnull=True)


def review_overdue(today: dt.date) -> Q:
    return open_risk() & Q(review_date__lt=today)


def above_target() -> Q:
    return Q(residual_above_target__gt=0)


def actions_in_jeopardy(today: dt.date) -> Q:
    """Above target, and a mitigating action in jeopardy. Use on `with_scores(...)` querysets."""
    through = Risk.mitigating_actions.through.objects.filter(risk=OuterRef("pk"))
    in_jeopardy = through.filter(action__in=Action.everything.filter(jeopardy.in_jeopardy(today)))
    return open_risk() & above_target() & Q(Exists(in_jeopardy))


def with_scores(risks: QuerySet[Risk]) -> QuerySet[Risk]:
    """Each risk with its scores as columns (`residual`, `target`, `inherent`, `residual_above_target`) to order and filter by."""
    return risks.annotate(
        residual=F("residual_likelihood") * F("residual_impact"),
        target=F("target_likelihood") * F("target_impact"),
        inherent=F("inherent_likelihood") * F("inherent_impact"),
        residual_above_target=F("residual_likelihood") * F("residual_impact") - F("target_likelihood") * F("target_impact"),
    )


def with_status(risks: QuerySet[Risk], today: dt.date) -> QuerySet[Risk]:
    """Scores and one boolean per rule (`review_overdue`, `actions_in_jeopardy`), computed in the query."""
    return with_scores(risks).annotate(
        review_overdue=flag(review_overdue(today)),
        actions_in_jeopardy=flag(actions_in_jeopardy(today)),
    )


def status_of(risk: Risk) -> RiskStatus:
    """The status of a risk annotated by `with_status`."""
    return RiskStatus(review_overdue=risk.review_overdue, actions_in_jeopardy=risk.actions_in_jeopardy)
