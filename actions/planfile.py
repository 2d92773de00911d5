"""Import a development plan from CSV or XLSX: validate everything, then apply all of it or nothing.

The file has one row per action and these columns (case-insensitive, any
order): priority, delivery_group, sub_group (optional), ref, action, owner
(several separated by ';'), due, rating, notes (optional). Any other layout (an
officer's own tracker) is read through a mapping: see `actions.trackers`.

`plan_read()` parses and validates a file against a strategy and returns a
`PlanChanges` describing what applying it would do (for a preview), with every
problem found and its row number. `plan_apply()` writes it in one transaction.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from accounts.models import User
from actions.models import (
    Action,
    ActionUpdate,
    DeliveryGroup,
    DueDateError,
    Priority,
    RatingLevel,
    RatingScheme,
    Strategy,
    normalise_phrase,
    parse_due,
    ref_problem,
)
from actions.plan import related_from_text
from actions.rows import ActionRow
from actions.services import rating_updates_build
from actions.signals import actions_updated
from intake.tables import (
    MAX_CELL,
    Cell,
    DateCell,
    ImportFileError,
    RowProblem,
    cell_problems,
    cells_escaped,
    field_limit,
    read_table,
)
from people.models import Organisation, Partnership, Post

REQUIRED_COLUMNS = ["priority", "delivery_group", "ref", "action", "owner", "due", "rating"]
COLUMNS = ["priority", "delivery_group", "sub_group", "ref", "action", "owner", "due", "rating", "notes"]
UNALLOCATED = {"to be allocated", "unallocated", "tba", "tbc", "to be confirmed", "none", "n/a", ""}
# The action's own fields a plan row writes, named alike on both.
ACTION_FIELDS = ("text", "due_date", "due_precision", "due_text", "rating", "notes")


@dataclass
class PlannedAction:
    row: int
    ref: str
    priority: str
    delivery_group: str
    sub_group: str
    text: str
    owners: list[str]
    due_date: dt.date | None
    due_precision: str
    due_text: str
    rating: RatingLevel
    notes: str
    progress: str = ""

    def action_fields(self) -> dict:
        """What the row sets on its action, new or changed (the group, owners and progress are put apart)."""
        return {name: getattr(self, name) for name in ACTION_FIELDS}


@dataclass
class PlanChanges:
    strategy: Strategy
    filename: str
    scheme: RatingScheme | None = None  # the strategy's, unless a mapping chose another for an empty strategy
    refs_made: bool = False
    actions: list[PlannedAction] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    updated: dict[str, list[str]] = field(default_factory=dict)
    rating_changes: dict[str, tuple[str, str]] = field(default_factory=dict)
    # For the preview: each changed action's text, and each changed field's value before and after.
    details: dict[str, dict] = field(default_factory=dict)
    unchanged: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    # What the officer should check before confirming, such as a rating mapped against the workbook's own key.
    warnings: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.scheme is None:
            self.scheme = self.strategy.scheme

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> dict:
        created = set(self.created)
        return {
            "filename": self.filename,
            "rows": len(self.actions),
            "refs_made": self.refs_made,
            "warnings": self.warnings,
            "scheme": self.scheme.name,
            "scheme_code": self.scheme.code,
            "new": [
                {
                    "ref": p.ref,
                    "priority": p.priority,
                    "delivery_group": " – ".join(filter(None, [p.delivery_group, p.sub_group])),
                    "action": p.text if len(p.text) <= 200 else p.text[:197] + "...",
                    "owners": p.owners,
                    "due": p.due_text or "TBC",
                    "rating": p.rating.label,
                    "progress": bool(p.progress),
                }
                for p in self.actions
                if p.ref in created
            ],
            "created": self.created,
            "updated": self.updated,
            "rating_changes": {ref: list(change) for ref, change in self.rating_changes.items()},
            "details": self.details,
            # A risk rating needs a narrative saying how the action will recover (as a browser update does).
            "risk_without_narrative": [
                p.ref for p in self.actions if p.rating.is_risk and not p.progress and (p.ref in created or p.ref in self.rating_changes)
            ],
            "unchanged": len(self.unchanged),
            "missing": self.missing,
            "problems": [asdict(p) for p in self.problems],
        }


def split_owners(cell: str) -> list[str]:
    # Trackers list several owners on separate lines of a cell, or with ';'.
    owners = [part.strip() for part in re.split(r"[;\n]", cell)]
    return [o for o in owners if normalise_phrase(o) not in UNALLOCATED]


def plan_read(content: bytes, filename: str, strategy: Strategy) -> PlanChanges:
    """What importing a file in the import format would do (a tracker in any other layout: `actions.trackers`)."""
    try:
        table = read_table(content, filename)
    except ImportFileError as exc:
        return plan_refused(strategy, filename, exc)
    changes = PlanChanges(strategy=strategy, filename=filename)
    header = set(table[0][1])
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    for column in missing:
        changes.problems.append(RowProblem(row=1, column=column, value="", message=f"the '{column}' column is missing"))
    if missing:
        return changes
    plan_from_table(changes, table)
    return changes


def plan_refused(strategy: Strategy, filename: str, problem: ImportFileError) -> PlanChanges:
    """A file that could not be read at all: nothing to import, the reason as its one problem."""
    changes = PlanChanges(strategy=strategy, filename=filename)
    changes.problems.append(RowProblem(row=problem.row, column="", value="", message=str(problem)))
    return changes


def plan_from_table(changes: PlanChanges, table: list[tuple[int, dict[str, str]]]) -> None:
    """Validate the rows (a header, then (row number, {column: text})) into `changes`, and compare them with the strategy."""
    levels = list(changes.scheme.levels.all())
    seen_refs: dict[str, int] = {}
    for number, row in table[1:]:
        changes.actions.extend(_read_row(number, row, changes.scheme, levels, seen_refs, changes.problems))
    retired = set(Action.everything.filter(strategy=changes.strategy, retired_at__isnull=False).values_list("ref", flat=True))
    for planned in changes.actions:
        if planned.ref in retired:
            changes.problems.append(
                RowProblem(planned.row, "ref", planned.ref, "this ref belongs to a retired action: give a new action another ref")
            )
    if changes.problems:
        return
    _compare_with_database(changes)


def _read_row(number, row, scheme, levels, seen_refs, problems) -> list[PlannedAction]:
    def cell(column: str) -> str:
        return (row.get(column) or "").strip()

    before = len(problems)
    for column in ["priority", "delivery_group", "ref", "action"]:
        if not cell(column):
            problems.append(RowProblem(number, column, "", f"the {column.replace('_', ' ')} is missing"))
    problems.extend(cell_problems(number, row, _plan_limits()))
    owner_limit = field_limit(Post, "title")
    for title in split_owners(row.get("owner") or ""):
        if len(title) > owner_limit:
            problems.append(RowProblem(number, "owner", title, f"an owner's job title can be at most {owner_limit} characters"))
    ref = cell("ref")
    if ref and ref_problem(ref):
        problems.append(RowProblem(number, "ref", ref, ref_problem(ref)))
    elif ref and len(ref) <= field_limit(Action, "ref"):
        if ref in seen_refs:
            problems.append(RowProblem(number, "ref", ref, f"duplicate ref: row {seen_refs[ref]} has it already"))
        else:
            seen_refs[ref] = number
    try:
        due_date, precision = parse_due(cell("due"))
    except DueDateError as exc:
        problems.append(RowProblem(number, "due", cell("due"), str(exc)))
        due_date, precision = None, Action.DuePrecision.NONE
    rating = scheme.level_for(cell("rating"), levels)
    if rating is None:
        names = ", ".join(level.label for level in levels)
        problems.append(RowProblem(number, "rating", cell("rating"), f"not a rating in the {scheme.name} scheme ({names})"))
    if len(problems) > before:
        return []
    return [
        PlannedAction(
            row=number,
            ref=ref,
            priority=cell("priority"),
            delivery_group=cell("delivery_group"),
            sub_group=cell("sub_group"),
            # Text is kept exactly as given (only surrounding white space trimmed).
            text=(row.get("action") or "").strip(),
            owners=split_owners(row.get("owner") or ""),
            due_date=due_date,
            due_precision=precision,
            due_text=cell("due"),
            rating=rating,
            notes=(row.get("notes") or "").strip(),
            progress=(row.get("progress") or "").strip(),
        )
    ]


def _plan_limits() -> dict[str, int]:
    """The most characters each column of the plan format may hold, from the fields it is stored in."""
    return {
        "priority": field_limit(Priority, "name"),
        "delivery_group": field_limit(DeliveryGroup, "name"),
        "sub_group": field_limit(DeliveryGroup, "name"),
        "ref": field_limit(Action, "ref"),
        "action": MAX_CELL,
        "owner": MAX_CELL,
        "due": field_limit(Action, "due_text"),
        "rating": MAX_CELL,
        "notes": MAX_CELL,
        "progress": MAX_CELL,
    }


def _group_key(planned: PlannedAction) -> tuple[str, str, str]:
    return (planned.priority, planned.delivery_group, planned.sub_group)


def _existing_groups(strategy: Strategy) -> dict[tuple[str, str, str], DeliveryGroup]:
    groups = DeliveryGroup.objects.filter(strategy=strategy).select_related("priority", "parent")
    keyed = {}
    for group in groups:
        if group.parent_id:
            keyed[(group.priority.name, group.parent.name, group.name)] = group
        else:
            keyed[(group.priority.name, group.name, "")] = group
    return keyed


def _existing_actions(strategy: Strategy) -> dict[str, Action]:
    """The strategy's actions by ref, each with `latest_narrative`: its latest update's narrative."""
    latest = ActionUpdate.objects.filter(action=OuterRef("pk")).order_by("-created_at", "-id").values("narrative")[:1]
    actions = Action.objects.filter(strategy=strategy).annotate(latest_narrative=Subquery(latest))
    return {a.ref: a for a in actions.select_related("rating", "group__parent").prefetch_related("owners")}


def _differs(values: list[dict[str, str]], name: str, before: str, after: str) -> None:
    values.append({"field": name, "before": _shown(before), "after": _shown(after)})


def _shown(text: str, limit: int = 300) -> str:
    """A value as the preview shows it: whole when short, cut with an ellipsis when long."""
    text = text or ""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _compare_with_database(changes: PlanChanges) -> None:
    existing = _existing_actions(changes.strategy)
    groups = _existing_groups(changes.strategy)
    for planned in changes.actions:
        action = existing.get(planned.ref)
        if action is None:
            changes.created.append(planned.ref)
            continue
        values: list[dict[str, str]] = []
        differs = functools.partial(_differs, values)
        group = groups.get(_group_key(planned))
        if group is None or group.pk != action.group_id:
            differs("delivery group", str(action.group), " – ".join(filter(None, [planned.delivery_group, planned.sub_group])))
        if action.text != planned.text:
            differs("action", action.text, planned.text)
        if sorted(action.owner_titles()) != sorted(planned.owners):
            differs("owner", "; ".join(sorted(action.owner_titles())) or "To be allocated", "; ".join(planned.owners) or "To be allocated")
        if (action.due_date, action.due_precision) != (planned.due_date, planned.due_precision):
            differs("due", action.due_label(), planned.due_text or "TBC")
        if action.rating_id != planned.rating.pk:
            differs("rating", action.rating.label, planned.rating.label)
            changes.rating_changes[planned.ref] = (action.rating.label, planned.rating.label)
        if action.notes != planned.notes:
            differs("notes", action.notes, planned.notes)
        if planned.progress and planned.progress != (action.latest_narrative or ""):
            differs("progress update", action.latest_narrative or "", planned.progress)
        differences = [value["field"] for value in values]
        if differences:
            changes.details[planned.ref] = {
                "text": _shown(planned.text),
                "values": values,
                "rating_before": {"label": action.rating.label, "colour": action.rating.colour, "code": action.rating.code},
                "rating_after": {"label": planned.rating.label, "colour": planned.rating.colour, "code": planned.rating.code},
            }
        if differences:
            changes.updated[planned.ref] = differences
        else:
            changes.unchanged.append(planned.ref)
    in_file = {p.ref for p in changes.actions}
    changes.missing = sorted(ref for ref in existing if ref not in in_file)


@transaction.atomic
def plan_apply(changes: PlanChanges, *, user: User | None = None, source: str = ActionUpdate.Source.IMPORT) -> PlanChanges:
    """Write a validated plan. Actions missing from the file are left alone (and reported)."""
    if not changes.ok:
        raise ValueError("A plan with problems cannot be applied.")
    strategy = Strategy.objects.select_for_update().get(pk=changes.strategy.pk)
    # Compare again under the lock: the preview may be stale.
    changes = plan_read_again(changes)
    now = timezone.now()
    _scheme_taken(strategy, changes)
    groups, posts = _hierarchy_made(strategy, changes)
    written = _ActionsWritten(strategy, posts, now)
    for planned in changes.actions:
        written.add(planned, groups[_group_key(planned)], changes)
    written.save(changes, user=user, source=source)
    related_from_text(strategy)
    return changes


def _scheme_taken(strategy: Strategy, changes: PlanChanges) -> None:
    """An empty strategy takes the scheme the file's mapping chose."""
    if strategy.scheme_id == changes.scheme.pk:
        return
    if strategy.actions.exists():
        raise ValueError("Only a strategy with no actions yet can take another rating scheme.")
    strategy.scheme = changes.scheme
    strategy.save(update_fields=["scheme"])
    changes.strategy.scheme = changes.scheme


