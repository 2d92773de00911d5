"""How the web process is served: gunicorn's settings file, and the database connections it holds."""

from __future__ import annotations

import gc
import json
import os
import runpy
import secrets
import subprocess
import sys

from django.conf import settings

from tests.conftest import ROOT

SETTINGS_READ = """
import json
from django.conf import settings
db = settings.DATABASES["default"]
print(json.dumps({"max_age": db["CONN_MAX_AGE"], "health": db["CONN_HEALTH_CHECKS"], "pool": db.get("OPTIONS", {}).get("pool")}))
"""


def production_env(**overrides: str) -> dict[str, str]:
    db = settings.DATABASES["default"]
    env = {key: value for key, value in os.environ.items() if key not in {"DEBUG", "DB_POOL_SIZE", "DB_CONN_MAX_AGE"}}
    env.update(
        DJANGO_SETTINGS_MODULE="send_tracker.settings",
        SECRET_KEY=secrets.token_urlsafe(64),
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
    )
    env.update(overrides)
    return env


def database_settings(**overrides: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", SETTINGS_READ], cwd=ROOT, env=production_env(**overrides), capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_by_default_each_process_keeps_its_connection_for_a_minute_and_checks_it_before_reuse():
    assert database_settings() == {"max_age": 60, "health": True, "pool": None}


def test_with_a_pool_size_connections_come_from_a_pool_and_none_is_kept_beside_it():
    # Django refuses a pool beside persistent connections; the pool checks its own connections.
    assert database_settings(DB_POOL_SIZE="4") == {"max_age": 0, "health": False, "pool": {"min_size": 1, "max_size": 4, "timeout": 10}}


def test_gunicorns_settings_file_loads_the_application_as_deployed():
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    result = subprocess.run(
        [gunicorn, "--check-config", "-c", "send_tracker/gunicorn_conf.py", "send_tracker.wsgi"],
        cwd=ROOT,
        env=production_env(WEB_WORKERS="3", WEB_THREADS="2"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    printed = subprocess.run(
        [gunicorn, "--print-config", "-c", "send_tracker/gunicorn_conf.py", "send_tracker.wsgi"],
        cwd=ROOT,
        env=production_env(WEB_WORKERS="3", WEB_THREADS="2"),
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    found = {name.strip(): value.strip() for name, _, value in (line.partition("=") for line in printed.splitlines())}
    assert (found["worker_class"], found["workers"], found["threads"], found["preload_app"]) == ("gthread", "3", "2", "True")


def test_each_worker_is_forked_with_what_the_master_loaded_set_aside_from_the_garbage_collector():
    hooks = runpy.run_path(str(ROOT / "send_tracker" / "gunicorn_conf.py"))
    try:
        hooks["pre_fork"](None, None)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
