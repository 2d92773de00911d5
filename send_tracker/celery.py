from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "send_tracker.settings")
# Celery's Django fix-up runs the system checks as a worker starts, which loads every URL and
# view (a third of the worker's start-up). The web process and `manage.py check --deploy` run
# them; a worker that should too is started with CELERY_SKIP_CHECKS set empty.
os.environ.setdefault("CELERY_SKIP_CHECKS", "true")

app = Celery("send_tracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