def _hierarchy_made(strategy: Strategy, changes: PlanChanges) -> tuple[dict, dict[str, Post]]:
    """The priorities, delivery groups and posts the file names, made where the strategy lacks them."""
    priorities = {p.name: p for p in strategy.priorities.all()}
    groups = _existing_groups(strategy)
    posts = {p.title: p for p in Post.objects.filter(partnership=strategy.partnership)}
    next_priority = max((p.position for p in priorities.values()), default=0)
    next_group = max((g.position for g in groups.values()), default=0)
    for planned in changes.actions:
        if planned.priority not in priorities:
            next_priority += 1
            priorities[planned.priority] = Priority.objects.create(strategy=strategy, name=planned.priority, position=next_priority)
        priority = priorities[planned.priority]
        top_key = (planned.priority, planned.delivery_group, "")
        wanted = [(top_key, None, planned.delivery_group)]
        if planned.sub_group:
            wanted.append((_group_key(planned), top_key, planned.sub_group))
        for key, parent_key, name in wanted:
            if key not in groups:
                next_group += 1
                parent = groups[parent_key] if parent_key else None
                groups[key] = DeliveryGroup.objects.create(
                    strategy=strategy, priority=priority, parent=parent, name=name, position=next_group
                )
        for title in planned.owners:
            if title not in posts:
                posts[title] = Post.objects.create(partnership=strategy.partnership, title=title)
    return groups, posts


