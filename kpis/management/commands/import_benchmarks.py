from __future__ import annotations

from actions.commands import StrategyCommand
from kpis.open_data import benchmarks_apply, benchmarks_read
from send_tracker.security import security_event


class Command(StrategyCommand):
    help = "Read an Explore Education Statistics open-data CSV into the strategy's KPI values and benchmarks: all or nothing."
    reads_file = True

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--dry-run", action="store_true", help="Say what would be added, and add nothing.")

    def handle(self, *args, path, strategy: str, partnership: str | None = None, dry_run: bool = False, **options) -> None:
        path, target = self.file_at(path), self.strategy_named(strategy, partnership)
        changes = benchmarks_read(path.read_bytes(), path.name, target)
        if not changes.ok:
            self.refuse(changes.problems, path, "imported")
        summary = changes.summary()
        if not dry_run:
            benchmarks_apply(changes, user=None, strategy=target)
            security_event("benchmark_import", strategy_id=target.pk, file=path.name, values=summary["new_values"])
        self.stdout.write(
            f"{'Would add' if dry_run else 'Added'} {summary['new_values']} values and {summary['new_benchmarks']} benchmarks "
            f"to '{target.name}' for {changes.la_name} ({summary['kept']} years already held differently, kept)."
        )
