"""Officers' changes to the plan itself: strategies, delivery groups and actions, each change recorded.

Ratings and narratives change only through `actions.services.action_update_record`;
everything else about an action (text, owners, due date, group, related actions,
retirement) changes here and leaves an ActionChange, so the action's page shows
its whole history. Each write locks the action and compares its version, like a
rating update, so two officers' edits never overwrite each other unseen.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.text import capfirst

from accounts.models import User
from actions.models import (
    Action,
    ActionChange,
    ActionUpdate,
    DeliveryGroup,
    Milestone,
    Priority,
    RatingLevel,
    RatingScheme,
    Strategy,
    ref_problem,
)
from actions.services import ActionUpdateConflictError
from people.models import Partnership, Post


class PlanRuleError(ValueError):
    """A change the plan's rules refuse, with the message to show (and the form field it belongs to)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def due_words(due_date: dt.date | None, precision: str) -> str:
    """A due date as the plan writes it: "September 2025", "30 September 2025" or "TBC"."""
    if due_date is None:
        return "TBC"
    if precision == Action.DuePrecision.MONTH:
        return due_date.strftime("%B %Y")
    return f"{due_date.day} {due_date.strftime('%B %Y')}"


def _titles(posts: Iterable[Post]) -> str:
    return "; ".join(sorted(post.title for post in posts))


def _refs(actions: Iterable[Action]) -> str:
    return ", ".join(sorted(action.ref for action in actions))


@transaction.atomic
def strategy_create(
    *,
    partnership: Partnership,
    name: str,
    scheme: RatingScheme,
    period_start: dt.date | None,
    period_end: dt.date | None,
    description: str,
) -> Strategy:
    name = name.strip()
    if Strategy.objects.filter(partnership=partnership, name__iexact=name).exists():
        raise PlanRuleError(f"{partnership.name} already has a strategy called '{name}'", "name")
    if period_start and period_end and period_end < period_start:
        raise PlanRuleError("The end of the period must be after its start", "period_end")
    return Strategy.objects.create(
        partnership=partnership, name=name, scheme=scheme, period_start=period_start, period_end=period_end, description=description
    )


def strategy_is_empty(strategy: Strategy) -> bool:
    """True while nothing but uploads refers to the strategy: no priorities, actions, KPIs, meetings, pages or packs."""
    from_uploads = {"imports", "uploads", "kpi_imports", "benchmark_imports", "import_mappings", "revision"}
    for relation in Strategy._meta.related_objects:
        if relation.get_accessor_name() in from_uploads:
            continue
        if relation.related_model._base_manager.filter(**{relation.field.name: strategy}).exists():
            return False
    return True


@transaction.atomic
def strategy_discard(*, strategy: Strategy) -> None:
    """Delete a strategy made on the way to importing a plan and then left: only while it is still empty (its uploads go with it)."""
    strategy = Strategy.objects.select_for_update().get(pk=strategy.pk)
    if not strategy_is_empty(strategy):
        raise PlanRuleError("Only a strategy with nothing in it yet can be discarded: retire its actions instead")
    strategy.delete()


@transaction.atomic
def action_create(
    *,
    actor: User,
    strategy: Strategy,
    group: DeliveryGroup,
    ref: str,
    text: str,
    owners: list[Post],
    due_date: dt.date | None,
    due_precision: str,
    rating: RatingLevel,
    related: list[Action] = (),
) -> Action:
    """Add an action to a delivery group: its first rating is an update, its creation a change, both by the officer."""
    ref = ref.strip()
    if problem := ref_problem(ref):
        raise PlanRuleError(capfirst(problem), "ref")
    Strategy.objects.select_for_update().get(pk=strategy.pk)
    if Action.everything.filter(strategy=strategy, ref__iexact=ref).exists():
        raise PlanRuleError(f"Another action of this strategy (or a retired one) already has the ref {ref}", "ref")
    if group.strategy_id != strategy.pk:
        raise PlanRuleError("Choose a delivery group of this strategy", "group")
    now = timezone.now()
    # After the group's last action (the plan reads in position order), or at the end of an empty group.
    last_in_group = Action.everything.filter(group=group).aggregate(last=Max("position"))["last"]
    if last_in_group is None:
        position = (Action.everything.filter(strategy=strategy).aggregate(last=Max("position"))["last"] or 0) + 1
    else:
        position = last_in_group + 1
        Action.everything.filter(strategy=strategy, position__gte=position).update(position=F("position") + 1)
    action = Action.objects.create(
        strategy=strategy,
        group=group,
        ref=ref,
        text=text,
        due_date=due_date,
        due_precision=due_precision,
        due_text=due_words(due_date, due_precision),
        rating=rating,
        position=position,
        created_at=now,
        updated_at=now,
    )
    action.owners.set(owners)
    action.related.set(related)
    ActionUpdate.objects.create(
        action=action,
        author=actor,
        created_at=now,
        rating_before=None,
        rating_after=rating,
        narrative="Added to the plan.",
        source=ActionUpdate.Source.BROWSER,
    )
    ActionChange.objects.create(action=action, author=actor, created_at=now, field=ActionChange.Field.CREATED, after=text)
    return action