class _ActionsWritten:
    """The actions a plan creates and changes, saved together, with an update for each rating or narrative it sets."""

    def __init__(self, strategy: Strategy, posts: dict[str, Post], now) -> None:
        self.strategy, self.posts, self.now = strategy, posts, now
        self.existing = _existing_actions(strategy)
        self.next_position = max((a.position for a in self.existing.values()), default=0)
        self.new_actions, self.rerated, self.progressed, self.changed_ids = [], [], [], []

    def add(self, planned: PlannedAction, group: DeliveryGroup, changes: PlanChanges) -> None:
        action = self.existing.get(planned.ref)
        if action is None:
            self.next_position += 1
            action = Action(
                strategy=self.strategy,
                group=group,
                ref=planned.ref,
                position=self.next_position,
                created_at=self.now,
                updated_at=self.now,
                **planned.action_fields(),
            )
            self.new_actions.append((action, planned))
        elif planned.ref in changes.updated:
            self._changed(action, planned, group)

    def _changed(self, action: Action, planned: PlannedAction, group: DeliveryGroup) -> None:
        before = action.rating
        action.group = group
        for name, value in planned.action_fields().items():
            setattr(action, name, value)
        action.version += 1
        action.updated_at = self.now
        action.save()
        self.changed_ids.append(action.pk)
        if sorted(action.owner_titles()) != sorted(planned.owners):
            action.owners.set([self.posts[t] for t in planned.owners])
        if planned.progress and planned.progress != (action.latest_narrative or ""):
            # The tracker's progress column is the action's latest narrative, as an update from the import.
            self.progressed.append(((action, before, planned.rating), planned.progress))
        elif before.pk != planned.rating.pk:
            self.rerated.append((action, before, planned.rating))

    def save(self, changes: PlanChanges, *, user: User | None, source: str) -> None:
        now, new_actions = self.now, self.new_actions
        Action.objects.bulk_create([a for a, _ in new_actions], batch_size=1000)
        owner_links = [
            Action.owners.through(action_id=action.pk, post_id=self.posts[t].pk)
            for action, planned in new_actions
            for t in dict.fromkeys(planned.owners)
        ]
        Action.owners.through.objects.bulk_create(owner_links, batch_size=1000)
        updates = rating_updates_build(
            self.rerated, user=user, narrative=f"Rating changed by plan import ({changes.filename}).", source=source, at=now
        ) + rating_updates_build(
            [(action, None, planned.rating) for action, planned in new_actions if not planned.progress],
            user=user,
            narrative=f"Imported from {changes.filename}.",
            source=source,
            at=now,
        )
        progressed = self.progressed + [((a, None, planned.rating), planned.progress) for a, planned in new_actions if planned.progress]
        for change, narrative in progressed:
            updates += rating_updates_build([change], user=user, narrative=narrative, source=source, at=now)
        ActionUpdate.objects.bulk_create(updates, batch_size=1000)
        if self.changed_ids:
            actions_updated.send(sender=Action, action_ids=self.changed_ids, user=user, at=now)


