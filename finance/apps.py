from __future__ import annotations

from django.apps import AppConfig


class FinanceConfig(AppConfig):
    name = "finance"
    verbose_name = "High-needs budget"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        # Registers the actual figures' source with the intake pipeline.
        import finance.readers  # noqa: F401
        from actions.models import Snapshot
        from finance.services import snapshot_mitigations

        def freeze(sender, instance, created, **kwargs) -> None:
            if created:
                snapshot_mitigations(instance)

        # A snapshot freezes the mitigations with the plan, in the snapshot's own transaction.
        post_save.connect(freeze, sender=Snapshot, dispatch_uid="finance.snapshot_mitigations", weak=False)
