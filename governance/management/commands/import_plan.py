from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from actions import trackers
from actions.models import ImportMapping, RatingScheme
from actions.planfile import plan_apply, plan_details_apply, strategy_for_import
from governance.services import boards_from_details, snapshot_stated_take
from intake.tables import ImportFileError
from send_tracker.security import security_event


class Command(BaseCommand):
    help = (
        "Import a development plan (CSV or XLSX, one row per action) into a strategy: all of it or nothing. "
        "A file in the import format is read as it is; any other tracker through a mapping (--mapping, "
        "a mapping saved for its layout, or one proposed from its headings)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--strategy", required=True, help="The strategy's name.")
        parser.add_argument("--partnership", help="The partnership's name (needed to create a new strategy).")
        parser.add_argument(
            "--scheme", help="Rating scheme code for a new strategy: cheshire-east, rag or brag (suggested from the ratings when left out)."
        )
        parser.add_argument(
            "--mapping",
            help="How a tracker's columns read: the name of a mapping saved for the strategy, or a mapping file (.json).",
        )
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
        mapping: str | None = None,
        no_snapshot: bool = False,
        **options,
    ) -> None:
        # call_command() passes keyword options as given, without the parser's type conversion.
        path, details = Path(path), (Path(details) if details is not None else None)
        if not path.is_file():
            raise CommandError(f"There is no file at {path}.")
        if details is not None and not details.is_file():
            raise CommandError(f"There is no details file at {details}.")
        content = path.read_bytes()
        given = None
        if mapping and mapping.lower().endswith(".json"):
            try:
                given = trackers.mapping_file_read(self._file(mapping))
            except ImportFileError as exc:
                raise CommandError(str(exc)) from None
        with transaction.atomic():
            suggested = trackers.scheme_suggested(trackers.ratings_found(content, path.name, given))
            try:
                target = strategy_for_import(
                    strategy_name=strategy, partnership_name=partnership, scheme_code=scheme or (given or {}).get("scheme") or suggested
                )
            except ImportFileError as exc:
                raise CommandError(str(exc)) from None
            if mapping and given is None:
                given = self._saved(target, mapping)
            used, layout = trackers.command_mapping(content, path.name, target, given)
            if used:
                self._describe(used, layout)
            changes = trackers.plan_file_read(content, path.name, target, used)
            if not scheme and suggested and changes.scheme.code == suggested:
                self.stdout.write(f"Rating scheme: {changes.scheme.name} (the ratings in the file suggest it).")
            if not changes.ok:
                for problem in changes.problems:
                    self.stderr.write(str(problem))
                if suggested and suggested != changes.scheme.code and any(p.message.startswith("not a rating") for p in changes.problems):
                    other = RatingScheme.objects.filter(code=suggested).first()
                    self.stderr.write(
                        f"The ratings in the file look like the {other.name if other else suggested} scheme; "
                        f"'{target.name}' uses {changes.scheme.name}: map each rating with --mapping."
                    )
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
        if changes.refs_made:
            self.stdout.write("The file has no ref column: refs were made from the plan's order (1.1, 1.2 ...), and match on re-import.")
        if changes.missing:
            self.stdout.write(
                f"{len(changes.missing)} action(s) in the strategy are not in the file and were left as they are: "
                + ", ".join(changes.missing)
            )

    def _file(self, name: str) -> Path:
        path = Path(name)
        if not path.is_file():
            raise CommandError(f"There is no mapping file at {path}.")
        return path

    def _saved(self, target, name: str) -> dict:
        saved = ImportMapping.objects.filter(strategy=target, name=name).first()
        if saved is None:
            names = ", ".join(ImportMapping.objects.filter(strategy=target).values_list("name", flat=True)) or "none yet"
            raise CommandError(f"'{target.name}' has no saved mapping called '{name}' (saved: {names}).")
        return saved.mapping

    def _describe(self, mapping: dict, layout) -> None:
        columns = sorted(trackers.columns_of(layout, mapping).items(), key=lambda item: item[1])
        read = "; ".join(f"{layout.headers[index]} → {trackers.COLUMN_LABELS[column]}" for column, index in columns)
        self.stdout.write(f"Reading '{layout.sheet}' (headings on row {layout.header_row}): {read}.")