def plan_read_again(changes: PlanChanges) -> PlanChanges:
    fresh = PlanChanges(
        strategy=changes.strategy, filename=changes.filename, actions=changes.actions, scheme=changes.scheme, refs_made=changes.refs_made
    )
    _compare_with_database(fresh)
    return fresh


def strategy_for_import(*, strategy_name: str, partnership_name: str | None, scheme_code: str | None) -> Strategy:
    """Find the strategy to import into, creating it (and its partnership) when both are named."""
    strategies = Strategy.objects.filter(name=strategy_name).select_related("partnership", "scheme")
    if partnership_name:
        strategies = strategies.filter(partnership__name=partnership_name)
    found = list(strategies[:2])
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        raise ImportFileError(f"More than one partnership has a strategy called '{strategy_name}': name the partnership.")
    if not partnership_name:
        raise ImportFileError(f"There is no strategy called '{strategy_name}': name its partnership to create it.")
    code = scheme_code or "rag"
    # The shipped schemes and the partnership's own: never another partnership's.
    usable = RatingScheme.objects.filter(Q(partnership__isnull=True) | Q(partnership__name=partnership_name)).order_by("code")
    try:
        scheme = usable.get(code=code)
    except RatingScheme.DoesNotExist:
        known = ", ".join(usable.values_list("code", flat=True))
        raise ImportFileError(f"There is no rating scheme '{code}' (known: {known}).") from None
    from django.utils.text import slugify

    partnership, _ = Partnership.objects.get_or_create(name=partnership_name, defaults={"slug": slugify(partnership_name)[:100]})
    return Strategy.objects.create(partnership=partnership, name=strategy_name, scheme=scheme)


