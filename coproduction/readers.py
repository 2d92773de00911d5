"""The deliverables source the intake pipeline reads: what families will see, and when, linked to the actions that deliver it."""

from __future__ import annotations

from typing import Any

from coproduction.importers import DeliverablesImport, deliverables_apply, deliverables_read
from intake.readers import Applied, Reader, register


@register
class DeliverablesReader(Reader):
    name = "deliverables"
    title = "Import deliverables"
    what = "deliverables"
    form_hint = (
        "A CSV (UTF-8) or Excel (.xlsx) file with one row per deliverable: due, delivery_group and deliverable, and optionally "
        "sub_group and actions (refs separated by ;)."
    )
    officer_does = "import deliverables"
    preview_heading = "Check the deliverables"
    confirm_label = "Import these deliverables"
    changes_template = "coproduction/intake.html#deliverables-changes"
    done_url_name = "coproduction:public_manage"

    def read(self, content: bytes, filename: str, strategy: Any, *, upload: Any = None) -> DeliverablesImport:
        return deliverables_read(strategy=strategy, content=content, filename=filename)

    def apply(self, changes: DeliverablesImport, *, user: Any, strategy: Any, upload: Any, choices: dict) -> Applied:
        done = deliverables_apply(changes, strategy=strategy)
        message = (
            f"Imported {upload.filename}: {done.created} deliverables added, {done.unchanged} already there, "
            f"{done.linked} links to actions."
        )
        return Applied(message, done.summary())
