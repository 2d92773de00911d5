"""Email through GOV.UK Notify, as a Django email backend beside SMTP.

Set `EMAIL_BACKEND=send_tracker.notify.NotifyEmailBackend`, `NOTIFY_API_KEY`
and the template ids. Notify sends from templates: each message names its
template (`message.notify_template`, "default" otherwise) and fills the
template's placeholders from `NOTIFY_PERSONALISATION` (placeholder name to
"subject" or "body") and from `message.notify_personalisation`. The outbox,
its at-most-once claim and its retries stay in `actions.chasing`: this
backend only says whether a failure is worth retrying.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail.backends.base import BaseEmailBackend


class EmailRejectedError(Exception):
    """The email service refused this message (bad address, template or key): retrying will not help."""


class EmailServiceUnavailableError(ConnectionError):
    """The email service could not take the message now (down, or rate-limited): try again later."""


class NotifyEmailBackend(BaseEmailBackend):
    def __init__(self, fail_silently: bool = False, **kwargs) -> None:
        super().__init__(fail_silently=fail_silently, **kwargs)
        if not settings.NOTIFY_API_KEY:
            raise ImproperlyConfigured("NOTIFY_API_KEY must be set to send email through GOV.UK Notify")
        # The client brings requests, PyJWT and cryptography: loaded when email is sent, not at every start.
        from notifications_python_client.notifications import NotificationsAPIClient

        self.client = NotificationsAPIClient(settings.NOTIFY_API_KEY, base_url=settings.NOTIFY_BASE_URL, timeout=settings.NOTIFY_TIMEOUT)

    def send_messages(self, email_messages) -> int:
        from notifications_python_client.errors import APIError

        sent = 0
        for message in email_messages:
            template = getattr(message, "notify_template", "default")
            template_id = settings.NOTIFY_TEMPLATES.get(template)
            if not template_id:
                raise ImproperlyConfigured(f"No GOV.UK Notify template id is set for '{template}' emails (NOTIFY_TEMPLATES)")
            parts = {"subject": message.subject, "body": message.body}
            personalisation = {name: parts[part] for name, part in settings.NOTIFY_PERSONALISATION.items()}
            personalisation.update(getattr(message, "notify_personalisation", {}))
            for address in message.recipients():
                try:
                    self.client.send_email_notification(
                        email_address=address,
                        template_id=template_id,
                        personalisation=personalisation,
                        reference=getattr(message, "notify_reference", None),
                    )
                except APIError as exc:
                    if self.fail_silently:
                        continue
                    if exc.status_code == 429 or exc.status_code >= 500:
                        raise EmailServiceUnavailableError(str(exc)) from exc
                    raise EmailRejectedError(str(exc)) from exc
                sent += 1
        return sent
