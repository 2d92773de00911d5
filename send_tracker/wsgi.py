from __future__ import annotations

import os

# The cache's client library: Django would import it at the first use of a Redis cache.
import redis  # noqa: F401
from django.contrib.auth import get_backends
from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "send_tracker.settings")
application = get_wsgi_application()

# What a first request would load, loaded before the server takes any: every URL and the view
# modules it names, and the sign-in backends with the libraries they use. gunicorn loads this
# module in its master (preload_app), so every worker it forks, and each one that replaces a
# worker after max_requests, starts with them: a new worker's first request spent 0.5 s of CPU
# loading them, and 0.1 s with them loaded (docs/PERFORMANCE.md).
get_resolver().url_patterns  # noqa: B018
get_backends()
