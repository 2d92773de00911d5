"""What the management commands about one strategy share: naming it, reading a file, reporting problems."""

from __future__ import annotations

import calendar
import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction

from actions.models import Strategy
from intake.commands import FileCommand
from intake.readers import Applied, reader_named
from send_tracker.security import security_event

# The plan the demo loads from fixtures/cheshire-east-one-plan, which the demo's other commands fill in.
ONE_PLAN = "SEND and AP One Plan 2025-2028"


def month_shift(day: dt.date, months: int) -> dt.date:
    """The same day so many months later (or earlier); a month's last day stays its month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    at_end = day.day == calendar.monthrange(day.year, day.month)[1]
    return dt.date(year, month + 1, last if at_end else min(day.day, last))


class StrategyCommand(FileCommand):
    """A command about one strategy, named by --strategy (and --partnership where several share the name).

    With `reads_file`, it takes the path of a CSV or XLSX file first.
    """

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--strategy", required=True, help="The strategy's name.")
        parser.add_argument("--partnership", help="The partnership's name, where several have a strategy of that name.")

    def strategy_named(self, strategy: str, partnership: str | None) -> Strategy:
        try:
            return Strategy.named(strategy, partnership)
        except LookupError as exc:
            raise CommandError(str(exc)) from None


class SourceCommand(StrategyCommand):
    """A command that imports a file into one strategy through the reader its upload page uses: all of it or nothing.

    `source` names the reader (a command that takes it as an argument leaves it blank);
    `said` is what the command prints once the file is in.
    """

    reads_file = True
    source = ""

    def handle(self, *args, path, strategy: str, partnership: str | None = None, dry_run: bool = False, **options) -> None:
        reader = reader_named(options.get("source") or self.source)
        path, target = self.file_at(path), self.strategy_named(strategy, partnership)
        changes, applied = self.reader_apply(reader, path, target, dry_run=dry_run)
        if applied is not None and reader.event:
            security_event(reader.event, strategy_id=target.pk, file=path.name, **applied.logged)
        self.stdout.write(self.said(changes, applied, path=path, strategy=target))

    def said(self, changes: Any, applied: Applied | None, *, path: Path, strategy: Strategy) -> str:
        """The reader's own message, or, for a dry run, that the file would import."""
        if applied is None:
            return f"{path.name} has no problems: it would import into '{strategy.name}' (a dry run: nothing was written)."
        return applied.message


class DemoCommand(BaseCommand):
    """A demo command that adds illustrative rows to the One Plan in one transaction, once: never while it has some.

    `fills` is the model of the rows (with a `strategy`), `what` their name in its messages,
    and `seed` adds them and says what it added.
    """

    fills: type[models.Model]
    what = ""

    def handle(self, *args, **options) -> None:
        strategy = Strategy.objects.filter(name=ONE_PLAN).select_related("partnership").first()
        if strategy is None:
            self.stdout.write(f"The One Plan is not loaded: no {self.what} added.")
        elif self.fills.objects.filter(strategy=strategy).exists():
            self.stdout.write(f"The One Plan already has a {self.what}: left as it is.")
        else:
            with transaction.atomic():
                said = self.seed(strategy)
            self.stdout.write(said)

    def seed(self, strategy: Strategy) -> str:
        raise NotImplementedError