@transaction.atomic
def plan_details_apply(strategy: Strategy, details_path: Path) -> dict:
    """Apply a plan's descriptive details (plan.json): dates, organisations, group texts and leads.

    Returns the details, so the caller can apply what belongs to other apps (its governance groups).
    """
    details = json.loads(details_path.read_text(encoding="utf-8"))
    for key in ("period_start", "period_end", "ratings_as_at"):
        if details.get(key):
            setattr(strategy, key, dt.date.fromisoformat(details[key]))
    strategy.save()
    partnership = strategy.partnership
    organisations = {}
    for org in details.get("organisations", []):
        organisations[org["name"]], _ = Organisation.objects.update_or_create(
            partnership=partnership, name=org["name"], defaults={"kind": org.get("kind", Organisation.Kind.OTHER)}
        )
    for title, org_name in details.get("owner_organisations", {}).items():
        if org_name not in organisations:
            organisations[org_name], _ = Organisation.objects.get_or_create(partnership=partnership, name=org_name)
        Post.objects.update_or_create(partnership=partnership, title=title, defaults={"organisation": organisations[org_name]})
    for position, item in enumerate(details.get("priorities", []), start=1):
        Priority.objects.update_or_create(
            strategy=strategy,
            name=item["name"],
            defaults={"position": item.get("position", position), "description": item.get("description", "")},
        )
    priorities = {p.name: p for p in strategy.priorities.all()}
    groups = _existing_groups(strategy)
    for position, item in enumerate(details.get("delivery_groups", []), start=1):
        key = (item["priority"], item["name"], item.get("sub_group", ""))
        group = groups.get(key)
        if group is None:
            parent = None
            if key[2]:
                parent = groups.get((key[0], key[1], ""))
                if parent is None:
                    parent = DeliveryGroup.objects.create(strategy=strategy, priority=priorities[key[0]], name=key[1], position=position)
                    groups[(key[0], key[1], "")] = parent
            group = DeliveryGroup(strategy=strategy, priority=priorities[key[0]], parent=parent, name=key[2] or key[1])
        group.position = position
        group.what_needs_to_improve = item.get("what_needs_to_improve", "")
        group.areas_for_improvement = item.get("areas_for_improvement", [])
        group.how_we_will_assess = item.get("how_we_will_assess", [])
        group.what_we_will_see = item.get("what_we_will_see", [])
        group.delivered_to_date = item.get("delivered_to_date", "")
        if item.get("lead"):
            group.lead, _ = Post.objects.get_or_create(partnership=partnership, title=item["lead"])
        group.save()
        groups[key] = group
    return details