def _locked(action: Action, expected_version: int) -> Action:
    locked = Action.everything.select_for_update().get(pk=action.pk)
    if locked.version != expected_version:
        raise ActionUpdateConflictError(locked, ActionUpdate.objects.filter(action=locked).select_related("author").first())
    return locked


@transaction.atomic
def action_edit(
    *,
    actor: User,
    action: Action,
    expected_version: int,
    text: str,
    owners: list[Post],
    due_date: dt.date | None,
    due_precision: str,
    group: DeliveryGroup,
    related: list[Action],
    reason: str = "",
) -> list[ActionChange]:
    """Change an action's text, owners, due date, group and related actions; a changed due date needs its reason.

    Returns the changes recorded (none when nothing changed). Raises
    ActionUpdateConflictError when the action changed since the form was loaded.
    """
    locked = _locked(action, expected_version)
    if locked.retired_at:
        raise PlanRuleError("This action has been retired: it can no longer be changed")
    if group.strategy_id != locked.strategy_id:
        raise PlanRuleError("Choose a delivery group of this strategy", "group")
    now = timezone.now()
    changes = []

    def record(field: str, before: str, after: str, why: str = "") -> None:
        changes.append(ActionChange(action=locked, author=actor, created_at=now, field=field, before=before, after=after, reason=why))

    if text != locked.text:
        record(ActionChange.Field.TEXT, locked.text, text)
        locked.text = text
    current_owners = list(locked.owners.all())
    if set(current_owners) != set(owners):
        record(ActionChange.Field.OWNERS, _titles(current_owners), _titles(owners))
        locked.owners.set(owners)
    if (locked.due_date, locked.due_precision) != (due_date, due_precision):
        if not reason.strip():
            raise PlanRuleError("Say why the due date has changed: the board sees the reason", "reason")
        record(ActionChange.Field.DUE, due_words(locked.due_date, locked.due_precision), due_words(due_date, due_precision), reason.strip())
        locked.due_date, locked.due_precision, locked.due_text = due_date, due_precision, due_words(due_date, due_precision)
        locked.overdue_since = None  # a new date starts a new overdue event, if it comes to that
    if group.pk != locked.group_id:
        record(ActionChange.Field.GROUP, str(locked.group), str(group))
        locked.group = group
    current_related = list(Action.everything.filter(related=locked))
    if set(current_related) != set(related):
        if any(other.pk == locked.pk or other.strategy_id != locked.strategy_id for other in related):
            raise PlanRuleError("Related actions must be other actions of this strategy", "related")
        record(ActionChange.Field.RELATED, _refs(current_related), _refs(related))
        locked.related.set(related)
    if changes:
        locked.version += 1
        locked.updated_at = now
        locked.save()
        ActionChange.objects.bulk_create(changes)
        action.version = locked.version
    return changes


