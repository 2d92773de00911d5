"""gunicorn's settings for the web process: `gunicorn -c send_tracker/gunicorn_conf.py send_tracker.wsgi`.

Chosen by `bench/bench_load.py` on two cores shared with PostgreSQL and Redis
(docs/PERFORMANCE.md): a page spends part of its time waiting for the database
or the cache, so threads in a few processes keep the cores busy without the
memory of a process per request in flight. Each setting can be changed
through the environment (`WEB_WORKERS`, `WEB_THREADS`, `WEB_WORKER_CLASS`,
`PORT`) or on the command line, which wins over this file.
"""

from __future__ import annotations

import gc
import os

_cores = os.cpu_count() or 1

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
worker_class = os.environ.get("WEB_WORKER_CLASS", "gthread")
workers = int(os.environ.get("WEB_WORKERS", _cores))
threads = int(os.environ.get("WEB_THREADS", "4"))
# The code is imported once, before the workers are forked: they start at once and share its memory.
preload_app = True
# A request slower than this is stopped and logged rather than holding a worker for good.
timeout = 60
graceful_timeout = 30
# Browsers reuse their connection for the page's own requests (htmx fragments) behind a proxy.
keepalive = 5
# A worker is replaced now and then, so a slow leak never grows without bound.
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"


def pre_fork(server, worker) -> None:
    """No worker inherits a database connection the code opened while it was imported.

    And what the master loaded (it lives as long as the process) is set aside from
    the garbage collector: a worker's full collection then passes over its own
    objects only, taking milliseconds instead of holding the worker for 0.1-0.4
    s (docs/PERFORMANCE.md), and leaves the pages it shares with the master
    untouched.
    """
    from django.db import connections

    connections.close_all()
    gc.freeze()
