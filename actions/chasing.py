"""The daily sweep that flags overdue actions, and the chasing emails that follow it.

The sweep is a handful of set-based statements whatever the plan size. It is
idempotent (a second run on the same day changes nothing) and runs under a
transaction-level advisory lock, so two overlapping runs take turns.

Email goes through an outbox (EmailDigest): one digest per person per day,
sent at most once.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import logging
import smtplib
import time

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.db.models import BigIntegerField, BooleanField, Case, DateTimeField, F, Max, Q, When
from django.db.models.expressions import RawSQL
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from actions import rules
from actions.models import Action, ActionUpdate, EmailDigest, Notification, Snapshot, Strategy
from people.models import Membership
from send_tracker.notify import EmailRejectedError

logger = logging.getLogger(__name__)

# Any constant: every sweep takes the same lock, in any database session.
SWEEP_LOCK_KEY = 6_100_001
# Longer than the task time limit: a digest still "sending" after this was
# interrupted mid-send, and nobody can know whether the email went.
STALE_SENDING_AFTER = dt.timedelta(minutes=30)


@dataclasses.dataclass(frozen=True)
class SweepResult:
    changed: int = 0
    became_overdue: int = 0
    no_longer_overdue: int = 0
    overdue: int = 0
    due_soon: int = 0
    inconsistent: int = 0
    needs_update: int = 0
    unallocated: int = 0
    notifications: int = 0
    digests: int = 0


# Every flag the sweep counts, in the order SweepResult lists them.
_COUNTED = ("overdue", "due_soon", "inconsistent", "needs_update", "unallocated")
# Where the sweep's one pass joins in, once for the whole install, the inputs
# the rule book otherwise finds by a probe per action.
_INPUT_ALIASES = {"latest": "sweep_latest", "cycle": "sweep_cycle", "owned": "sweep_owned"}
_ACTION_TABLE = f' FROM "{Action._meta.db_table}" '


def sweep_status(today: dt.date) -> tuple[str, list]:
    """Every live action's status by the rule book, as SQL computed in one pass over the actions.

    Columns: pk, partnership, rating_id, due_date, overdue_since, cycle (the
    strategy's latest snapshot, NULL before the first) and one true/false
    column per rule. The latest update per action, the latest snapshot per
    strategy and the actions with an owner are each read once and joined, not
    probed row by row.
    """
    latest = ActionUpdate.objects.order_by().values("action_id").annotate(last_updated_at=Max("created_at"))
    latest_first = Snapshot.objects.latest_first().query.order_by
    cycles = Snapshot.objects.order_by("strategy_id", *latest_first).distinct("strategy_id").values("strategy_id", "pk", "taken_at")
    owned = Action.owners.through.objects.order_by().values("action_id").distinct()
    joins, params = [], []
    for name, query, on in (
        ("latest", latest, '{a}.action_id = "actions_action"."id"'),
        ("cycle", cycles, '{a}.strategy_id = "actions_action"."strategy_id"'),
        ("owned", owned, '{a}.action_id = "actions_action"."id"'),
    ):
        sql, query_params = query.query.sql_with_params()
        alias = _INPUT_ALIASES[name]
        joins.append(f"LEFT JOIN ({sql}) {alias} ON {on.format(a=alias)}")
        params.extend(query_params)
    found = rules.conditions(
        today,
        last_updated_at=RawSQL(f"{_INPUT_ALIASES['latest']}.last_updated_at", [], output_field=DateTimeField()),
        cycle_started_at=RawSQL(f"{_INPUT_ALIASES['cycle']}.taken_at", [], output_field=DateTimeField()),
        owned=RawSQL(f"{_INPUT_ALIASES['owned']}.action_id IS NOT NULL", [], output_field=BooleanField()),
    )
    status = (
        Action.objects.order_by()
        .annotate(
            partnership=F("strategy__partnership_id"),
            cycle=RawSQL(f"{_INPUT_ALIASES['cycle']}.pk", [], output_field=BigIntegerField()),
            **{name: rules.flag(found[name]) for name in _COUNTED},
        )
        .values("pk", "partnership", "rating_id", "due_date", "overdue_since", "cycle", *_COUNTED)
    )
    sql, status_params = status.query.sql_with_params()
    # The joins go straight after the actions table, before the joins the ORM made.
    if sql.count(_ACTION_TABLE) != 1:  # pragma: no cover - a guard should the ORM's SQL change shape
        raise RuntimeError("The sweep's status query no longer reads the actions table once")
    head, tail = sql.split(_ACTION_TABLE)
    # Parameters in the order their placeholders appear: the select list, then the joins, then the rest.
    select_placeholders = head.count("%s")
    ordered = [*status_params[:select_placeholders], *params, *status_params[select_placeholders:]]
    return f"{head}{_ACTION_TABLE}{' '.join(joins)} {tail}", ordered


# The whole sweep as one statement over one pass of the actions:
# - record the first overdue day of each action that became overdue, and clear
#   it on each that no longer is (only those rows are written; each is checked
#   again against the row as it is now, so one a person changed meanwhile is
#   left for the next run);
# - the new events to tell people about: the event key makes a new event of
#   the same kind (a new due date, a new snapshot) notify again: the day the
#   action became overdue, the due date it is due soon for, the snapshot it
#   needs an update since. Before the first snapshot there is no cycle to be
#   behind in, so nobody is chased for it. An event is told about once, when it
#   happens: an action overdue since the same day, or needing an update since
#   the same snapshot, is not news again tomorrow (someone who takes a post
#   later sees the action's status on My actions, not a backlog);
# - each event once per person: the owners (people holding an owner post who
#   belong to the partnership) and the partnership's officers;
# - one digest per person per day, and each notification joins the person's
#   digest for the day while it is still waiting (if today's has gone
#   already, it waits for tomorrow's);
# - and the install's totals by the rule book.
_SWEEP = """
WITH status AS MATERIALIZED ({status}),
changed AS (
    UPDATE actions_action a SET overdue_since = CASE WHEN s.overdue THEN s.due_date + 1 END
    FROM status s
    WHERE a.id = s.pk AND s.overdue = (s.overdue_since IS NULL)
      AND a.overdue_since IS NOT DISTINCT FROM s.overdue_since AND a.rating_id = s.rating_id
      AND a.due_date IS NOT DISTINCT FROM s.due_date
    RETURNING a.id
),
events (action_id, partnership_id, kind, event_key) AS (
    SELECT pk, partnership, %s, COALESCE(overdue_since, due_date + 1)::varchar FROM status WHERE overdue
    UNION ALL
    SELECT pk, partnership, %s, due_date::varchar FROM status WHERE due_soon
    UNION ALL
    SELECT pk, partnership, %s, cycle::varchar FROM status WHERE needs_update AND cycle IS NOT NULL
),
new AS (
    SELECT e.* FROM events e
    WHERE NOT EXISTS (
        SELECT 1 FROM actions_notification n WHERE n.action_id = e.action_id AND n.kind = e.kind AND n.event_key = e.event_key
    )
),
recipients AS (
    SELECT e.action_id, e.kind, e.event_key, up.user_id
    FROM new e
    JOIN actions_action_owners o ON o.action_id = e.action_id
    JOIN accounts_user_posts up ON up.post_id = o.post_id
    JOIN people_membership m ON m.user_id = up.user_id AND m.partnership_id = e.partnership_id
    UNION
    SELECT e.action_id, e.kind, e.event_key, m.user_id
    FROM new e JOIN people_membership m ON m.partnership_id = e.partnership_id AND m.role = %s
),
told AS (
    SELECT r.*, u.email <> '' AS emailed FROM recipients r JOIN accounts_user u ON u.id = r.user_id AND u.is_active
),
digests AS (
    INSERT INTO actions_emaildigest (recipient_id, day, status, created_at, attempts, last_error)
    SELECT DISTINCT user_id, %s::date, 'pending', now(), 0, '' FROM told WHERE emailed
    ON CONFLICT (recipient_id, day) DO NOTHING
    RETURNING id, recipient_id
),
notified AS (
    INSERT INTO actions_notification (recipient_id, action_id, kind, event_key, created_at, digest_id)
    SELECT t.user_id, t.action_id, t.kind, t.event_key, now(), COALESCE(d.id, waiting.id)
    FROM told t
    LEFT JOIN digests d ON d.recipient_id = t.user_id
    LEFT JOIN actions_emaildigest waiting ON waiting.recipient_id = t.user_id AND waiting.day = %s::date AND waiting.status = 'pending'
    ON CONFLICT (recipient_id, action_id, kind, event_key) DO NOTHING
    RETURNING 1
)
SELECT
    (SELECT count(*) FROM changed),
    (SELECT count(*) FROM notified),
    (SELECT count(*) FROM digests),
    {counts}
FROM status
"""

_TOTALS = "SELECT {counts} FROM ({status}) AS status"
_COUNTS = ", ".join(
    [f"count(*) FILTER (WHERE {name})" for name in _COUNTED]
    + ["count(*) FILTER (WHERE overdue AND overdue_since IS NULL)", "count(*) FILTER (WHERE NOT overdue AND overdue_since IS NOT NULL)"]
)
_TOTAL_NAMES = (*_COUNTED, "became_overdue", "no_longer_overdue")

_DIGESTS_INSERT = """
INSERT INTO actions_emaildigest (recipient_id, day, status, created_at, attempts, last_error)
SELECT DISTINCT n.recipient_id, %(day)s::date, 'pending', now(), 0, ''
FROM actions_notification n JOIN accounts_user u ON u.id = n.recipient_id
WHERE n.digest_id IS NULL AND u.is_active AND u.email <> ''
ON CONFLICT (recipient_id, day) DO NOTHING
"""

# A notification joins the person's digest for the day while it is still waiting;
# if today's digest has gone already, it waits for tomorrow's.
_DIGESTS_ATTACH = """
UPDATE actions_notification n SET digest_id = d.id
FROM actions_emaildigest d
WHERE n.digest_id IS NULL AND d.recipient_id = n.recipient_id AND d.day = %(day)s::date AND d.status = 'pending'
"""


@contextlib.contextmanager
def _without_jit(cursor):
    """The sweep's statements are planned afresh each day over the whole install: compiling them
    (PostgreSQL's JIT) costs seconds and saves nothing, so it is off for their duration."""
    cursor.execute("SELECT current_setting('jit'), set_config('jit', 'off', true)")
    previous = cursor.fetchone()[0]
    yield
    cursor.execute("SELECT set_config('jit', %s, true)", [previous])


def sweep_totals(today: dt.date) -> dict[str, int]:
    """How many actions each rule flags today across the install, and how many the sweep will mark or clear, in one query."""
    status, params = sweep_status(today)
    with connection.cursor() as cursor, _without_jit(cursor):
        cursor.execute(_TOTALS.format(counts=_COUNTS, status=status), params)
        return dict(zip(_TOTAL_NAMES, cursor.fetchone(), strict=True))


def overdue_since_record(today: dt.date) -> int:
    """Record the first day each overdue action was overdue, and clear it once it is not: the one state the sweep keeps.

    One set-based UPDATE of only the rows that change, so a run that changes
    nothing writes nothing (and adds nothing to the actions' history). The
    sweep does this within its one statement; this is it alone.
    """
    changing = Action.objects.alias(is_overdue=rules.flag(rules.overdue(today))).filter(
        Q(is_overdue=True, overdue_since__isnull=True) | Q(is_overdue=False, overdue_since__isnull=False)
    )
    # Only rows that change are touched: one not yet marked becomes overdue the day after it was due.
    return changing.update(overdue_since=Case(When(overdue_since__isnull=True, then=F("due_date") + dt.timedelta(days=1)), default=None))


def actions_sweep(*, today: dt.date | None = None) -> SweepResult:
    """Record when actions became overdue, and queue notifications and digests for what the rule book flags.

    Runs as one transaction under an advisory lock: an overlapping run waits,
    then finds nothing left to change. A second run on the same day changes nothing.
    """
    today = today or timezone.localdate()
    status, params = sweep_status(today)
    kinds = [Notification.Kind.OVERDUE, Notification.Kind.DUE_SOON, Notification.Kind.NEEDS_UPDATE]
    with transaction.atomic(), connection.cursor() as cursor, _without_jit(cursor):
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SWEEP_LOCK_KEY])
        cursor.execute(_SWEEP.format(status=status, counts=_COUNTS), [*params, *kinds, Membership.Role.OFFICER, today, today])
        changed, notifications, digests, *counts = cursor.fetchone()
        totals = dict(zip(_TOTAL_NAMES, counts, strict=True))
        # Notifications queued outside the sweep (or waiting for a digest) join today's digests too.
        digests += _digests_prepare(cursor, day=today)
    return SweepResult(
        changed=changed,
        notifications=notifications,
        digests=digests,
        **totals,
    )