@transaction.atomic
def action_retire(*, actor: User, action: Action, reason: str, into: Action | None = None, note: str = "") -> ActionChange:
    """Take an action out of the live plan (withdrawn, merged into another, superseded); its history stays.

    From now on it is in no list, count, sweep or snapshot; the next board pack
    lists it under movement as retired.
    """
    locked = Action.everything.select_for_update().get(pk=action.pk)
    if locked.retired_at:
        raise PlanRuleError(f"Action {locked.ref} was already retired")
    if reason == Action.Retirement.MERGED and (
        into is None or into.pk == locked.pk or into.strategy_id != locked.strategy_id or into.retired_at
    ):
        raise PlanRuleError("Choose the live action of this strategy it was merged into", "into")
    now = timezone.now()
    locked.retired_at, locked.retired_reason = now, reason
    locked.retired_into = into if reason == Action.Retirement.MERGED else None
    locked.retired_note = note
    locked.version += 1
    locked.updated_at = now
    locked.save()
    words = Action.Retirement(reason).label
    if locked.retired_into:
        words = f"merged into {locked.retired_into.ref}"
    change = ActionChange.objects.create(
        action=locked, author=actor, created_at=now, field=ActionChange.Field.RETIRED, before="Live", after=words, reason=note
    )
    action.retired_at, action.version = now, locked.version
    return change


@transaction.atomic
def actions_retire_missing(*, actor: User, strategy: Strategy, refs: list[str], filename: str) -> int:
    """Retire, as withdrawn, the live actions an imported file no longer has."""
    retired = 0
    for action in Action.objects.filter(strategy=strategy, ref__in=refs):
        action_retire(actor=actor, action=action, reason=Action.Retirement.WITHDRAWN, note=f"Not in the imported plan {filename}.")
        retired += 1
    return retired


# Milestones --------------------------------------------------------------------------------------


def _milestones_text(action: Action) -> str:
    """The action's milestones as its history shows them: "Phase 1 (March 2026, done); Phase 2 (June 2026)"."""
    return "; ".join(
        f"{m.title} ({m.due_label()}{', done' if m.done_at else ''})"
        for m in Milestone.objects.filter(action=action).order_by("position", "pk")
    )


@transaction.atomic
def milestone_add(*, actor: User | None, action: Action, title: str, due_date: dt.date | None, reason: str = "") -> Milestone:
    """Add a step to the action, last in its order, recorded in the action's history: the steps before and after, and
    what changed in words ("Added “Phase 2”, due June 2026"), as marking one done says which, so the change log reads
    as a sentence rather than two lists to compare."""
    locked = Action.everything.select_for_update().get(pk=action.pk)
    before = _milestones_text(locked)
    position = (Milestone.objects.filter(action=locked).aggregate(last=Max("position"))["last"] or 0) + 1
    milestone = Milestone.objects.create(action=locked, title=title, due_date=due_date, position=position)
    added = f"Added “{title}”, " + (f"due {milestone.due_label()}" if due_date else "with no due date yet")
    _milestones_changed(locked, actor, before, f"{added}: {reason}" if reason else added)
    return milestone


@transaction.atomic
def milestone_mark(*, actor: User, milestone: Milestone, done: bool) -> Milestone:
    """Mark a step done (or not done after all), recorded in the action's history; marking it as it already is records nothing."""
    locked = Action.everything.select_for_update().get(pk=milestone.action_id)
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if bool(milestone.done_at) == done:
        return milestone
    before = _milestones_text(locked)
    milestone.done_at = timezone.now() if done else None
    milestone.save(update_fields=["done_at"])
    _milestones_changed(locked, actor, before, f"{milestone.title} {'done' if done else 'not done after all'}")
    return milestone


def _milestones_changed(action: Action, actor: User | None, before: str, reason: str) -> None:
    """The action's history gains its steps before and after the change, and the change in words."""
    ActionChange.objects.create(
        action=action,
        author=actor,
        field=ActionChange.Field.MILESTONES,
        before=before,
        after=_milestones_text(action),
        reason=reason,
    )


# Delivery groups ---------------------------------------------------------------------------------

GROUP_TEXT_FIELDS = ("what_needs_to_improve", "how_we_will_assess", "what_we_will_see")


def lines(text: str) -> list[str]:
    """A textarea's lines as a list, as the plan's bullet points are stored."""
    return [line.strip().lstrip("•-* ").strip() for line in (text or "").splitlines() if line.strip()]


