"""The daily and hourly tasks beat runs, kept in the database so officers with admin access can change the times.

Background-job housekeeping runs every few seconds instead, from CELERY_BEAT_SCHEDULE (a setting).

Installed by a data migration; idempotent: running it again (or after someone
edited the schedule) changes nothing.
"""

from __future__ import annotations

from django.utils import timezone

# (name, task, crontab fields, description)
PERIODIC_TASKS = [
    (
        "Daily overdue sweep and chasing emails",
        "actions.tasks.sweep_overdue",
        {"minute": "0", "hour": "6"},
        "Records newly overdue actions and emails each owner and officer a digest of what the rule book flags.",
    ),
    (
        "Reminders before board meetings",
        "governance.tasks.remind_before_meetings",
        {"minute": "5", "hour": "6"},
        "Reminds owners to update their actions before each meeting's papers deadline.",
    ),
    (
        "Send waiting chasing emails",
        "actions.tasks.send_pending_digests",
        {"minute": "30", "hour": "*"},
        "Sends digests still waiting, for example after the mail server was down.",
    ),
    (
        "Clear ended sessions",
        "accounts.tasks.clear_ended_sessions",
        {"minute": "15", "hour": "3"},
        "Deletes the sessions that ended more than a session's longest lifetime ago.",
    ),
]


def schedule_install(apps) -> None:
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    changed = False
    for name, task, when, description in PERIODIC_TASKS:
        crontab, _ = CrontabSchedule.objects.get_or_create(
            day_of_week="*", day_of_month="*", month_of_year="*", timezone="Europe/London", **when
        )
        _, created = PeriodicTask.objects.get_or_create(name=name, defaults={"task": task, "crontab": crontab, "description": description})
        changed = changed or created
    if changed:
        # Tell a running beat that the schedule changed.
        PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def schedule_remove(apps) -> None:
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=[name for name, *_ in PERIODIC_TASKS]).delete()
