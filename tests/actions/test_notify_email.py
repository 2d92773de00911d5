"""Digest emails through GOV.UK Notify, against a stub of its HTTP API on loopback: same outbox, same retries."""

from __future__ import annotations

import datetime as dt
import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest

from actions.chasing import TransientEmailError, actions_sweep, digest_send
from actions.models import EmailDigest

pytestmark = pytest.mark.django_db
SERVICE_ID, SECRET = str(uuid.uuid4()), str(uuid.uuid4())
DIGEST_TEMPLATE = str(uuid.uuid4())


class NotifyStub(BaseHTTPRequestHandler):
    """Answers POST /v2/notifications/email as Notify does, with the status the test asks for."""

    received: list[dict] = []
    status = 201

    def do_POST(self):  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        token = self.headers["Authorization"].removeprefix("Bearer ")
        claims = jwt.decode(token, SECRET, algorithms=["HS256"])  # Notify checks the signature the same way
        NotifyStub.received.append({"path": self.path, "body": body, "iss": claims["iss"]})
        self.send_response(NotifyStub.status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        answer = {"id": str(uuid.uuid4())} if NotifyStub.status == 201 else {"errors": [{"error": "Err", "message": "stubbed"}]}
        self.wfile.write(json.dumps(answer).encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def notify(settings):
    NotifyStub.received, NotifyStub.status = [], 201
    server = ThreadingHTTPServer(("127.0.0.1", 0), NotifyStub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.EMAIL_BACKEND = "send_tracker.notify.NotifyEmailBackend"
    settings.NOTIFY_API_KEY = f"test_key-{SERVICE_ID}-{SECRET}"
    settings.NOTIFY_BASE_URL = f"http://127.0.0.1:{server.server_port}"
    settings.NOTIFY_TEMPLATES = {"default": str(uuid.uuid4()), "digest": DIGEST_TEMPLATE}
    yield NotifyStub
    server.shutdown()
    server.server_close()


@pytest.fixture
def digest(action, owner):
    """SP1 became overdue on 1 October: its owner's digest waits in the outbox."""
    actions_sweep(today=dt.date(2025, 10, 1))
    return EmailDigest.objects.get(recipient=owner)


def test_the_digest_goes_once_through_notify_with_its_template_and_personalisation(notify, digest, owner, settings):
    assert digest_send(digest_id=digest.pk) == "sent"
    assert digest_send(digest_id=digest.pk) == "skipped"  # at most once
    [call] = notify.received
    assert call["path"] == "/v2/notifications/email" and call["iss"] == SERVICE_ID
    body = call["body"]
    assert body["email_address"] == owner.email and body["template_id"] == DIGEST_TEMPLATE
    assert body["reference"] == f"digest-{digest.pk}"
    personalisation = body["personalisation"]
    assert "SP1: Strengthen oversight" in personalisation["body"] and personalisation["subject"].endswith(": 1 action needs your attention")
    assert personalisation["count"] == "1" and personalisation["notifications_url"] == f"{settings.SITE_URL}/notifications/"
    digest.refresh_from_db()
    assert digest.status == EmailDigest.Status.SENT


def test_notify_down_puts_the_digest_back_for_a_retry(notify, digest):
    notify.status = 500
    with pytest.raises(TransientEmailError):
        digest_send(digest_id=digest.pk)
    digest.refresh_from_db()
    assert digest.status == EmailDigest.Status.PENDING and "500" in digest.last_error
    notify.status = 201
    assert digest_send(digest_id=digest.pk) == "sent"
    assert len(notify.received) == 2


def test_notify_rate_limiting_is_retried_but_the_last_attempt_gives_up(notify, digest):
    notify.status = 429
    assert digest_send(digest_id=digest.pk, final_attempt=True) == "failed"
    digest.refresh_from_db()
    assert digest.status == EmailDigest.Status.FAILED


def test_a_refused_message_is_failed_and_never_retried(notify, digest):
    notify.status = 400
    assert digest_send(digest_id=digest.pk) == "failed"
    digest.refresh_from_db()
    assert digest.status == EmailDigest.Status.FAILED and "EmailRejectedError" in digest.last_error
    assert digest_send(digest_id=digest.pk) == "skipped" and len(notify.received) == 1
