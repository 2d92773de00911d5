from __future__ import annotations

from django.apps import AppConfig


class RisksConfig(AppConfig):
    name = "risks"
    verbose_name = "Risk register"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from actions.models import Snapshot
        from risks.services import snapshot_risks

        def freeze(sender, instance, created, **kwargs) -> None:
            if created:
                snapshot_risks(instance)

        # A snapshot freezes the register with the plan: taken in the same transaction as the snapshot's own rows.
        post_save.connect(freeze, sender=Snapshot, dispatch_uid="risks.snapshot_risks", weak=False)