@transaction.atomic
def group_save(
    *,
    strategy: Strategy,
    group: DeliveryGroup | None,
    priority_name: str,
    parent: DeliveryGroup | None,
    name: str,
    lead: Post | None,
    what_needs_to_improve: str,
    how_we_will_assess: list[str],
    what_we_will_see: list[str],
) -> DeliveryGroup:
    """Add a delivery group (or sub-group, under `parent`) or change one: name, priority, lead post and texts."""
    name = name.strip()
    if parent is not None:
        if parent.strategy_id != strategy.pk or parent.parent_id is not None or (group is not None and parent.pk == group.pk):
            raise PlanRuleError("A sub-group goes under a top-level delivery group of this strategy", "parent")
        priority = parent.priority
    else:
        priority, _ = Priority.objects.get_or_create(
            strategy=strategy,
            name=priority_name.strip(),
            defaults={"position": (strategy.priorities.aggregate(last=Max("position"))["last"] or 0) + 1},
        )
    if lead is not None and lead.partnership_id != strategy.partnership_id:
        raise PlanRuleError("Choose a post of this partnership", "lead")
    clash = DeliveryGroup.objects.filter(priority=priority, parent=parent, name__iexact=name)
    if group is not None:
        clash = clash.exclude(pk=group.pk)
    if clash.exists():
        raise PlanRuleError(f"There is already a delivery group called '{name}' here", "name")
    if group is None:
        position = (DeliveryGroup.objects.filter(strategy=strategy).aggregate(last=Max("position"))["last"] or 0) + 1
        group = DeliveryGroup(strategy=strategy, position=position)
    group.priority, group.parent, group.name, group.lead = priority, parent, name, lead
    group.what_needs_to_improve = what_needs_to_improve
    group.how_we_will_assess, group.what_we_will_see = how_we_will_assess, what_we_will_see
    group.save()
    if parent is None:
        group.children.update(priority=priority)
    return group


@transaction.atomic
def group_move(*, group: DeliveryGroup, up: bool) -> None:
    """Swap a group with the one before (or after) it among its siblings."""
    siblings = list(
        DeliveryGroup.objects.select_for_update()
        .filter(strategy_id=group.strategy_id, priority_id=group.priority_id, parent_id=group.parent_id)
        .order_by("position", "id")
    )
    index = next(i for i, g in enumerate(siblings) if g.pk == group.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(siblings):
        return
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, sibling in enumerate(siblings, start=min(g.position for g in siblings)):
        DeliveryGroup.objects.filter(pk=sibling.pk).update(position=position)


# Related actions named in a plan's text ------------------------------------------------------------

_LINKS = re.compile(
    r"\blinks?\s+(?:in\s+)?with\s+(?:actions?\s+)?((?:[A-Z][A-Za-z]*[-.]?[A-Z0-9][\w.-]*)(?:\s*(?:,|and|&|/)\s*(?:[A-Z][A-Za-z]*[-.]?[A-Z0-9][\w.-]*))*)"
)
_REF = re.compile(r"[A-Z][A-Za-z]*[-.]?[A-Z0-9][\w.-]*")


def refs_named_in(text: str) -> list[str]:
    """The refs a plan's text links an action with: "links with action EHC-C6", "link with actions SP1 and SP2"."""
    found = []
    for match in _LINKS.finditer(text or ""):
        found.extend(ref.rstrip(".") for ref in _REF.findall(match.group(1)))
    return found


def related_from_text(strategy: Strategy) -> int:
    """Link every live action to the actions its text or notes name ("links with action EHC-C6"); returns links added."""
    actions = list(Action.objects.filter(strategy=strategy).only("pk", "ref", "text", "notes"))
    by_ref = {action.ref.casefold(): action for action in actions}
    through = Action.related.through
    existing = set(through.objects.filter(from_action__strategy=strategy).values_list("from_action_id", "to_action_id"))
    links = []
    for action in actions:
        for ref in refs_named_in(f"{action.text}\n{action.notes}"):
            other = by_ref.get(ref.casefold())
            if other is None or other.pk == action.pk:
                continue
            for pair in ((action.pk, other.pk), (other.pk, action.pk)):
                if pair not in existing:
                    existing.add(pair)
                    links.append(through(from_action_id=pair[0], to_action_id=pair[1]))
    through.objects.bulk_create(links)
    return len(links) // 2
