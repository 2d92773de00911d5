from __future__ import annotations

from django.apps import AppConfig


class CoproductionConfig(AppConfig):
    name = "coproduction"
    verbose_name = "Co-production and the public page"

    def ready(self) -> None:
        # Names the deliverables source to the intake pipeline (loaded when an upload first asks for it).
        from intake.readers import reader_module_register

        reader_module_register("coproduction.readers")
