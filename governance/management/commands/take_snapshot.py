from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from actions.models import Strategy
from governance.forms import as_at_problem
from governance.services import snapshot_take


class Command(BaseCommand):
    help = "Freeze a strategy's ratings, due dates, owners and latest narratives as at a date (a reporting snapshot)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--strategy", required=True, help="The strategy's name.")
        parser.add_argument("--partnership", help="The partnership's name, when several have a strategy of that name.")
        parser.add_argument("--as-at", dest="as_at", required=True, help="The date the snapshot is as at, YYYY-MM-DD.")
        parser.add_argument("--note", default="", help="A short note shown beside the snapshot.")

    def handle(self, *args, strategy: str, partnership: str | None, as_at: str, note: str, **options) -> None:
        try:
            date = dt.date.fromisoformat(str(as_at))
        except ValueError:
            raise CommandError(f"'{as_at}' is not a date: use YYYY-MM-DD, for example 2025-05-14.") from None
        try:
            target = Strategy.named(strategy, partnership)
        except LookupError as exc:
            raise CommandError(str(exc)) from None
        problem = as_at_problem(target, date, timezone.localdate())
        if problem:
            raise CommandError(f"{problem}.")
        snapshot = snapshot_take(strategy=target, as_at=date, note=note)
        self.stdout.write(f"Took a snapshot of '{target.name}' as at {date:%-d %B %Y}: {snapshot.items.count()} actions.")
