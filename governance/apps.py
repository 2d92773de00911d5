from __future__ import annotations

from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = "Governance and reporting"

    def ready(self) -> None:
        from governance import checks  # noqa: F401  (registers the checks)
