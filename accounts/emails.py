"""Email addresses checked as mail systems check them, by one validator every form that takes an address uses.

Django's own check lets through an address whose domain holds a right-to-left
override (`x@exa\u202emple.org`) or a zero-width space: it looks like another
address on screen, and the mail library refuses it when the message is built,
long after the form said yes. So an address is refused here, with a message
where the person is looking, when it holds an invisible, control or
direction-changing character, or when the mail library cannot write it into
a message's header.
"""

from __future__ import annotations

import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.core.mail.message import sanitize_address
from django.core.validators import validate_email

# Unicode's control, format (bidirectional overrides, zero-width characters), surrogate,
# private-use and unassigned categories, and every separator: none belongs in an address.
REFUSED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp", "Zs"}


def hidden_characters(value: str) -> list[str]:
    """The code points (as U+XXXX) of the characters in `value` an address must not hold."""
    return [f"U+{ord(c):04X}" for c in value if unicodedata.category(c) in REFUSED_CATEGORIES]


def refuse_hidden_characters(value: str) -> None:
    """Refuse the characters an address must not hold; a plain space, which the person can see, is named as a space."""
    if found := [code for code in hidden_characters(value) if code != "U+0020"]:
        raise ValidationError(
            "The email address has an invisible or direction-changing character in it (%(found)s): type the address again",
            code="hidden_characters",
            params={"found": ", ".join(dict.fromkeys(found))},
        )
    if " " in value:
        raise ValidationError("The email address has a space in it: remove the space", code="space")


def validate_email_address(value: str) -> None:
    """Refuse an address a mail system would refuse: the wrong shape, hidden characters, or one no message can carry."""
    refuse_hidden_characters(value)
    validate_email(value)
    try:
        sanitize_address(value, "utf-8")
    except (ValueError, UnicodeError):
        raise ValidationError(
            "Email cannot be sent to this address: check its spelling, especially after the @", code="unsendable"
        ) from None


def email_address_problem(value: str) -> str:
    """Why no email can be sent to `value` ("" when it can), for addresses saved before this check."""
    try:
        validate_email_address(value)
    except ValidationError as error:
        return " ".join(error.messages)
    return ""


class EmailAddressField(forms.EmailField):
    """An email field checked by `validate_email_address` (instead of Django's shape check alone)."""

    default_validators = [validate_email_address]
