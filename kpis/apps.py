from __future__ import annotations

from django.apps import AppConfig


class KpisConfig(AppConfig):
    name = "kpis"
    verbose_name = "KPIs"

    def ready(self) -> None:
        # Names the KPI sources (values, definitions, open data) to the intake pipeline (loaded when an upload first asks for them).
        from intake.readers import reader_module_register

        reader_module_register("kpis.readers")
