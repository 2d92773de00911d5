from __future__ import annotations

from actions.commands import StrategyCommand
from kpis.importers import indicators_load


class Command(StrategyCommand):
    help = "Create or update a strategy's KPIs from a CSV or XLSX of definitions (one row per KPI): all of it or nothing."
    reads_file = True

    def handle(self, *args, path, strategy: str, partnership: str | None = None, **options) -> None:
        path, target = self.file_at(path), self.strategy_named(strategy, partnership)
        result = indicators_load(path.read_bytes(), path.name, target)
        if result.problems:
            self.refuse(result.problems, path, "loaded")
        self.stdout.write(
            f"Loaded KPIs into '{target.name}': {result.created} new, {result.updated} changed, {result.unchanged} unchanged."
        )
