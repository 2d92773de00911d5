"""Board packs and evidence packs move to the reporting app: only Django's record of them moves.

Their tables keep their names (reporting's models name them), so no row is
copied or lost. Content types and the housekeeping task's name follow them.
"""

from __future__ import annotations

from django.db import migrations

MODELS = ["boardreport", "evidencepack"]
TASKS = [("governance.tasks.housekeep_board_reports", "reporting.tasks.housekeep_board_reports")]


def move(apps, schema_editor, *, old: str = "governance", new: str = "reporting", forwards: bool = True) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label=new, model__in=MODELS).exists():
        ContentType.objects.filter(app_label=old, model__in=MODELS).update(app_label=new)
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for before, after in TASKS:
        if not forwards:
            before, after = after, before
        PeriodicTask.objects.filter(task=before).update(task=after)


def move_back(apps, schema_editor) -> None:
    move(apps, schema_editor, old="reporting", new="governance", forwards=False)


class Migration(migrations.Migration):
    dependencies = [
        ("governance", "0008_strategy_revision_triggers"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="evidencepack",
                    name="finding",
                ),
                migrations.RemoveField(
                    model_name="evidencepack",
                    name="requested_by",
                ),
                migrations.RemoveField(
                    model_name="evidencepack",
                    name="strategy",
                ),
                migrations.DeleteModel(
                    name="BoardReport",
                ),
                migrations.DeleteModel(
                    name="EvidencePack",
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move, move_back),
    ]
