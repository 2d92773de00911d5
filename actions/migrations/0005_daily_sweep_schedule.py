"""The daily sweep and the retry of waiting emails, as periodic tasks officers can edit in the admin.

Idempotent: running it again (or after someone edited the schedule) changes nothing.
"""

from django.db import migrations
from django.utils import timezone

SWEEP = "Daily overdue sweep and chasing emails"
SEND = "Send waiting chasing emails"


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    six_am, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="6", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Europe/London"
    )
    half_past, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="*", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Europe/London"
    )
    _, created_sweep = PeriodicTask.objects.get_or_create(
        name=SWEEP,
        defaults={
            "task": "actions.tasks.sweep_overdue",
            "crontab": six_am,
            "description": "Flags overdue, due-soon and needs-update actions and emails each owner and officer a digest.",
        },
    )
    _, created_send = PeriodicTask.objects.get_or_create(
        name=SEND,
        defaults={
            "task": "actions.tasks.send_pending_digests",
            "crontab": half_past,
            "description": "Sends digests still waiting, for example after the mail server was down.",
        },
    )
    if created_sweep or created_send:
        # Tell a running beat that the schedule changed.
        PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=[SWEEP, SEND]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0004_overdue_flags_and_notifications"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
