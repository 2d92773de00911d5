"""Export actions in the plan import format (actions.importers.COLUMNS), as CSV or XLSX.

A file exported here imports back through `import_plan` unchanged: every
cell a spreadsheet would run as a formula is prefixed with an apostrophe,
and the importer removes exactly that prefix.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping

from actions.importers import COLUMNS, cell_escape
from actions.models import Action, DeliveryGroup, DueDateError, Post, Strategy, parse_due
from governance.summaries import ActionRow

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


def export_table(rows: Iterable[ActionRow], groups: Mapping[int, DeliveryGroup]) -> list[list[str]]:
    """The header and one line per action, every cell neutralised. Groups need priority and parent loaded."""
    table = [list(COLUMNS)]
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
            "due": due_cell(row),
            "rating": row.rating.label,
            "notes": row.notes,
        }
        table.append([cell_escape(values[column]) for column in COLUMNS])
    return table


def csv_bytes(table: list[list[str]]) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out).writerows(table)
    # A byte-order mark so that Excel reads the file as UTF-8.
    return out.getvalue().encode("utf-8-sig")


def xlsx_bytes(table: list[list[str]], title: str = "Actions") -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for line in table:
        # XLSX cannot hold most control characters: drop them rather than fail the download.
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", cell) for cell in line])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


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