# Export: the same columns, so an exported file imports back unchanged --------------------------

UNALLOCATED_CELL = "To be allocated"


def due_cell(row: ActionRow) -> str:
    """The due date as the plan wrote it when that still reads as the same date; otherwise a plain form."""
    if row.due_text:
        try:
            if parse_due(row.due_text) == (row.due_date, row.due_precision):
                return row.due_text
        except DueDateError:
            pass
    if row.due_date is None:
        return "TBC"
    if row.due_precision == Action.DuePrecision.MONTH:
        return row.due_date.strftime("%B %Y")
    return row.due_date.isoformat()


def due_export_cell(row: ActionRow) -> Cell:
    """The due cell of an export: a real date (shown as the month when the plan means a month) wherever
    the plain form is what the plan wrote, so a workbook sorts by it and it imports back unchanged."""
    text = due_cell(row)
    if row.due_date is None:
        return text
    month = row.due_precision == Action.DuePrecision.MONTH
    plain = row.due_date.strftime("%B %Y") if month else row.due_date.isoformat()
    return DateCell(row.due_date, text, month=month) if text == plain else text


# Read-only columns an officer's spreadsheet adds after the plan's own: the import ignores them.
STATUS_COLUMNS = ["latest_narrative", "last_updated_by", "last_updated_at", "overdue", "due_soon"]


