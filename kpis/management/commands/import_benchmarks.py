from __future__ import annotations

from actions.commands import SourceCommand


class Command(SourceCommand):
    help = "Read an Explore Education Statistics open-data CSV into the strategy's KPI values and benchmarks: all or nothing."
    source = "open-data"

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--dry-run", action="store_true", help="Say what would be added, and add nothing.")

    def said(self, changes, applied, *, path, strategy) -> str:
        summary = changes.summary()
        return (
            f"{'Would add' if applied is None else 'Added'} {summary['new_values']} values and {summary['new_benchmarks']} benchmarks "
            f"to '{strategy.name}' for {changes.la_name} ({summary['kept']} years already held differently, kept)."
        )
