from __future__ import annotations

from django.apps import AppConfig


class ActionsConfig(AppConfig):
    name = "actions"
    verbose_name = "Strategy and actions"

    def ready(self) -> None:
        # Connects the security log to sign-in, sign-out and lockout signals.
        import send_tracker.security  # noqa: F401
