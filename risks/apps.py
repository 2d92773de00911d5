from __future__ import annotations

from django.apps import AppConfig


class RisksConfig(AppConfig):
    name = "risks"
    verbose_name = "Risk register"

    def ready(self) -> None:
        from actions.signals import on_snapshot_taken

        # A snapshot freezes the register with the plan.
        on_snapshot_taken("risks.services.snapshot_risks")
