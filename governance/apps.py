from __future__ import annotations

from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = "Governance"

    def ready(self) -> None:
        from actions.signals import actions_updated, next_meeting_finder_set
        from governance.calendar import next_meeting_for_round
        from governance.signoff import sign_offs_reopen

        def reopen(sender, *, action_ids, user, at, **kwargs) -> None:
            sign_offs_reopen(action_ids=action_ids, user=user, at=at)

        actions_updated.connect(reopen, dispatch_uid="governance.sign_offs_reopen", weak=False)
        next_meeting_finder_set(next_meeting_for_round)
