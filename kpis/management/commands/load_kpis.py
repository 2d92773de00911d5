from __future__ import annotations

from actions.commands import SourceCommand


class Command(SourceCommand):
    help = "Create or update a strategy's KPIs from a CSV or XLSX of definitions (one row per KPI): all of it or nothing."
    source = "kpi-definitions"

    def said(self, changes, applied, *, path, strategy) -> str:
        return f"Loaded KPIs into '{strategy.name}': {changes.created} new, {changes.updated} changed, {changes.unchanged} unchanged."
