from __future__ import annotations

from actions.commands import SourceCommand
from intake.readers import readers


class Command(SourceCommand):
    help = "Import a file of any source the upload pages take (a plan, KPI values or definitions, open data, deliverables): all or nothing."

    def add_arguments(self, parser) -> None:
        parser.add_argument("source", choices=[reader.name for reader in readers()], help="What the file holds.")
        super().add_arguments(parser)
        parser.add_argument("--dry-run", action="store_true", help="Check the file and say whether it would import; write nothing.")
