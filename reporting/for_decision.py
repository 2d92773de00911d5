"""What the board is asked to decide: the officer's own items, then what the rules raise.

Each provider reads the pack's context and returns items for decision. The
pack's own providers raise long-overdue actions, KPIs that crossed their target
or tolerance, groups where the families' view disagrees with the ratings and
organisations that have not signed off; another feature adds its own with
`register_provider` (a decorator).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from kpis.models import Rag

LONG_OVERDUE_DAYS = 90  # overdue for three months or more: the board decides what happens to it


@dataclass(frozen=True)
class ForDecision:
    title: str  # what the board is asked, in one line
    detail: str = ""  # why, in a sentence
    refs: list[str] = field(default_factory=list)  # the actions it is about
    source: str = ""  # who or which rule raised it


Provider = Callable[[dict], list[ForDecision]]
_PROVIDERS: list[Provider] = []


def register_provider(provider: Provider) -> Provider:
    """Add a provider of items for decision; usable as a decorator. Registering twice adds it once."""
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)
    return provider


def items_for_decision(context: dict, officer_items: list[str] = ()) -> list[ForDecision]:
    """The officer's items first, in the order written, then every provider's."""
    items = [ForDecision(text, source="Programme officer") for text in officer_items if text.strip()]
    for provider in _PROVIDERS:
        items.extend(provider(context))
    return items


def officer_items_from(text: str) -> list[str]:
    """One item per non-empty line of what the officer wrote on the pack request."""
    return [line.strip(" -*\t") for line in (text or "").splitlines() if line.strip(" -*\t")]


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


@register_provider
def long_overdue(context: dict) -> list[ForDecision]:
    as_at: dt.date = context["snapshot"].as_at
    found = [row for row in context["items"] if row.status.overdue and row.due_date and (as_at - row.due_date).days >= LONG_OVERDUE_DAYS]
    if not found:
        return []
    return [
        ForDecision(
            f"Agree a new date, a new owner or to stop {_plural(len(found), 'action', 'actions')} overdue for three months or more",
            f"Overdue by at least {LONG_OVERDUE_DAYS} days as at {as_at:%-d %B %Y}; the exceptions list each with its latest update.",
            [row.ref for row in found],
            "Rule: long overdue",
        )
    ]


@register_provider
def kpi_crossings(context: dict) -> list[ForDecision]:
    crossed = [
        row
        for row in context["kpis"]
        if row.previous and row.rag in (Rag.OFF_TARGET, Rag.WITHIN_TOLERANCE) and row.rag != row.indicator.rag(row.previous.value)
    ]
    return [
        ForDecision(
            f"Agree the response to {row.indicator.name}, now {row.rag.label.lower()}",
            f"{row.latest.formatted()} for {row.latest.period_label}, {row.travel.label.lower()} than {row.previous.period_label}"
            + (f"; target {row.indicator.target_label()}" if row.indicator.target is not None else "")
            + ".",
            source="Rule: KPI crossed its target or tolerance",
        )
        for row in crossed
    ]


@register_provider
def families_disagree(context: dict) -> list[ForDecision]:
    return [
        ForDecision(
            f"Hear the families' view of {d.group}: “{d.view.get_level_display()}”",
            "The officers rate its actions on track while families see no change yet or things getting worse.",
            source="Rule: families' view disagrees",
        )
        for d in context["disagreements"]
    ]


@register_provider
def missing_sign_offs(context: dict) -> list[ForDecision]:
    missing = [s for s in context["sign_offs"] if s.status != "confirmed"]
    if not missing:
        return []
    names = ", ".join(s.organisation_name for s in missing)
    return [
        ForDecision(
            f"Accept the updates of {_plural(len(missing), 'organisation', 'organisations')} not signed off, or send them back",
            f"Not signed off when these ratings were frozen: {names}.",
            source="Rule: sign-off missing",
        )
    ]
