from __future__ import annotations

from actions.commands import SourceCommand


class Command(SourceCommand):
    help = "Import KPI values (indicator, period, value[, england, region, statistical_neighbours, note]): all or nothing."
    source = "kpi-values"

    def said(self, changes, applied, *, path, strategy) -> str:
        return f"Imported {changes.created} KPI values into '{strategy.name}' ({changes.unchanged} already there)."
