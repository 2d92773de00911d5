"""Writes to the risk register: adding a risk, re-scoring it with a reason, closing and reopening it, and freezing the
register into a snapshot."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from actions.models import Action, Snapshot
from risks import rules
from risks.models import Risk, RiskScore, SnapshotRisk

SCORE_FIELDS = ("inherent_likelihood", "inherent_impact", "residual_likelihood", "residual_impact")


class RiskRefusedError(Exception):
    """A change the register refuses, with the words that say why. Nothing was saved."""

    words = ""

    def __init__(self) -> None:
        super().__init__(self.words)


class RiskChangedError(RiskRefusedError):
    """Someone else changed the risk since the form was opened."""

    words = "Someone else changed this risk since you opened it. Nothing was saved: check what is there now and try again"


class RiskClosedError(RiskRefusedError):
    """The risk is closed: it is not changed, re-scored or closed again until it is reopened."""

    @staticmethod
    def said_of(subject: str) -> str:
        """The refusal, said of the risk as the page names it ("Risk R3")."""
        return f"{subject} is closed, so it cannot be changed, re-scored or closed again. Reopen it if it applies again"

    words = said_of("This risk")


class RiskOpenError(RiskRefusedError):
    """The risk is open already: there is nothing to reopen."""

    words = "This risk is open already: there is nothing to reopen"


def _current(risk: Risk, version: int | None) -> Risk:
    """The risk as it now stands, locked for the change, unless someone else changed it since `version` was read."""
    current = Risk.objects.select_for_update().get(pk=risk.pk)
    if version is not None and current.version != version:
        raise RiskChangedError
    return current


def _saved(current: Risk) -> Risk:
    current.version += 1
    current.updated_at = timezone.now()
    current.save()
    return current


def _open_required(current: Risk) -> None:
    if not rules.is_open(current.closed_at):
        raise RiskClosedError


def _score_record(risk: Risk, *, by: User | None, reason: str, at: dt.datetime | None) -> RiskScore:
    """The risk's scores as they now stand, kept in its history with who and why (now, unless `at` says when)."""
    scores = {name: getattr(risk, name) for name in SCORE_FIELDS}
    return RiskScore.objects.create(risk=risk, by=by, reason=reason, at=at or timezone.now(), **scores)


@transaction.atomic
def risk_create(
    *,
    risk: Risk,
    actions: list[Action],
    by: User | None,
    reason: str = "First scored when added to the register.",
    at: dt.datetime | None = None,
) -> Risk:
    """Save a new risk with its mitigating actions, and its first scoring in the history (now, unless `at` says when)."""
    risk.save()
    risk.mitigating_actions.set(actions)
    _score_record(risk, by=by, reason=reason, at=at)
    return risk


@transaction.atomic
def risk_change(*, risk: Risk, version: int | None, fields: dict, actions: list[Action]) -> Risk:
    """Change what a risk says (not its scores), unless someone else changed it since `version` was read, or it is closed."""
    current = _current(risk, version)
    _open_required(current)
    for name, value in fields.items():
        setattr(current, name, value)
    _saved(current)
    current.mitigating_actions.set(actions)
    return current


@transaction.atomic
def risk_rescore(
    *,
    risk: Risk,
    version: int | None,
    scores: dict[str, int],
    reason: str,
    by: User | None,
    at: dt.datetime | None = None,
    review_date: dt.date | None = None,
) -> Risk:
    """Record a new scoring with its reason (the history keeps every one) and make it the risk's current score.

    It is dated now, unless `at` says when (the demo's history). A re-scoring is a review: `review_date` is the next one.
    A closed risk is not re-scored."""
    current = _current(risk, version)
    _open_required(current)
    for name in SCORE_FIELDS:
        setattr(current, name, scores.get(name, getattr(current, name)))
    if review_date is not None:
        current.review_date = review_date
    _saved(current)
    _score_record(current, by=by, reason=reason, at=at)
    return current


@transaction.atomic
def risk_close(*, risk: Risk, version: int | None, reason: str, by: User | None, at: dt.datetime | None = None) -> Risk:
    """Close a risk that no longer applies, with who closed it and why (now, unless `at` says when).

    It stays on record with its scores and history, and leaves the live register until it is reopened."""
    current = _current(risk, version)
    _open_required(current)
    current.closed_at = at or timezone.now()
    current.closed_by = by
    current.closed_reason = reason.strip()
    return _saved(current)


@transaction.atomic
def risk_reopen(*, risk: Risk, version: int | None) -> Risk:
    """Put a closed risk back on the live register as it stood; the history keeps its closing (pghistory's RiskEvent)."""
    current = _current(risk, version)
    if rules.is_open(current.closed_at):
        raise RiskOpenError
    current.closed_at = None
    current.closed_by = None
    current.closed_reason = ""
    return _saved(current)


def snapshot_risks(snapshot: Snapshot) -> int:
    """Freeze the strategy's open risks into the snapshot (part of taking a snapshot): one read and one batched insert."""
    frozen = (
        Risk.objects.filter(rules.open_risk(), strategy_id=snapshot.strategy_id)
        .order_by()
        .values(
            "pk",
            "ref",
            "title",
            "category",
            "review_date",
            "restricted",
            "target_likelihood",
            "target_impact",
            *SCORE_FIELDS,
            owner_title=F("owner__title"),
        )
    )
    created = SnapshotRisk.objects.bulk_create(
        [
            SnapshotRisk(
                snapshot=snapshot,
                risk_id=row.pop("pk"),
                owner=row.pop("owner_title"),
                **row,
            )
            for row in frozen
        ]
    )
    return len(created)
