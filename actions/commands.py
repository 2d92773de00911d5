"""What the management commands about one strategy share: naming it, reading a file, reporting problems."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from actions.models import Strategy
from intake.commands import FileCommand
from intake.readers import Applied, reader_named
from send_tracker.security import security_event


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
