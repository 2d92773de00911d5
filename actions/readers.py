"""The plan sources the intake pipeline reads: a plan in the import format, or an officer's own tracker once its columns are matched."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone

from actions import trackers
from actions.forms import PlanImportForm
from actions.models import Action, ImportMapping, PlanImport, Strategy
from actions.plan import actions_retire_missing, strategy_is_empty
from actions.planfile import PlanChanges, plan_apply
from intake.readers import Applied, Reader, register


@register
class PlanReader(Reader):
    name = "plan"
    title = "Import an updated plan"
    what = "plan"
    record = PlanImport
    form_class = PlanImportForm
    officer_does = "import a plan"
    preview_heading = "Check what will change"
    intro_template = "actions/plan_import.html#intro"
    notes_template = "actions/plan_import.html#notes"
    changes_template = "actions/plan_import.html#changes"
    confirm_fields_template = "actions/plan_import.html#retire-missing"
    conflict = "Someone else changed this plan at the same moment: upload the file again to see what is left to change."
    event = "plan_import"
    upload_url_name = "actions:plan_import"
    upload_post_url_name = "actions:plan_import_upload"
    preview_url_name = "actions:plan_import_preview"
    confirm_url_name = "actions:plan_import_confirm"

    def title_for(self, strategy: Strategy) -> str:
        # A strategy made to bring its plan in has no plan yet to update.
        return "Import the plan" if strategy_left_empty(strategy) else self.title

    def first_read(self, content: bytes, filename: str, strategy: Strategy) -> tuple[PlanChanges | None, dict]:
        # A file in the import format, or laid out like a tracker already mapped, goes to the preview;
        # any other tracker first to the page where the officer says how its columns read.
        reading = trackers.plan_upload_read(content, filename, strategy)
        return reading.changes, {"mapping": reading.mapping, "layout": reading.layout}

    def read(self, content: bytes, filename: str, strategy: Strategy, *, upload: Any = None) -> PlanChanges:
        # Through the same mapping as the preview: the plan may have changed since.
        return trackers.plan_file_read(content, filename, strategy, upload.mapping if upload is not None else {})

    def apply(self, changes: PlanChanges, *, user: Any, strategy: Strategy, upload: Any, choices: dict) -> Applied:
        changes = plan_apply(changes, user=user)
        retired = 0
        if choices.get("retire_missing") == "on" and changes.missing:
            # The officer ticked it on the preview: the actions the file no longer has are retired as withdrawn.
            retired = actions_retire_missing(actor=user, strategy=strategy, refs=changes.missing, filename=upload.filename)
        if upload.mapping:
            # Applied: the layout's mapping is kept for the strategy, for the next upload and the command line.
            ImportMapping.objects.update_or_create(
                strategy=strategy,
                name=upload.mapping.get("name") or upload.filename[:100],
                defaults={"layout": upload.layout, "mapping": upload.mapping, "saved_by": user, "saved_at": timezone.now()},
            )
        message = (
            f"Imported {upload.filename}: {len(changes.created)} new actions, {len(changes.updated)} changed, "
            f"{len(changes.unchanged)} unchanged" + (f", {retired} retired." if retired else ".")
        )
        logged = {"created": len(changes.created), "changed": len(changes.updated)}
        return Applied(message, {**changes.summary(), "retired": retired}, logged)

    def next_url(self, upload: PlanImport) -> str:
        if upload.status == PlanImport.Status.MAPPING:
            return reverse("actions:plan_import_mapping", args=[upload.pk])
        return self.preview_url(upload)

    def preview_context(self, upload: PlanImport) -> dict:
        return {"columns_read": trackers.columns_described(upload.mapping), "strategy_empty": strategy_left_empty(upload.strategy)}


def strategy_left_empty(strategy: Strategy) -> bool:
    """Whether the strategy has nothing in it yet (made to import a file, say), so that the officer may discard it."""
    return not strategy.actions.exists() and strategy_is_empty(strategy)


def draft_import(strategy: Strategy) -> PlanImport | None:
    """The file a strategy was made for and still waits on, while nothing is in it: the strategy is a draft to finish or discard."""
    if strategy.actions.exists():
        return None
    waiting = strategy.imports.exclude(status=PlanImport.Status.APPLIED).only("pk", "filename", "status").order_by("-uploaded_at", "-pk")
    upload = waiting.first()
    return upload if upload is not None and strategy_is_empty(strategy) else None


def strategies_marked_draft(strategies):
    """The strategies with `draft` set on each: True for one with no actions and a plan file not yet imported."""
    from django.db.models import Exists, OuterRef

    actions = Action.objects.filter(strategy=OuterRef("pk"))
    waiting = PlanImport.objects.filter(strategy=OuterRef("pk")).exclude(status=PlanImport.Status.APPLIED)
    return strategies.annotate(draft=~Exists(actions) & Exists(waiting))
