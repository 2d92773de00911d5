from __future__ import annotations

from actions.commands import StrategyCommand
from kpis.importers import kpi_values_import
from send_tracker.security import security_event


class Command(StrategyCommand):
    help = "Import KPI values (indicator, period, value[, england, region, statistical_neighbours, note]): all or nothing."
    reads_file = True

    def handle(self, *args, path, strategy: str, partnership: str | None = None, **options) -> None:
        path, target = self.file_at(path), self.strategy_named(strategy, partnership)
        result = kpi_values_import(path.read_bytes(), path.name, target)
        if result.problems:
            self.refuse(result.problems, path, "imported")
        security_event("kpi_value_import", strategy_id=target.pk, file=path.name, created=result.created)
        self.stdout.write(f"Imported {result.created} KPI values into '{target.name}' ({result.unchanged} already there).")
