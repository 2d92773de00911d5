from __future__ import annotations

from actions.commands import SourceCommand


class Command(SourceCommand):
    help = "Import a plan's deliverables (what families will see, and when), linked to the actions that deliver them."
    source = "deliverables"

    def said(self, changes, applied, *, path, strategy) -> str:
        done = applied.summary
        return (
            f"Deliverables of '{strategy.name}': {done['created']} added, {done['unchanged']} already there, "
            f"{done['linked']} links to actions."
        )
