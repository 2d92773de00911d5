"""Board pack housekeeping joins the periodic tasks (governance.schedule) on installs that have the others already.

Packs requested before their queued_at was recorded count as queued when they were requested.
"""

from __future__ import annotations

from django.db import migrations
from django.db.models import F


def install(apps, schema_editor) -> None:
    from governance.schedule import schedule_install

    apps.get_model("governance", "BoardReport").objects.update(queued_at=F("requested_at"))
    schedule_install(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("governance", "0004_board_report_housekeeping"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
