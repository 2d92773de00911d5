from __future__ import annotations

from django.apps import AppConfig


class ActionsConfig(AppConfig):
    name = "actions"
    verbose_name = "Strategy and actions"

    def ready(self) -> None:
        # The security log connects to sign-in, sign-out and lockout signals; the plan and tracker
        # readers register with the intake pipeline; other sources' uploads are kept in one table.
        import actions.readers  # noqa: F401
        import send_tracker.security  # noqa: F401
        from actions.models import StrategyUpload
        from intake.services import default_record_register

        default_record_register(StrategyUpload)
