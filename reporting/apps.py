from __future__ import annotations

from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = "Reporting"

    def ready(self) -> None:
        # Registers the tasks with Celery in every process, so a pack is sent by its task's name
        # (reporting.services) without the services importing the tasks that call them.
        from reporting import tasks  # noqa: F401
        from reporting.packs_beside import decisions_register, sections_fill

        sections_fill()
        decisions_register()
