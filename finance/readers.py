"""The finance source the intake pipeline reads: actual figures achieved by the mitigations, from a spreadsheet."""

from __future__ import annotations

from typing import Any

from finance.importers import actuals_apply, actuals_read
from intake.readers import Applied, Found, Reader, register


@register
class FinanceActualsReader(Reader):
    name = "finance-actuals"
    title = "Upload actual figures"
    what = "actual figures"
    done_verb = "added"
    form_label = "Spreadsheet of actual figures"
    form_hint = (
        "A CSV (UTF-8) or Excel (.xlsx) file with the columns mitigation (its reference), year, as_at and achieved; optionally note."
    )
    officer_does = "upload actual figures"
    preview_heading = "Check the actual figures"
    applied_heading = "Added"
    confirm_label = "Add these figures"
    intro_template = "finance/intake.html#actuals-intro"
    changes_template = "finance/intake.html#actuals-changes"
    conflict = "Someone else changed the finance plan at the same moment: upload the file again."
    event = "finance_actuals_import"
    upload_url_name = "finance:actuals_upload"
    preview_url_name = "finance:actuals_preview"
    confirm_url_name = "finance:actuals_confirm"
    done_url_name = "finance:plan"
    done_label = "High-needs budget"
    reads = staticmethod(actuals_read)

    def apply(self, changes: Found, *, user: Any, strategy: Any, upload: Any, choices: dict) -> Applied:
        created = actuals_apply(changes, by=user)
        message = f"Added {created} actual figure{'s' if created != 1 else ''} from {upload.filename}."
        return Applied(message, {**changes.summary(), "created": created}, {"created": created})
