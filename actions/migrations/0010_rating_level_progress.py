"""Every rating level has exactly one class: not started, on track, at risk or complete.

The shipped levels take the class their meaning says (RAG's and BRAG's Amber,
"some risk to delivery", is at risk; Cheshire East's Amber, "on track, not
complete", is on track). Any other level takes the class its old flags gave it.
The flags become read-only columns the database derives from the class.
"""

from __future__ import annotations

from django.db import migrations, models
from django.db.models import Q

PROGRESS_CHOICES = [("not_started", "Not started"), ("on_track", "On track"), ("at_risk", "At risk"), ("complete", "Complete")]


def classify_levels(apps, schema_editor) -> None:
    from actions.schemes import shipped_progress

    shipped = shipped_progress()
    RatingLevel = apps.get_model("actions", "RatingLevel")  # noqa: N806 - a model class
    for level in RatingLevel.objects.select_related("scheme"):
        progress = shipped.get((level.scheme.code, level.code))
        if progress is None:
            if level.is_complete:
                progress = "complete"
            elif level.is_risk:
                progress = "at_risk"
            elif level.is_on_track:
                progress = "on_track"
            else:
                progress = "not_started"
        level.progress = progress
        level.save(update_fields=["progress"])


def _generated(progress: str, help_text: str) -> models.GeneratedField:
    return models.GeneratedField(
        expression=Q(progress=progress), output_field=models.BooleanField(), db_persist=True, help_text=help_text
    )


class Migration(migrations.Migration):
    dependencies = [("actions", "0009_sweep_without_per_row_work")]

    operations = [
        migrations.AddField(
            model_name="ratinglevel",
            name="progress",
            field=models.CharField(max_length=20, null=True, choices=PROGRESS_CHOICES),
        ),
        migrations.RunPython(classify_levels, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="ratinglevel",
            name="progress",
            field=models.CharField(
                max_length=20,
                choices=PROGRESS_CHOICES,
                help_text="What an action at this level is: not started, on track, at risk or complete.",
            ),
        ),
        migrations.RemoveConstraint(model_name="ratinglevel", name="ratinglevel_complete_is_not_risk"),
        migrations.RemoveField(model_name="ratinglevel", name="is_complete"),
        migrations.RemoveField(model_name="ratinglevel", name="is_risk"),
        migrations.RemoveField(model_name="ratinglevel", name="is_on_track"),
        migrations.AddField(
            model_name="ratinglevel", name="is_complete", field=_generated("complete", "Done: it can no longer be overdue.")
        ),
        migrations.AddField(
            model_name="ratinglevel", name="is_risk", field=_generated("at_risk", "At risk: a narrative must say how it will recover.")
        ),
        migrations.AddField(
            model_name="ratinglevel",
            name="is_on_track",
            field=_generated("on_track", "Claims to be on track: overdue at this level is inconsistent."),
        ),
        migrations.AddConstraint(
            model_name="ratinglevel",
            constraint=models.CheckConstraint(
                condition=Q(progress__in=["not_started", "on_track", "at_risk", "complete"]), name="ratinglevel_progress_valid"
            ),
        ),
        migrations.AddConstraint(
            model_name="ratinglevel",
            constraint=models.CheckConstraint(
                condition=Q(is_default=False) | Q(progress="not_started"), name="ratinglevel_default_is_not_started"
            ),
        ),
    ]