def digests_prepare(*, day: dt.date) -> int:
    """Put the notifications waiting for an email into the day's digests (for notifications queued outside the sweep)."""
    with connection.cursor() as cursor:
        return _digests_prepare(cursor, day=day)


def _digests_prepare(cursor, *, day: dt.date) -> int:
    cursor.execute(_DIGESTS_INSERT, {"day": day})
    created = cursor.rowcount
    cursor.execute(_DIGESTS_ATTACH, {"day": day})
    return created


def reminders_queue(*, strategy: Strategy, deadline: dt.date, days_before: int, today: dt.date | None = None) -> int:
    """Remind the owners of actions not updated since the latest snapshot to update them by the deadline.

    For board meetings: call it daily (or once) with the meeting's update
    deadline. It does nothing until `days_before` days before the deadline,
    and reminds each person about each action once per deadline however often
    it is called. Returns the number of reminders queued; their emails go in
    the person's daily digest, which the caller's task sends after commit.
    """
    today = today or timezone.localdate()
    if not (deadline - dt.timedelta(days=days_before) <= today <= deadline):
        return 0
    due = Action.objects.filter(rules.needs_update_q(), strategy=strategy).values("pk")
    due_sql, due_params = due.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO actions_notification (recipient_id, action_id, kind, event_key, deadline, created_at)
            SELECT DISTINCT up.user_id, o.action_id, %s, %s, %s::date, now()
            FROM actions_action_owners o
            JOIN accounts_user_posts up ON up.post_id = o.post_id
            JOIN accounts_user u ON u.id = up.user_id AND u.is_active
            JOIN people_membership m ON m.user_id = up.user_id AND m.partnership_id = %s
            WHERE o.action_id IN ({due_sql})
            ON CONFLICT (recipient_id, action_id, kind, event_key) DO NOTHING
            """,
            [Notification.Kind.REMINDER, deadline.isoformat(), deadline, strategy.partnership_id, *due_params],
        )
        queued = cursor.rowcount
        _digests_prepare(cursor, day=today)
    return queued


def digests_to_send() -> list[int]:
    """The digests waiting to go. Digests left "sending" by a worker that died are marked failed, never resent."""
    EmailDigest.objects.filter(status=EmailDigest.Status.SENDING, claimed_at__lt=timezone.now() - STALE_SENDING_AFTER).update(
        status=EmailDigest.Status.FAILED,
        last_error="The worker stopped while sending: the email may not have arrived. Check with the recipient.",
    )
    return list(EmailDigest.objects.filter(status=EmailDigest.Status.PENDING).values_list("pk", flat=True))


class TransientEmailError(Exception):
    """The mail server could not be reached or refused for now: try again later."""


# The server rejected this message or the configuration: retrying will not help.
PERMANENT_SMTP_ERRORS = (
    smtplib.SMTPRecipientsRefused,
    smtplib.SMTPSenderRefused,
    smtplib.SMTPAuthenticationError,
    EmailRejectedError,  # GOV.UK Notify refused it (send_tracker.notify)
)
TRANSIENT_ERRORS = (smtplib.SMTPException, OSError, ConnectionError)


def digest_send(*, digest_id: int, final_attempt: bool = False) -> str:
    """Send one digest, at most once. Returns what happened: sent, empty, skipped or failed.

    Raises TransientEmailError (with the digest back to pending) when a retry may help.
    """
    with transaction.atomic():
        digest = (
            EmailDigest.objects.select_for_update(skip_locked=True)
            .filter(pk=digest_id, status=EmailDigest.Status.PENDING)
            .select_related("recipient")
            .first()
        )
        if digest is None:  # sent, failed, or being sent by another worker
            return "skipped"
        digest.status = EmailDigest.Status.SENDING
        digest.claimed_at = timezone.now()
        digest.attempts += 1
        digest.save(update_fields=["status", "claimed_at", "attempts"])

    outbox = EmailDigest.objects.filter(pk=digest.pk)
    message = digest_message(digest)
    if message is None:
        outbox.update(status=EmailDigest.Status.SENT, last_error="Nothing the recipient may still see: no email sent.")
        return "empty"
    try:
        message.send()
    except PERMANENT_SMTP_ERRORS as exc:
        outbox.update(status=EmailDigest.Status.FAILED, last_error=_describe(exc))
        return "failed"
    except TRANSIENT_ERRORS as exc:
        status = EmailDigest.Status.FAILED if final_attempt else EmailDigest.Status.PENDING
        outbox.update(status=status, last_error=_describe(exc))
        if final_attempt:
            return "failed"
        raise TransientEmailError(str(exc)) from exc
    except Exception as exc:
        logger.exception("Digest %s could not be sent", digest.pk)
        outbox.update(status=EmailDigest.Status.FAILED, last_error=_describe(exc))
        return "failed"
    # Recorded at once, in its own transaction, before the task is acknowledged:
    # a redelivered task then finds the digest sent and does not send it again.
    outbox.update(status=EmailDigest.Status.SENT, sent_at=timezone.now(), last_error="")
    if settings.DIGEST_PAUSE_AFTER_SEND:
        # Zero except where the worker test sets it, to kill the worker between sending and acknowledging.
        time.sleep(settings.DIGEST_PAUSE_AFTER_SEND)
    return "sent"


def _describe(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:1000]


def digest_sections() -> list[tuple[str, str]]:
    """The digest's sections in the order a person acts on them: (notification kind, heading)."""
    return [
        (Notification.Kind.OVERDUE, "Overdue"),
        (Notification.Kind.SIGN_OFF, "Sign off your organisation's updates before the board meeting"),
        (Notification.Kind.REMINDER, "Update before the board meeting"),
        (Notification.Kind.DUE_SOON, f"Due in the next {rules.due_soon_days()} days"),
        (Notification.Kind.NEEDS_UPDATE, "No update since the last report"),
    ]


