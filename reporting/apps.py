from __future__ import annotations

from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = "Reporting"

    def ready(self) -> None:
        # A pack's task is sent by its name (jobs.services.job_send); a worker loads the tasks
        # modules itself, so other processes start without the renderers.
        from reporting.packs_beside import decisions_register, sections_fill

        sections_fill()
        decisions_register()
