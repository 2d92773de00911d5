from __future__ import annotations

from django.apps import AppConfig


class KpisConfig(AppConfig):
    name = "kpis"
    verbose_name = "KPIs"

    def ready(self) -> None:
        # Registers the KPI sources (values, definitions, open data) with the intake pipeline.
        import kpis.readers  # noqa: F401
