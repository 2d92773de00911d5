"""What the plan tells the apps above it, which it may not import.

`actions_updated` is sent inside the transaction that changed the actions
(a person's update, a plan import), with `action_ids`, `user` (or None) and
`at`. Governance listens to reopen a partner's sign-off.

`on_snapshot_taken` lets an app keep its own rows as they stood when a
snapshot was taken (the risk register, the finance plan's mitigations).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models.signals import post_save
from django.dispatch import Signal

actions_updated = Signal()


def on_snapshot_taken(freeze: Callable, dispatch_uid: str) -> None:
    """Call `freeze` with every new snapshot, in the transaction that takes it, so its rows are frozen with the plan's."""

    def taken(sender, instance, created, **kwargs) -> None:
        if created:
            freeze(instance)

    post_save.connect(taken, sender="actions.Snapshot", dispatch_uid=dispatch_uid, weak=False)
