"""The periodic tasks beat runs (governance.schedule), kept in the database so they can be changed in the admin."""

from __future__ import annotations

from django.db import migrations


def install(apps, schema_editor) -> None:
    from governance.schedule import schedule_install

    schedule_install(apps)


def remove(apps, schema_editor) -> None:
    from governance.schedule import schedule_remove

    schedule_remove(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("governance", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(install, remove)]
