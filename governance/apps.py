from __future__ import annotations

from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = "Governance"

    def ready(self) -> None:
        from actions.signals import next_meeting_finder_set, on_actions_updated
        from governance.calendar import next_meeting_for_round

        # An update to an action reopens its organisation's confirmed sign-off.
        on_actions_updated("governance.signoff.sign_offs_reopen")
        next_meeting_finder_set(next_meeting_for_round)
