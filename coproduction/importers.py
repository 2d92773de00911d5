"""Importing a plan's deliverables ("what you will see, and when") from a CSV or XLSX file."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from actions.models import Action, DeliveryGroup, DueDateError, Strategy, parse_due, refs_listed
from coproduction.models import Deliverable
from intake.readers import Checked
from intake.tables import ImportFileError, RowProblem, missing_columns, read_table

COLUMNS = ["due", "delivery_group", "deliverable"]  # and optionally sub_group, actions (refs separated by ";")


@dataclass
class DeliverablesImport(Checked):
    created: int = 0
    unchanged: int = 0
    linked: int = 0
    wanted: list[tuple] = field(default_factory=list, repr=False)  # (row, group, statement, due date, due as written, actions)
    shown: list[tuple[str, str, str, str, str]] = field(default_factory=list)  # the preview: due, group, statement, refs, new?

    def summary(self) -> dict:
        return self.summary_with(created=self.created, unchanged=self.unchanged, linked=self.linked, deliverables=self.shown[:500])


def deliverables_read(*, strategy: Strategy, content: bytes, filename: str) -> DeliverablesImport:
    """Check a file of deliverables against the strategy: every bad row, or what importing it would add. Writes nothing."""
    result = DeliverablesImport()
    try:
        table = read_table(content, filename)
    except ImportFileError as exc:
        result.problems.append(RowProblem(exc.row, "", "", str(exc)))
        return result
    result.problems = missing_columns(table, COLUMNS)
    if result.problems:
        return result
    groups = {(g.parent.name if g.parent_id else g.name, g.name if g.parent_id else ""): g for g in _groups(strategy)}
    actions = {a.ref.casefold(): a for a in Action.objects.filter(strategy=strategy).select_related("group")}
    for number, row in table[1:]:  # the first entry is the header row
        result.wanted.append(_deliverable_row(number, row, groups, actions, result.problems))
    held = set(Deliverable.objects.filter(strategy=strategy).values_list("statement", "due_date"))
    for _, group, statement, due_date, due_text, linked in result.wanted:
        is_new = (statement, due_date) not in held
        result.created += is_new
        result.unchanged += not is_new
        result.shown.append((due_text, str(group or ""), statement, ", ".join(a.ref for a in linked), "New" if is_new else "Already there"))
    return result


def _deliverable_row(number: int, row: dict[str, str], groups: dict, actions: dict, problems: list[RowProblem]) -> tuple:
    due_text = row.get("due", "").strip()
    try:
        due_date, _ = parse_due(due_text)
    except DueDateError as exc:
        problems.append(RowProblem(number, "due", due_text, str(exc)))
        due_date = None
    else:
        if due_date is None:
            problems.append(RowProblem(number, "due", due_text, "a deliverable needs a month it is due by"))
    key = (row.get("delivery_group", "").strip(), row.get("sub_group", "").strip())
    group = groups.get(key)
    if group is None:
        problems.append(RowProblem(number, "delivery_group", " ".join(k for k in key if k), "no such delivery group in this strategy"))
    statement = row.get("deliverable", "").strip()
    if not statement:
        problems.append(RowProblem(number, "deliverable", "", "the deliverable's statement is missing"))
    linked = _actions_linked(number, row.get("actions", ""), group, actions, problems)
    return number, group, statement, due_date, due_text, linked


def _actions_linked(number: int, refs: str, group: DeliveryGroup | None, actions: dict, problems: list[RowProblem]) -> list[Action]:
    linked = []
    for ref in refs_listed(refs):
        action = actions.get(ref.casefold())
        if action is None:
            problems.append(RowProblem(number, "actions", ref, "no action has this ref in the strategy"))
        elif group is not None and action.group_id != group.pk and action.group.parent_id != group.pk:
            problems.append(RowProblem(number, "actions", ref, f"this action is not in {group}"))
        else:
            linked.append(action)
    return linked


def deliverables_apply(read: DeliverablesImport, *, strategy: Strategy) -> DeliverablesImport:
    """Create the deliverables `deliverables_read` checked, linked to their actions, in one transaction."""
    result = DeliverablesImport()
    with transaction.atomic():
        for position, (_, group, statement, due_date, due_text, linked) in enumerate(read.wanted, start=1):
            deliverable, created = Deliverable.objects.get_or_create(
                strategy=strategy,
                statement=statement,
                due_date=due_date,
                defaults={"group": group, "due_text": due_text, "position": position},
            )
            result.created += created
            result.unchanged += not created
            deliverable.actions.add(*linked)
            result.linked += len(linked)
    result.shown = read.shown
    return result


def _groups(strategy: Strategy) -> list[DeliveryGroup]:
    return list(DeliveryGroup.objects.filter(strategy=strategy).select_related("parent"))