def export_table(rows: Iterable[ActionRow], groups: Mapping[int, DeliveryGroup], *, with_status: bool = False) -> list[list[Cell]]:
    """The header and one line per action, every cell neutralised. Groups need priority and parent loaded.

    `with_status` adds the latest narrative, who last updated the action and when, and whether it
    is overdue or due soon (by the rule book): columns the import ignores, so the file still
    round-trips.
    """
    columns = COLUMNS + (STATUS_COLUMNS if with_status else [])
    table = [list(columns)]
    for row in rows:
        group = groups[row.group_id]
        top, sub = (group.parent, group) if group.parent_id else (group, None)
        values = {
            "priority": group.priority.name,
            "delivery_group": top.name,
            "sub_group": sub.name if sub else "",
            "ref": row.ref,
            "action": row.text,
            "owner": row.owners_text or UNALLOCATED_CELL,
            "due": due_export_cell(row),
            "rating": row.rating.label,
            "notes": row.notes,
        }
        if with_status:
            values |= {
                "latest_narrative": row.narrative,
                "last_updated_by": row.last_updated_by,
                "last_updated_at": timezone.localtime(row.last_updated_at).strftime("%Y-%m-%d %H:%M") if row.last_updated_at else "",
                "overdue": "Yes" if row.status.overdue else "No",
                "due_soon": "Yes" if row.status.due_soon else "No",
            }
        table.append(cells_escaped(values[c] for c in columns))
    return table


def plan_details_export(strategy: Strategy) -> dict:
    """The strategy's descriptive details in the shape `import_plan --details` reads (fixtures/*/plan.json)."""
    partnership = strategy.partnership
    groups = DeliveryGroup.objects.filter(strategy=strategy).select_related("priority", "parent", "lead").order_by("position", "id")
    posts = Post.objects.filter(partnership=partnership, organisation__isnull=False).select_related("organisation").order_by("title")
    return {
        "partnership": partnership.name,
        "strategy": strategy.name,
        "period_start": strategy.period_start.isoformat() if strategy.period_start else "",
        "period_end": strategy.period_end.isoformat() if strategy.period_end else "",
        "ratings_as_at": strategy.ratings_as_at.isoformat() if strategy.ratings_as_at else "",
        "scheme": strategy.scheme.code,
        "organisations": [{"name": o.name, "kind": o.kind} for o in partnership.organisations.order_by("name")],
        "owner_organisations": {post.title: post.organisation.name for post in posts},
        "priorities": [
            {"name": p.name, "position": p.position, "description": p.description} for p in strategy.priorities.order_by("position", "id")
        ],
        "delivery_groups": [
            {
                "priority": g.priority.name,
                "name": g.parent.name if g.parent_id else g.name,
                "sub_group": g.name if g.parent_id else "",
                "lead": g.lead.title if g.lead else "",
                "what_needs_to_improve": g.what_needs_to_improve,
                "areas_for_improvement": g.areas_for_improvement,
                "how_we_will_assess": g.how_we_will_assess,
                "what_we_will_see": g.what_we_will_see,
                "delivered_to_date": g.delivered_to_date,
            }
            for g in groups
        ],
        "governance": [
            {"name": b.name, "purpose": b.purpose, "chair_role": b.chair_role, "cadence": b.cadence}
            for b in partnership.boards.order_by("position", "name")
        ],
    }
