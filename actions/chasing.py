"""The daily sweep that flags overdue actions, and the chasing emails that follow it.

The sweep is a handful of set-based statements whatever the plan size. It is
idempotent (a second run on the same day changes nothing) and runs under a
transaction-level advisory lock, so two overlapping runs take turns.

Email goes through an outbox (EmailDigest): one digest per person per day,
sent at most once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import smtplib
import time

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from actions.models import DUE_SOON_DAYS, EmailDigest, Membership, Notification, Strategy

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


# The latest snapshot of each strategy: "needs update" means no update since it was taken.
_LATEST_SNAPSHOT = """
    SELECT DISTINCT ON (strategy_id) strategy_id, id, taken_at
    FROM governance_snapshot ORDER BY strategy_id, as_at DESC, taken_at DESC
"""

# One UPDATE computes every flag and writes only the rows whose flags change,
# so a no-op run writes nothing (and adds nothing to the actions' history).
_FLAGS_UPDATE = f"""
WITH latest_snapshot AS ({_LATEST_SNAPSHOT}),
computed AS (
    SELECT a.id,
        a.overdue_since AS old_overdue_since,
        CASE WHEN a.due_date < %(today)s AND NOT l.is_complete
             THEN COALESCE(a.overdue_since, a.due_date + 1) END AS overdue_since,
        COALESCE(a.due_date BETWEEN %(today)s AND %(soon)s AND NOT l.is_complete, false) AS due_soon,
        COALESCE(a.due_date < %(today)s AND NOT l.is_complete AND l.is_on_track, false) AS inconsistent,
        (ls.taken_at IS NOT NULL AND NOT l.is_complete AND NOT EXISTS (
            SELECT 1 FROM actions_actionupdate u WHERE u.action_id = a.id AND u.created_at > ls.taken_at
        )) AS needs_update,
        NOT EXISTS (SELECT 1 FROM actions_action_owners o WHERE o.action_id = a.id) AS unallocated
    FROM actions_action a
    JOIN actions_ratinglevel l ON l.id = a.rating_id
    LEFT JOIN latest_snapshot ls ON ls.strategy_id = a.strategy_id
),
changed AS (
    UPDATE actions_action a
    SET overdue_since = c.overdue_since, due_soon = c.due_soon, inconsistent = c.inconsistent,
        needs_update = c.needs_update, unallocated = c.unallocated
    FROM computed c
    WHERE a.id = c.id AND (
        a.overdue_since IS DISTINCT FROM c.overdue_since OR a.due_soon <> c.due_soon OR a.inconsistent <> c.inconsistent
        OR a.needs_update <> c.needs_update OR a.unallocated <> c.unallocated
    )
    RETURNING c.old_overdue_since, c.overdue_since
)
SELECT count(*),
    count(*) FILTER (WHERE old_overdue_since IS NULL AND overdue_since IS NOT NULL),
    count(*) FILTER (WHERE old_overdue_since IS NOT NULL AND overdue_since IS NULL)
FROM changed
"""

_TOTALS = """
SELECT count(*) FILTER (WHERE overdue_since IS NOT NULL), count(*) FILTER (WHERE due_soon),
    count(*) FILTER (WHERE inconsistent), count(*) FILTER (WHERE needs_update), count(*) FILTER (WHERE unallocated)
FROM actions_action
"""

# Each event, once per person: the owners (people holding an owner post who
# belong to the partnership) and the partnership's officers. The event key
# makes a new event of the same kind (a new due date, a new snapshot) notify again.
_NOTIFICATIONS_INSERT = f"""
WITH latest_snapshot AS ({_LATEST_SNAPSHOT}),
events AS (
    SELECT a.id AS action_id, s.partnership_id, 'overdue' AS kind, a.overdue_since::text AS event_key
    FROM actions_action a JOIN actions_strategy s ON s.id = a.strategy_id WHERE a.overdue_since IS NOT NULL
    UNION ALL
    SELECT a.id, s.partnership_id, 'due_soon', a.due_date::text
    FROM actions_action a JOIN actions_strategy s ON s.id = a.strategy_id WHERE a.due_soon
    UNION ALL
    SELECT a.id, s.partnership_id, 'needs_update', ls.id::text
    FROM actions_action a JOIN actions_strategy s ON s.id = a.strategy_id
    JOIN latest_snapshot ls ON ls.strategy_id = a.strategy_id WHERE a.needs_update
),
recipients AS (
    SELECT e.action_id, e.kind, e.event_key, up.user_id
    FROM events e
    JOIN actions_action_owners o ON o.action_id = e.action_id
    JOIN actions_user_posts up ON up.post_id = o.post_id
    JOIN actions_membership m ON m.user_id = up.user_id AND m.partnership_id = e.partnership_id
    UNION
    SELECT e.action_id, e.kind, e.event_key, m.user_id
    FROM events e JOIN actions_membership m ON m.partnership_id = e.partnership_id AND m.role = %(officer)s
)
INSERT INTO actions_notification (recipient_id, action_id, kind, event_key, created_at)
SELECT r.user_id, r.action_id, r.kind, r.event_key, now()
FROM recipients r JOIN actions_user u ON u.id = r.user_id AND u.is_active
ON CONFLICT (recipient_id, action_id, kind, event_key) DO NOTHING
"""

_DIGESTS_INSERT = """
INSERT INTO actions_emaildigest (recipient_id, day, status, created_at, attempts, last_error)
SELECT DISTINCT n.recipient_id, %(day)s::date, 'pending', now(), 0, ''
FROM actions_notification n JOIN actions_user u ON u.id = n.recipient_id
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


