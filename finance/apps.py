from __future__ import annotations

from django.apps import AppConfig


class FinanceConfig(AppConfig):
    name = "finance"
    verbose_name = "High-needs budget"

    def ready(self) -> None:
        from actions.signals import on_snapshot_taken
        from intake.readers import reader_module_register

        # Names the actual figures' source to the intake pipeline (loaded when an upload first asks for it).
        reader_module_register("finance.readers")
        # A snapshot freezes the mitigations with the plan.
        on_snapshot_taken("finance.services.snapshot_mitigations")
