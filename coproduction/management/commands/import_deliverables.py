from __future__ import annotations

from actions.commands import StrategyCommand
from coproduction.importers import deliverables_import


class Command(StrategyCommand):
    help = "Import a plan's deliverables (what families will see, and when), linked to the actions that deliver them."
    reads_file = True

    def handle(self, *args, path, strategy: str, partnership: str | None, **options) -> None:
        target = self.strategy_named(strategy, partnership)
        path = self.file_at(path)
        result, problems = deliverables_import(strategy=target, content=path.read_bytes(), filename=path.name)
        if problems:
            self.refuse(problems, path, "imported")
        self.stdout.write(
            f"Deliverables of '{target.name}': {result.created} added, {result.unchanged} already there, {result.linked} links to actions."
        )
