"""A worker or a management command starts without loading what only a render, an email or a feed query needs."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import ROOT

HEAVY = ["weasyprint", "pikepdf", "docx", "notifications_python_client", "odata_query", "django.contrib.gis"]

WORKER_START = """
import json, sys
import django
django.setup()
from send_tracker.celery import app
app.loader.import_default_modules()
import send_tracker.urls  # a command's system checks load the URLs, and every view with them
print(json.dumps({"tasks": sorted(app.tasks), "loaded": [name for name in %r if name in sys.modules]}))
"""


def test_a_worker_loads_every_task_and_the_urls_without_the_pdf_email_or_feed_libraries():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "send_tracker.settings", "SECRET_KEY": "startup-test-" + "0123456789abcdef" * 4}
    result = subprocess.run(
        [sys.executable, "-c", WORKER_START % HEAVY], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True
    )
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert {"reporting.tasks.render_board_report", "reporting.tasks.produce_evidence_pack"} <= set(found["tasks"])
    assert found["loaded"] == []
