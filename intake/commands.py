"""What the management commands that read a file share: taking its path, reporting its problems by row, applying it through a reader."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from intake.readers import Applied, Changes, Reader
from intake.services import upload_record
from intake.tables import RowProblem


class FileCommand(BaseCommand):
    """A command that, with `reads_file`, takes the path of a CSV or XLSX file first."""

    reads_file = False

    def add_arguments(self, parser) -> None:
        if self.reads_file:
            parser.add_argument("path", type=Path)

    def file_at(self, path: str | Path) -> Path:
        path = Path(path)  # call_command() passes options as given, without the parser's conversion
        if not path.is_file():
            raise CommandError(f"There is no file at {path}.")
        return path

    def refuse(self, problems: list[RowProblem], path: Path, what: str) -> None:
        """Print every problem with its row and column, then stop: nothing was written."""
        for problem in problems:
            self.stderr.write(str(problem))
        raise CommandError(f"{len(problems)} problem(s) in {path.name}: nothing was {what}.")

    def reader_apply(self, reader: Reader, path: Path, strategy: Any, *, dry_run: bool = False) -> tuple[Changes, Applied | None]:
        """Read the file as the upload pages do and, unless a dry run, apply all of it in one transaction.

        Returns what was read, and what applying it did (None for a dry run).
        """
        content = path.read_bytes()
        changes = reader.read(content, path.name, strategy)
        if not changes.ok:
            self.refuse(changes.problems, path, reader.done_verb)
        if dry_run:
            return changes, None
        # Not kept: the command line has its own record, and the reader only reads the file's name from it.
        upload = upload_record(reader)(strategy=strategy, filename=path.name, content=content)
        with transaction.atomic():
            return changes, reader.apply(changes, user=None, strategy=strategy, upload=upload, choices={})
