from __future__ import annotations

from django.apps import AppConfig


class ActionsConfig(AppConfig):
    name = "actions"
    verbose_name = "Strategy and actions"

    def ready(self) -> None:
        # The security log connects to sign-in, sign-out and lockout signals; the plan and tracker
        # readers register with the intake pipeline when one is first asked for; other sources'
        # uploads are kept in one table.
        import send_tracker.security  # noqa: F401
        from actions.models import StrategyUpload
        from intake.readers import reader_module_register
        from intake.services import default_record_register

        reader_module_register("actions.readers")
        default_record_register(StrategyUpload)
