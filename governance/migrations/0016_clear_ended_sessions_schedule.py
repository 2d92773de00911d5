"""Clearing ended sessions joins the periodic tasks (governance.schedule) on installs that have the others already."""

from __future__ import annotations

from django.db import migrations


def install(apps, schema_editor) -> None:
    from governance.schedule import schedule_install

    schedule_install(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("governance", "0015_meeting_revision_triggers"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
