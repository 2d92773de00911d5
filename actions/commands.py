"""What the management commands about one strategy share: naming it, reading a file, reporting problems."""

from __future__ import annotations

from django.core.management.base import CommandError

from actions.models import Strategy
from intake.commands import FileCommand


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
