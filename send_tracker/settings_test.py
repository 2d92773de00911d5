"""Settings for the test suite and the benchmarks: production's settings, with what tests need changed.

`pyproject.toml` (pytest), `make test`, `make bench` and the Celery workers the
worker tests start use this module; nothing in `settings.py` knows it exists.
Tests about production's own settings start a process on `send_tracker.settings`.
"""

from __future__ import annotations

import os

# Production refuses to start without a strong SECRET_KEY: lend it one for the import only,
# so a process a test starts from here does not inherit it.
_LENT_KEY = "SECRET_KEY" not in os.environ
if _LENT_KEY:
    os.environ["SECRET_KEY"] = "insecure-test-key-never-used-outside-the-test-suite-0123456789"
try:
    from send_tracker.settings import *  # noqa: F403
    from send_tracker.settings import MIDDLEWARE, STORAGES
finally:
    if _LENT_KEY:
        del os.environ["SECRET_KEY"]

from send_tracker.env import env_str  # noqa: E402

ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]

# Fast hashing: the suite creates hundreds of accounts.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Tests that sign in with force_login need no code; the MFA tests switch it back on.
MFA_REQUIRED = False

# Emails stay in memory (django.core.mail.outbox). A worker a test starts is given a file
# backend through its environment, so the test can count emails across processes.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend")

# Memory, emptied by the tests that depend on it; never the database table or a shared Redis.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The test client and the live server serve static files from the app folders, unhashed.
MIDDLEWARE = [m for m in MIDDLEWARE if m != "whitenoise.middleware.WhiteNoiseMiddleware"]
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}

# The test client speaks plain HTTP.
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = False
SECURE_HSTS_PRELOAD = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_PROXY_SSL_HEADER = None
