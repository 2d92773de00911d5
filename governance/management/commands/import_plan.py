from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from actions.planfile import plan_apply, plan_details_apply, plan_read, strategy_for_import
from actions.tables import ImportFileError
from governance.services import boards_from_details, snapshot_stated_take
from send_tracker.security import security_event


class Command(BaseCommand):
    help = "Import a development plan (CSV or XLSX, one row per action) into a strategy: all of it or nothing."

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--strategy", required=True, help="The strategy's name.")
        parser.add_argument("--partnership", help="The partnership's name (needed to create a new strategy).")
        parser.add_argument("--scheme", help="Rating scheme code for a new strategy: cheshire-east, rag or brag.")
        parser.add_argument("--details", type=Path, help="A plan.json with group texts, organisations and the ratings date.")
        parser.add_argument("--dry-run", action="store_true", help="Check the file and report what would change; write nothing.")
        parser.add_argument(
            "--no-snapshot",
            action="store_true",
            help="Do not take the snapshot the details' ratings date states (take it later, e.g. after loading KPI values).",
        )

    def handle(
        self,
        *args,
        path: Path,
        strategy: str,
        partnership: str | None,
        scheme: str | None,
        details: Path | None,
        dry_run: bool,
        no_snapshot: bool = False,
        **options,
    ) -> None:
        # call_command() passes keyword options as given, without the parser's type conversion.
        path, details = Path(path), (Path(details) if details is not None else None)
        if not path.is_file():
            raise CommandError(f"There is no file at {path}.")
        if details is not None and not details.is_file():
            raise CommandError(f"There is no details file at {details}.")
        with transaction.atomic():
            try:
                target = strategy_for_import(strategy_name=strategy, partnership_name=partnership, scheme_code=scheme)
            except ImportFileError as exc:
                raise CommandError(str(exc)) from None
            changes = plan_read(path.read_bytes(), path.name, target)
            if not changes.ok:
                for problem in changes.problems:
                    self.stderr.write(str(problem))
                transaction.set_rollback(True)
                raise CommandError(f"{len(changes.problems)} problem(s) in {path.name}: nothing was imported.")
            if dry_run:
                transaction.set_rollback(True)
            else:
                changes = plan_apply(changes)
                if details is not None:
                    applied = plan_details_apply(target, details)
                    boards_from_details(target, applied.get("governance", []))
                    if not no_snapshot:
                        snapshot_stated_take(strategy=target)
        verb = "Would import" if dry_run else "Imported"
        if not dry_run:
            security_event("plan_import", strategy_id=target.pk, file=path.name, created=len(changes.created), changed=len(changes.updated))
        self.stdout.write(
            f"{verb} {len(changes.actions)} actions into '{target.name}': {len(changes.created)} new, "
            f"{len(changes.updated)} changed ({len(changes.rating_changes)} rating changes), {len(changes.unchanged)} unchanged."
        )
        if changes.missing:
            self.stdout.write(
                f"{len(changes.missing)} action(s) in the strategy are not in the file and were left as they are: "
                + ", ".join(changes.missing)
            )