def digest_message(digest: EmailDigest) -> EmailMultiAlternatives | None:
    """The digest email: only what the recipient may still see, with links into the service."""
    recipient = digest.recipient
    notifications = list(
        digest.notifications.visible_to(recipient)
        .select_related("action__strategy__partnership", "action__rating")
        .order_by("action__strategy__partnership__name", "action__strategy__name", "action__position", "action__id")
    )
    if not notifications or not recipient.email:
        return None
    sections = []
    for kind, heading in digest_sections():
        items = [
            {"notification": n, "action": n.action, "url": settings.SITE_URL + (n.action.get_absolute_url() if n.action else n.link)}
            for n in notifications
            if n.kind == kind
        ]
        if items:
            sections.append({"heading": heading, "items": items})
    context = {
        "recipient": recipient,
        "sections": sections,
        "day": digest.day,
        "service_name": settings.SERVICE_NAME,
        "notifications_url": settings.SITE_URL + reverse("actions:notifications"),
    }
    # Words that fit the person: "actions" only to someone told about actions (a partner may only have a sign-off to give).
    about_actions = all(n.action_id for n in notifications)
    noun = "action" if about_actions else "sign-off" if all(n.kind == Notification.Kind.SIGN_OFF for n in notifications) else "item"
    count = len(notifications)
    subject = f"{settings.SERVICE_NAME}: {count} {noun}{'s' if count != 1 else ''} need{'s' if count == 1 else ''} your attention"
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("actions/email/digest.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
    )
    message.attach_alternative(render_to_string("actions/email/digest.html", context), "text/html")
    # Through GOV.UK Notify (send_tracker.notify) the digest uses its own template and placeholders.
    message.notify_template = "digest"
    message.notify_reference = f"digest-{digest.pk}"
    message.notify_personalisation = {
        "name": recipient.get_full_name() or recipient.email,
        "count": str(len(notifications)),
        "notifications_url": context["notifications_url"],
    }
    return message
