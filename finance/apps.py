from __future__ import annotations

from django.apps import AppConfig


class FinanceConfig(AppConfig):
    name = "finance"
    verbose_name = "High-needs budget"

    def ready(self) -> None:
        # Registers the actual figures' source with the intake pipeline.
        import finance.readers  # noqa: F401
        from actions.signals import on_snapshot_taken
        from finance.services import snapshot_mitigations

        # A snapshot freezes the mitigations with the plan.
        on_snapshot_taken(snapshot_mitigations, "finance.snapshot_mitigations")
