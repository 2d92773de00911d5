from __future__ import annotations

from django.apps import AppConfig


class RisksConfig(AppConfig):
    name = "risks"
    verbose_name = "Risk register"

    def ready(self) -> None:
        from actions.signals import on_snapshot_taken
        from risks.services import snapshot_risks

        # A snapshot freezes the register with the plan.
        on_snapshot_taken(snapshot_risks, "risks.snapshot_risks")
