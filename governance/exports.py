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
from actions.models import Action, DeliveryGroup, DueDateError, parse_due
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