def actions_sweep(*, today: dt.date | None = None) -> SweepResult:
    """Flag overdue, due-soon, inconsistent, needs-update and unallocated actions; queue notifications and digests.

    Overdue: a due date before today and a rating that is not complete (a month's
    due date is stored as its last day). Due soon: due from today to 14 days
    ahead inclusive, not complete. Runs as one transaction under an advisory
    lock: an overlapping run waits, then finds nothing left to change.
    """
    today = today or timezone.localdate()
    params = {"today": today, "soon": today + dt.timedelta(days=DUE_SOON_DAYS)}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SWEEP_LOCK_KEY])
        cursor.execute(_FLAGS_UPDATE, params)
        changed, became_overdue, no_longer_overdue = cursor.fetchone()
        cursor.execute(_TOTALS)
        overdue, due_soon, inconsistent, needs_update, unallocated = cursor.fetchone()
        cursor.execute(_NOTIFICATIONS_INSERT, {"officer": Membership.Role.OFFICER})
        notifications = cursor.rowcount
        digests = _digests_prepare(cursor, day=today)
    return SweepResult(
        changed=changed,
        became_overdue=became_overdue,
        no_longer_overdue=no_longer_overdue,
        overdue=overdue,
        due_soon=due_soon,
        inconsistent=inconsistent,
        needs_update=needs_update,
        unallocated=unallocated,
        notifications=notifications,
        digests=digests,
    )


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
    the person's daily digest, sent after commit.
    """
    today = today or timezone.localdate()
    if not (deadline - dt.timedelta(days=days_before) <= today <= deadline):
        return 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH latest_snapshot AS ({_LATEST_SNAPSHOT})
            INSERT INTO actions_notification (recipient_id, action_id, kind, event_key, deadline, created_at)
            SELECT DISTINCT up.user_id, a.id, %(kind)s, %(key)s, %(deadline)s::date, now()
            FROM actions_action a
            JOIN actions_ratinglevel l ON l.id = a.rating_id AND NOT l.is_complete
            JOIN actions_action_owners o ON o.action_id = a.id
            JOIN actions_user_posts up ON up.post_id = o.post_id
            JOIN actions_user u ON u.id = up.user_id AND u.is_active
            JOIN actions_membership m ON m.user_id = up.user_id AND m.partnership_id = %(partnership)s
            LEFT JOIN latest_snapshot ls ON ls.strategy_id = a.strategy_id
            WHERE a.strategy_id = %(strategy)s AND NOT EXISTS (
                SELECT 1 FROM actions_actionupdate au
                WHERE au.action_id = a.id AND (ls.taken_at IS NULL OR au.created_at > ls.taken_at)
            )
            ON CONFLICT (recipient_id, action_id, kind, event_key) DO NOTHING
            """,
            {
                "kind": Notification.Kind.REMINDER,
                "key": deadline.isoformat(),
                "deadline": deadline,
                "partnership": strategy.partnership_id,
                "strategy": strategy.pk,
            },
        )
        queued = cursor.rowcount
        _digests_prepare(cursor, day=today)
        from actions.tasks import send_pending_digests

        send_pending_digests.delay_on_commit()
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
PERMANENT_SMTP_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPAuthenticationError)
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
    if settings.TESTING and settings.DIGEST_PAUSE_AFTER_SEND:
        # Lets the reliability test kill the worker between sending and acknowledging.
        time.sleep(settings.DIGEST_PAUSE_AFTER_SEND)
    return "sent"


def _describe(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:1000]


SECTIONS = [
    (Notification.Kind.OVERDUE, "Overdue"),
    (Notification.Kind.REMINDER, "Update before the board meeting"),
    (Notification.Kind.DUE_SOON, f"Due in the next {DUE_SOON_DAYS} days"),
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
    for kind, heading in SECTIONS:
        items = [
            {"notification": n, "action": n.action, "url": settings.SITE_URL + n.action.get_absolute_url()}
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
    subject = f"{settings.SERVICE_NAME}: {len(notifications)} action{'s' if len(notifications) != 1 else ''} need your attention"
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("actions/email/digest.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
    )
    message.attach_alternative(render_to_string("actions/email/digest.html", context), "text/html")
    return message
