"""Importing a plan's deliverables ("what you will see, and when") from a CSV or XLSX file."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from actions.models import Action, DeliveryGroup, DueDateError, Strategy, parse_due
from actions.tables import RowProblem, missing_columns, read_table
from coproduction.models import Deliverable

COLUMNS = ["due", "delivery_group", "deliverable"]  # and optionally sub_group, actions (refs separated by ";")


@dataclass
class DeliverablesImport:
    created: int = 0
    unchanged: int = 0
    linked: int = 0


def deliverables_import(*, strategy: Strategy, content: bytes, filename: str) -> tuple[DeliverablesImport | None, list[RowProblem]]:
    """Create the strategy's deliverables from the file, linked to the actions named by ref: all or nothing.

    Returns (result, []) when imported, or (None, problems) with every bad row
    and nothing written. Re-importing the same file changes nothing.
    """
    table = read_table(content, filename)
    problems = missing_columns(table, COLUMNS)
    if problems:
        return None, problems
    groups = {(g.parent.name if g.parent_id else g.name, g.name if g.parent_id else ""): g for g in _groups(strategy)}
    actions = {a.ref.casefold(): a for a in Action.objects.filter(strategy=strategy).select_related("group")}
    wanted = []
    for number, row in table[1:]:  # the first entry is the header row
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
        linked = []
        for ref in filter(None, (part.strip() for part in row.get("actions", "").split(";"))):
            action = actions.get(ref.casefold())
            if action is None:
                problems.append(RowProblem(number, "actions", ref, "no action has this ref in the strategy"))
            elif group is not None and action.group_id != group.pk and action.group.parent_id != group.pk:
                problems.append(RowProblem(number, "actions", ref, f"this action is not in {group}"))
            else:
                linked.append(action)
        wanted.append((number, group, statement, due_date, due_text, linked))
    if problems:
        return None, problems
    result = DeliverablesImport()
    with transaction.atomic():
        for position, (_, group, statement, due_date, due_text, linked) in enumerate(wanted, start=1):
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
    return result, []


def _groups(strategy: Strategy) -> list[DeliveryGroup]:
    return list(DeliveryGroup.objects.filter(strategy=strategy).select_related("parent"))
