"""A worker or a management command starts without loading what only a render, an email or a feed query needs."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import ROOT

HEAVY = ["weasyprint", "pikepdf", "docx", "notifications_python_client", "odata_query", "django.contrib.gis"]
# What a command needs only when it renders a pack, reads an upload or chases an update round: loaded when first used.
ON_FIRST_USE = [
    "reporting.tasks",
    "reporting.services",
    "reporting.documents",
    "reporting.packs_beside",
    "actions.readers",
    "kpis.readers",
    "coproduction.readers",
    "finance.readers",
    "actions.round",
    "finance.services",
    "governance.signoff",
]

WORKER_START = """
import json, sys
import django
django.setup()
from send_tracker.celery import app
app.loader.import_default_modules()
import send_tracker.urls  # a command's system checks load the URLs, and every view with them
print(json.dumps({"tasks": sorted(app.tasks), "loaded": [name for name in %r if name in sys.modules]}))
"""

COMMAND_START = """
import json, sys
import django
django.setup()
loaded = [name for name in %r if name in sys.modules]
from intake.readers import readers
print(json.dumps({"loaded": loaded, "readers": [reader.name for reader in readers()]}))
"""


def started(code: str) -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "send_tracker.settings", "SECRET_KEY": "startup-test-" + "0123456789abcdef" * 4}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_worker_loads_every_task_and_the_urls_without_the_pdf_email_or_feed_libraries():
    found = started(WORKER_START % HEAVY)
    assert {"reporting.tasks.render_board_report", "reporting.tasks.produce_evidence_pack"} <= set(found["tasks"])
    assert found["loaded"] == []


def test_a_command_starts_without_the_tasks_readers_round_or_services_and_finds_every_reader_when_asked():
    found = started(COMMAND_START % ON_FIRST_USE)
    assert found["loaded"] == []
    assert found["readers"] == ["deliverables", "finance-actuals", "kpi-definitions", "kpi-values", "open-data", "plan"]
