"""/healthz says the process is up; /readyz says it can serve: database and cache answering, migrations applied."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.db.migrations.recorder import MigrationRecorder

from tests.conftest import ROOT

pytestmark = pytest.mark.django_db


def test_a_running_process_is_healthy_and_ready(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json() == {"status": "ok"}
    assert "no-store" in ready["Cache-Control"]


def test_it_is_not_ready_until_every_migration_is_applied(client):
    MigrationRecorder.Migration.objects.filter(app="feed").order_by("-id")[:1].get().delete()
    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.json()["failing"] == ["migrations"]
    assert client.get("/healthz").status_code == 200  # up, only not ready: a restart would not help


def test_it_is_not_ready_when_the_cache_does_not_answer(client, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:9/0"}}
    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.json()["failing"] == ["cache"]


def test_it_is_not_ready_when_the_database_does_not_answer_and_still_healthy():
    """A process started against a database that is not there, as after a failover."""
    script = (
        "import django, json; django.setup(); from django.test import Client; c = Client(HTTP_HOST='localhost');"
        "r = c.get('/readyz'); print(json.dumps([c.get('/healthz').status_code, r.status_code, r.json()]))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "send_tracker.settings_test",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:9/nothing?connect_timeout=2",
    }
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    healthz, readyz, body = json.loads(result.stdout.strip().splitlines()[-1])
    assert (healthz, readyz, body["failing"]) == (200, 503, ["database"])
