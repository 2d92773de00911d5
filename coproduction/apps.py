from __future__ import annotations

from django.apps import AppConfig


class CoproductionConfig(AppConfig):
    name = "coproduction"
    verbose_name = "Co-production and the public page"

    def ready(self) -> None:
        # Registers the deliverables source with the intake pipeline.
        import coproduction.readers  # noqa: F401
