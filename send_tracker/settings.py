"""Settings for the SEND strategy tracker, read from the environment.

`.env.example` lists every variable. With no DATABASE_URL the `bin/with-db`
wrapper (used by `make run` and `make test`) starts an embedded PostgreSQL
and sets it; with no CELERY_BROKER_URL tasks run eagerly in-process.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from send_tracker.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = env_str("SECRET_KEY", default="insecure-development-key-do-not-use-in-production-0123456789" if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("Set SECRET_KEY (50+ random characters) or DEBUG=true for local development.")
if not DEBUG and (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure")):
    # The same test as Django's security.W009: a guessable key lets anyone forge sessions and password reset links.
    raise ImproperlyConfigured("SECRET_KEY is too weak: use 50+ random characters with at least 5 different ones.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
CSRF_FAILURE_VIEW = "send_tracker.security.csrf_failure"
SITE_URL = env_str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
SERVICE_NAME = env_str("SERVICE_NAME", default="SEND strategy tracker")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "pgtrigger",
    "pghistory",
    "pghistory.admin",
    "axes",
    "django_celery_beat",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "accounts",
    "people",
    "jobs",
    "intake",
    "actions",
    "kpis",
    "coproduction",
    "governance",
    "risks",
    "finance",
    "reporting",
    "feed",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before the CSRF check, which reads the body: oversized uploads are refused unread.
    "send_tracker.security.RequestSizeLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Answers to a signed-in person are never kept by a browser's or a proxy's cache.
    "send_tracker.security.PrivateResponsesMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # A form sent after its person's session ended is kept for them to send again once signed in (accounts/unsent.py).
    "accounts.middleware.SignInAgainMiddleware",
    "send_tracker.security.SessionLifetimeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Inside the session, the person, their messages and every header-setting middleware, so its page is drawn as any other.
    "send_tracker.security.FormAddressPageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # After OTPMiddleware and HtmxMiddleware: sends unverified sessions to the second factor.
    "accounts.middleware.MfaRequiredMiddleware",
    # Marks a person who has just saved a change, so their next page is never an earlier copy.
    "send_tracker.cache.SavedChangeMiddleware",
    # A request that lost its database connection is run again, or shows back what was typed (send_tracker/connections.py).
    "send_tracker.connections.ConnectionLostMiddleware",
    "pghistory.middleware.HistoryMiddleware",
    # Last, so that a lockout response is produced after authentication ran.
    "axes.middleware.AxesMiddleware",
]

if DEBUG:
    # runserver serves static files from the app folders.
    MIDDLEWARE.remove("whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "send_tracker.urls"
WSGI_APPLICATION = "send_tracker.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "actions.context_processors.service",
                "accounts.context_processors.single_sign_on",
                "accounts.context_processors.unsent_form",
                "accounts.context_processors.session_timeout",
            ],
            # Ratings and due-date warnings, on almost every page; every page's heading.
            "builtins": ["actions.templatetags.ratings", "send_tracker.page_tags"],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL", default="")
if not DATABASE_URL:
    raise ImproperlyConfigured(
        "Set DATABASE_URL to a PostgreSQL database, or run through `bin/with-db` "
        "(as `make run` and `make test` do) to start an embedded one."
    )
# Connections are kept for a minute and checked before each request reuses one, so a connection
# the database dropped (a restart, a failover) is replaced instead of failing the next request.
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True)}
# Or a pool of connections per process, shared by its threads (psycopg's pool, `psycopg-pool`): for
# gunicorn's threaded workers, DB_POOL_SIZE connections per worker however many threads it runs.
# Django checks a pooled connection out for each request and back in at its end.
DB_POOL_SIZE = env_int("DB_POOL_SIZE", 0)
if DB_POOL_SIZE:
    DATABASES["default"].update(CONN_MAX_AGE=0, CONN_HEALTH_CHECKS=False)
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {"min_size": 1, "max_size": DB_POOL_SIZE, "timeout": 10}
if not DATABASES["default"]["ENGINE"].endswith("postgresql"):
    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL: the only database this product supports.")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Password sign-in: Django's, reading the person's memberships with them (one query fewer on every page).
    "people.backends.MembersBackend",
    # Only for sessions signed in before MembersBackend, which name this one: it signs in no one the line above does not.
    "django.contrib.auth.backends.ModelBackend",
    # Signs nobody in unless OIDC_ENABLED (below).
    "people.oidc.InvitedAccountsBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "send_tracker.passwords.GuessablePatternValidator"},
    {"NAME": "people.passwords.PartnershipNameValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sign-in throttling: lock a username from one address after repeated failures,
# for a finite time. The client address comes from REMOTE_ADDR unless the
# deployment says which proxy header it trusts (AXES_IPWARE_META_PRECEDENCE_ORDER).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_IPWARE_META_PRECEDENCE_ORDER = env_list("AXES_IP_HEADERS", default=["REMOTE_ADDR"])
AXES_VERBOSE = False

# Two-factor authentication (accounts/mfa.py): every account, after its password,
# sets up an authenticator app and then enters a code at each sign-in. On unless
# switched off (the test settings switch it off; the MFA tests switch it back on).
MFA_REQUIRED = env_bool("MFA_REQUIRED", default=True)
OTP_TOTP_ISSUER = SERVICE_NAME
# Wrong codes: each device waits 1, 2, 4, 8 ... seconds before it will check another code.
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1

# Single sign-on with OpenID Connect (accounts/oidc.py), on when a client id is set.
# OIDC_ENTRA_TENANT_ID fills in Microsoft Entra ID's endpoints for that tenant;
# other providers set the four OIDC_OP_* endpoints. Only existing accounts can sign
# in (matched by email). Set OIDC_TRUST_IDP_MFA only when the provider itself
# requires a second factor (e.g. Entra conditional access); otherwise our own
# two-factor check still follows.
OIDC_RP_CLIENT_ID = env_str("OIDC_RP_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env_str("OIDC_RP_CLIENT_SECRET", default="")
OIDC_ENTRA_TENANT_ID = env_str("OIDC_ENTRA_TENANT_ID", default="")
_entra = f"https://login.microsoftonline.com/{OIDC_ENTRA_TENANT_ID}" if OIDC_ENTRA_TENANT_ID else ""
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("OIDC_OP_AUTHORIZATION_ENDPOINT", default=f"{_entra}/oauth2/v2.0/authorize" if _entra else "")
OIDC_OP_TOKEN_ENDPOINT = env_str("OIDC_OP_TOKEN_ENDPOINT", default=f"{_entra}/oauth2/v2.0/token" if _entra else "")
OIDC_OP_USER_ENDPOINT = env_str("OIDC_OP_USER_ENDPOINT", default="https://graph.microsoft.com/oidc/userinfo" if _entra else "")
OIDC_OP_JWKS_ENDPOINT = env_str("OIDC_OP_JWKS_ENDPOINT", default=f"{_entra}/discovery/v2.0/keys" if _entra else "")
OIDC_RP_SIGN_ALGO = env_str("OIDC_RP_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = "openid email profile"
OIDC_PROVIDER_NAME = env_str("OIDC_PROVIDER_NAME", default="Microsoft")
OIDC_TRUST_IDP_MFA = env_bool("OIDC_TRUST_IDP_MFA", default=False)
OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID)
if OIDC_ENABLED and not all(
    [OIDC_RP_CLIENT_SECRET, OIDC_OP_AUTHORIZATION_ENDPOINT, OIDC_OP_TOKEN_ENDPOINT, OIDC_OP_USER_ENDPOINT, OIDC_OP_JWKS_ENDPOINT]
):
    raise ImproperlyConfigured(
        "OIDC_RP_CLIENT_ID is set: also set OIDC_RP_CLIENT_SECRET and OIDC_ENTRA_TENANT_ID (or the four OIDC_OP_* endpoints)."
    )
OIDC_CREATE_USER = False
OIDC_USE_PKCE = True
OIDC_CALLBACK_CLASS = "accounts.oidc.CallbackView"
OIDC_AUTHENTICATE_CLASS = "accounts.oidc.AuthenticateView"
OIDC_TIMEOUT = 10

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("govuk-frontend", BASE_DIR / "node_modules" / "govuk-frontend" / "dist" / "govuk"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage" if DEBUG else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Private files (evidence, board packs): never under STATIC or a public URL;
# views check permissions and stream them.
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "media" / "private")))

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", default="send-tracker@localhost")
# GOV.UK Notify instead of SMTP: EMAIL_BACKEND=send_tracker.notify.NotifyEmailBackend. Notify sends
# from templates; each template's placeholders are filled from the message's subject and body.
NOTIFY_API_KEY = env_str("NOTIFY_API_KEY", default="")
NOTIFY_BASE_URL = env_str("NOTIFY_BASE_URL", default="https://api.notifications.service.gov.uk")
NOTIFY_TIMEOUT = env_int("NOTIFY_TIMEOUT", 30)
NOTIFY_TEMPLATES = {
    # A template whose subject is ((subject)) and whose body is ((body)) sends any email.
    "default": env_str("NOTIFY_EMAIL_TEMPLATE_ID", default=""),
    # The daily digest of actions needing attention: ((subject)), ((body)), ((name)), ((count)), ((notifications_url)).
    "digest": env_str("NOTIFY_DIGEST_TEMPLATE_ID", default="") or env_str("NOTIFY_EMAIL_TEMPLATE_ID", default=""),
}
NOTIFY_PERSONALISATION = {"subject": "subject", "body": "body"}
# Where django.core.mail.backends.filebased.EmailBackend writes emails (one file per connection).
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", default=str(BASE_DIR / "sent-emails"))

# Celery. Without a broker, tasks run eagerly in the calling process.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Packs (board packs, evidence packs) take seconds each and come in bursts before a meeting;
# chasing and email take milliseconds and are due daily. Each has its own queue, so a deployment
# can give packs their own workers and a burst of packs never delays the chase (docs/OPERATIONS.md).
# A worker started without -Q takes only the default queue: name both where one worker does all.
CELERY_TASK_DEFAULT_QUEUE = "celery"
PACKS_QUEUE = "packs"
CELERY_TASK_ROUTES = {
    "reporting.tasks.render_board_report": {"queue": PACKS_QUEUE},
    "reporting.tasks.produce_evidence_pack": {"queue": PACKS_QUEUE},
    "reporting.tasks.produce_document": {"queue": PACKS_QUEUE},
}
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240)
# With Redis, a task a worker has taken but not acknowledged (acks_late) is handed
# to another worker once the visibility timeout passes: that is how the work of a
# killed worker is redelivered. It must be longer than the longest a task may run
# (the hard time limit), or a task still running would be handed out a second time.
# A job whose worker died is picked up by housekeeping long before (JOB_HEARTBEAT_TIMEOUT below),
# so this need not be short.
# See docs/OPERATIONS.md.
# `manage.py check` (run by migrate) refuses a visibility timeout that is not longer (jobs/checks.py).
CELERY_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 900)
# How often a worker looks for messages abandoned by a dead worker: about
# interval × throttle seconds (kombu's defaults, 10 × 10).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    "unacked_restore_interval": env_int("CELERY_UNACKED_RESTORE_INTERVAL", 10),
    "unacked_restore_throttle": env_int("CELERY_UNACKED_RESTORE_THROTTLE", 10),
}
# Sending a task when the broker is down: a few quick tries, then the request is told.
CELERY_BROKER_CONNECTION_TIMEOUT = env_int("CELERY_BROKER_CONNECTION_TIMEOUT", 4)
# Background jobs (jobs.models.Job: board packs, evidence packs). A running job's worker records a
# heartbeat every JOB_HEARTBEAT_SECONDS; a job silent for JOB_HEARTBEAT_TIMEOUT has lost its worker
# (killed as a whole), and housekeeping, every JOB_HOUSEKEEPING_SECONDS from beat, queues it again.
# So a killed worker's job is queued again within timeout + housekeeping (45 s as deployed: three
# missed beats, then the next housekeeping), however long its time limit; the broker's own redelivery
# (the visibility timeout, above) comes far later and finds it done. A job the broker refused (down)
# waits, and the same housekeeping sends it once the broker is back; one whose message has not been
# picked up for JOB_QUEUE_LIMIT is sent again (a broker that restarted empty). See docs/OPERATIONS.md.
JOB_HEARTBEAT_SECONDS = env_int("JOB_HEARTBEAT_SECONDS", 10)
JOB_HEARTBEAT_TIMEOUT = env_int("JOB_HEARTBEAT_TIMEOUT", 30)
JOB_HOUSEKEEPING_SECONDS = env_int("JOB_HOUSEKEEPING_SECONDS", 15)
JOB_QUEUE_LIMIT = env_int("JOB_QUEUE_LIMIT", 10 * 60)
# Beat puts these in its database schedule beside governance.schedule's (django-celery-beat reads this setting).
CELERY_BEAT_SCHEDULE = {
    "Background job housekeeping": {
        "task": "jobs.tasks.housekeep_jobs",
        "schedule": float(JOB_HOUSEKEEPING_SECONDS),
        "options": {"expires": float(JOB_HOUSEKEEPING_SECONDS)},
    },
}
# Exactly one beat process may run (docker-compose has one `beat` service): the
# schedule lives in the database, and two beats would each send every task.
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# After downtime, a crontab task whose time passed less than this long ago still
# runs once when beat starts again; older missed runs are skipped, not replayed.
CELERY_BEAT_CRON_STARTING_DEADLINE = env_int("CELERY_BEAT_CRON_STARTING_DEADLINE", 3600)
CELERY_TIMEZONE = TIME_ZONE

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Idle timeout: the session (its row and its cookie) expires this long after it
# was last saved; SessionLifetimeMiddleware saves it at most once a minute while
# the person is active, so the expiry slides without a write on every request.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30) * 60
# Absolute timeout: signed out this long after signing in, however active.
SESSION_ABSOLUTE_SECONDS = env_int("SESSION_ABSOLUTE_HOURS", 10) * 60 * 60
# A signed-in page warns this long before the session ends, and lets the person stay signed in (WCAG 2.2.1).
SESSION_WARNING_SECONDS = 120

# Strict Content-Security-Policy on every response: scripts only from our origin
# with the per-request nonce, no inline styles, no plugins, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# Permissions-Policy on every response: the product uses none of these browser
# features, so no page (nor anything injected into one) may ask for them.
PERMISSIONS_POLICY = dict.fromkeys(
    [
        "accelerometer",
        "autoplay",
        "bluetooth",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "interest-cohort",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    ],
    [],
)

# The cache holds per-user rate limit counters. The database cache needs no
# extra service and is shared by every web process (run `createcachetable`,
# as the entrypoint and `make run` do).
# Redis when CACHE_URL names one (a deployment); otherwise a table in the database, so a
# newcomer needs nothing more.
CACHE_URL = env_str("CACHE_URL", default="")
# Every key starts with the release, so a page cached by older code is never served (send_tracker/release.py).
CACHE_KEY = "send_tracker.release.cache_key"
RELEASE = env_str("RELEASE", default="")  # empty: a digest of the source, made at the first cache use
# In front of the release: which install this is, so installs sharing a Redis never share entries.
DEPLOYMENT_NAME = env_str("DEPLOYMENT_NAME", default="")  # empty: a digest of the database's name, host and port
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": RELEASE,
            "KEY_FUNCTION": CACHE_KEY,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "send_tracker_cache",
            "KEY_PREFIX": RELEASE,
            "KEY_FUNCTION": CACHE_KEY,
        }
    }
# With Redis, sessions are read from the cache and written through to the database: one query
# fewer on every page, and a restart of Redis signs nobody out.
if CACHE_URL:
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# How long a built dashboard is kept. It is keyed by the strategy's revision and the date,
# so an entry is never served after its data changed; this only bounds the memory it holds.
DASHBOARD_CACHE_SECONDS = env_int("DASHBOARD_CACHE_SECONDS", 24 * 60 * 60)
# Expensive requests each person may make per hour (board packs, exports).
RATE_LIMITS = {
    "board_report": env_int("RATE_LIMIT_BOARD_REPORTS_PER_HOUR", 10),
    "export": env_int("RATE_LIMIT_EXPORTS_PER_HOUR", 60),
    "import": env_int("RATE_LIMIT_IMPORTS_PER_HOUR", 20),
    # Per API token: a Power BI refresh reads each entity set a page at a time.
    "feed": env_int("RATE_LIMIT_FEED_PER_HOUR", 1000),
    "evidence_pack": env_int("RATE_LIMIT_EVIDENCE_PACKS_PER_HOUR", 10),
    "invitation": env_int("RATE_LIMIT_INVITATIONS_PER_HOUR", 30),
}
# Rows per page of the OData feed; a client follows @odata.nextLink for the rest.
FEED_PAGE_SIZE = env_int("FEED_PAGE_SIZE", 100)
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    # The load balancer's and docker compose's probes speak plain HTTP inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # The preload directive only has an effect once the apex domain is submitted to the browsers' list.
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if env_bool("BEHIND_TLS_PROXY", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"refusals_on_one_line": {"()": "send_tracker.logs.RefusalsOnOneLine"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # A page not found or a permission refused is one line, not a traceback (send_tracker/logs.py).
        "django.request": {"filters": ["refusals_on_one_line"]},
        "django.db.backends": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # One JSON object per event (send_tracker/security.py): user input cannot forge a line.
        "send_tracker.security": {"level": "INFO"},
    },
}

# The dashboard flags an action as stale when nobody has updated it since the
# last snapshot or, before the first snapshot, in this many weeks.
# Days ahead an action counts as due soon (actions.rules).
DUE_SOON_DAYS = env_int("DUE_SOON_DAYS", 14)

# Owners of actions not updated since the last snapshot are reminded this many
# days before a board meeting's papers deadline.
REMIND_DAYS_BEFORE = env_int("REMIND_DAYS_BEFORE", 7)

# A strategy's public progress page is rendered once and served from the cache
# until an officer publishes (which drops it) or this many seconds pass, so the
# deliverables' statuses it shows are at most this old.
PUBLIC_PAGE_CACHE_SECONDS = env_int("PUBLIC_PAGE_CACHE_SECONDS", 3600)
# Days an emailed invitation link works for (single-use).
INVITATION_DAYS = env_int("INVITATION_DAYS", 7)

# Plans uploaded by officers in the browser.
PLAN_IMPORT_MAX_BYTES = env_int("PLAN_IMPORT_MAX_BYTES", 5 * 1024 * 1024)
# Explore Education Statistics files hold every local authority for several years.
BENCHMARK_IMPORT_MAX_BYTES = env_int("BENCHMARK_IMPORT_MAX_BYTES", 40 * 1024 * 1024)

# Evidence uploads (delivery leads attach files to updates).
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_BYTES", 10 * 1024 * 1024)
# The evidence files an evidence pack's ZIP may hold in all; files past it are left out and listed.
EVIDENCE_PACK_MAX_BYTES = env_int("EVIDENCE_PACK_MAX_BYTES", 500 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 12 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE
