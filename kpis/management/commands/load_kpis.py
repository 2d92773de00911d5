from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from actions.models import Strategy
from kpis.importers import indicators_load


class Command(BaseCommand):
    help = "Create or update a strategy's KPIs from a CSV or XLSX of definitions (one row per KPI): all of it or nothing."

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--strategy", required=True, help="The strategy's name.")
        parser.add_argument("--partnership", help="The partnership's name, where several have a strategy of that name.")

    def handle(self, *args, path: Path, strategy: str, partnership: str | None = None, **options) -> None:
        path = Path(path)
        if not path.is_file():
            raise CommandError(f"There is no file at {path}.")
        try:
            target = Strategy.named(strategy, partnership)
        except LookupError as exc:
            raise CommandError(str(exc)) from None
        result = indicators_load(path.read_bytes(), path.name, target)
        if result.problems:
            for problem in result.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"{len(result.problems)} problem(s) in {path.name}: nothing was loaded.")
        self.stdout.write(
            f"Loaded KPIs into '{target.name}': {result.created} new, {result.updated} changed, {result.unchanged} unchanged."
        )
