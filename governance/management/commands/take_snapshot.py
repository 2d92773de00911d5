from __future__ import annotations

import datetime as dt

from django.core.management.base import CommandError
from django.utils import timezone

from actions.commands import StrategyCommand
from governance.forms import as_at_problem
from governance.services import snapshot_take


class Command(StrategyCommand):
    help = "Freeze a strategy's ratings, due dates, owners and latest narratives as at a date (a reporting snapshot)."

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--as-at", dest="as_at", required=True, help="The date the snapshot is as at, YYYY-MM-DD.")
        parser.add_argument("--note", default="", help="A short note shown beside the snapshot.")

    def handle(self, *args, strategy: str, partnership: str | None, as_at: str, note: str, **options) -> None:
        try:
            date = dt.date.fromisoformat(str(as_at))
        except ValueError:
            raise CommandError(f"'{as_at}' is not a date: use YYYY-MM-DD, for example 2025-05-14.") from None
        target = self.strategy_named(strategy, partnership)
        problem = as_at_problem(target, date, timezone.localdate())
        if problem:
            raise CommandError(f"{problem}.")
        snapshot = snapshot_take(strategy=target, as_at=date, note=note)
        self.stdout.write(f"Took a snapshot of '{target.name}' as at {date:%-d %B %Y}: {snapshot.items.count()} actions.")
