from __future__ import annotations

from actions.commands import StrategyCommand
from intake.readers import reader_named, readers
from send_tracker.security import security_event


class Command(StrategyCommand):
    help = "Import a file of any source the upload pages take (a plan, KPI values or definitions, open data, deliverables): all or nothing."
    reads_file = True

    def add_arguments(self, parser) -> None:
        parser.add_argument("source", choices=[reader.name for reader in readers()], help="What the file holds.")
        super().add_arguments(parser)
        parser.add_argument("--dry-run", action="store_true", help="Check the file and say whether it would import; write nothing.")

    def handle(self, *args, source: str, path, strategy: str, partnership: str | None = None, dry_run: bool = False, **options) -> None:
        reader = reader_named(source)
        path, target = self.file_at(path), self.strategy_named(strategy, partnership)
        applied = self.reader_apply(reader, path, target, dry_run=dry_run)
        if applied is None:
            self.stdout.write(f"{path.name} has no problems: it would import into '{target.name}' (a dry run: nothing was written).")
            return
        if reader.event:
            security_event(reader.event, strategy_id=target.pk, file=path.name, **applied.logged)
        self.stdout.write(applied.message)
