from __future__ import annotations

import dataclasses
import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from actions.chasing import actions_sweep
from actions.tasks import send_pending_digests


class Command(BaseCommand):
    help = "Flag overdue, due-soon and needs-update actions and queue the chasing emails (what the daily scheduled task runs)."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="Sweep as if today were this date (YYYY-MM-DD).")
        parser.add_argument("--no-email", action="store_true", help="Queue notifications but do not send the digests now.")

    def handle(self, *args, today=None, no_email=False, **options):
        try:
            day = dt.date.fromisoformat(today) if today else None
        except ValueError:
            raise CommandError(f"--today must be a date as YYYY-MM-DD, not {today!r}") from None
        result = actions_sweep(today=day)
        for field in dataclasses.fields(result):
            self.stdout.write(f"{field.name.replace('_', ' ')}: {getattr(result, field.name)}")
        if not no_email:
            send_pending_digests.delay()
