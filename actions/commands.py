"""What the management commands about one strategy share: naming it, reading a file, reporting problems."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from actions.models import Strategy
from actions.tables import RowProblem


class StrategyCommand(BaseCommand):
    """A command about one strategy, named by --strategy (and --partnership where several share the name).

    With `reads_file`, it takes the path of a CSV or XLSX file first.
    """

    reads_file = False

    def add_arguments(self, parser) -> None:
        if self.reads_file:
            parser.add_argument("path", type=Path)
        parser.add_argument("--strategy", required=True, help="The strategy's name.")
        parser.add_argument("--partnership", help="The partnership's name, where several have a strategy of that name.")

    def strategy_named(self, strategy: str, partnership: str | None) -> Strategy:
        try:
            return Strategy.named(strategy, partnership)
        except LookupError as exc:
            raise CommandError(str(exc)) from None

    def file_at(self, path: str | Path) -> Path:
        path = Path(path)  # call_command() passes options as given, without the parser's conversion
        if not path.is_file():
            raise CommandError(f"There is no file at {path}.")
        return path

    def refuse(self, problems: list[RowProblem], path: Path, what: str) -> None:
        """Print every problem with its row and column, then stop: nothing was written."""
        for problem in problems:
            self.stderr.write(str(problem))
        raise CommandError(f"{len(problems)} problem(s) in {path.name}: nothing was {what}.")
