"""A password validator that knows the person's partnerships and organisations."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db.models import Q

from people.models import Organisation, Partnership
from send_tracker.passwords import GENERIC_NAME_WORDS, LEET, name_words


class PartnershipNameValidator:
    """Refuse a password made of the names of the person's partnerships and organisations, or their own name or email.

    A password keeps at least `min_other` characters that are not those names.
    """

    def __init__(self, min_other: int = 10) -> None:
        self.min_other = min_other

    def validate(self, password: str, user=None) -> None:
        if user is None:
            return
        names = [getattr(user, "first_name", ""), getattr(user, "last_name", ""), getattr(user, "username", ""), getattr(user, "email", "")]
        if getattr(user, "pk", None):
            names += Partnership.objects.filter(memberships__user=user).values_list("name", flat=True)
            names += Organisation.objects.filter(
                Q(partnership__memberships__user=user) | Q(people=user) | Q(posts__holders=user)
            ).values_list("name", flat=True)
        rest = re.sub(r"[^a-z0-9]", "", password.lower().translate(LEET))
        found = False
        for word in sorted(name_words(*names), key=len, reverse=True):
            found = found or word in rest
            rest = rest.replace(word, "")
        if not found:
            return
        for word in GENERIC_NAME_WORDS:  # "Northshire SEND Partnership" is still only the name
            rest = rest.replace(word, "")
        if len(rest) < self.min_other:
            raise ValidationError(
                "Your password is too close to your name or your organisation's or partnership's name: use a few unrelated words.",
                code="password_names",
            )

    def get_help_text(self) -> str:
        return "Your password cannot be your name, or your organisation's or partnership's name, with a few characters added."
