"""Password rules beyond Django's own (NCSC and OWASP ASVS: long passphrases, no guessable passwords).

Django's validators already require 12 characters, refuse its list of 20,000
common passwords and passwords like the person's username or email. These add:
- GuessablePatternValidator: a common word or a keyboard walk dressed up with
  capitals, digits and symbols ("Password123!", "Summer2025!", "Qwertyuiop1!");
- people.passwords.PartnershipNameValidator: the name of the person's partnership or
  organisation, or of the person, with a few characters added ("Northshire2025!").
Spaces and any characters are allowed, and there is no maximum a person would meet.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from django.core.exceptions import ValidationError

WORDS_FILE = Path(__file__).resolve().parent / "data" / "guessable-words.txt"
KEYBOARD_RUNS = (
    "qwertyuiopasdfghjklzxcvbnm",
    "abcdefghijklmnopqrstuvwxyz",
    "1234567890",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
    "qazwsxedcrfvtgbyhnujmikolp",
)
LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"})
# Characters a passphrase may add around a guessable core and still be guessable.
PADDING_ALLOWED = 6
GENERIC_NAME_WORDS = {"the", "and", "of", "for", "send", "partnership", "council", "borough", "county", "city", "nhs", "trust"}


@cache
def guessable_words() -> frozenset[str]:
    lines = WORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def _letters(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower())


def _cores(password: str) -> set[str]:
    """The letters at the heart of a password: lower case, digits and symbols at either end dropped, with and without leetspeak undone."""
    lowered = password.lower()
    stripped = re.sub(r"^[\W\d_]+|[\W\d_]+$", "", lowered) or lowered
    return {_letters(stripped), _letters(stripped.translate(LEET))} - {""}


def _is_keyboard_walk(text: str) -> bool:
    if len(text) < 4:
        return False
    return any(text in run or text in run[::-1] for run in KEYBOARD_RUNS)


class GuessablePatternValidator:
    """Refuse a common word or keyboard walk with capitals, digits and symbols added, and passwords of very few different characters."""

    def validate(self, password: str, user=None) -> None:
        compact = re.sub(r"\s+", "", password.lower())
        cores = _cores(password)
        if len(set(compact)) < 5:
            raise ValidationError("Your password repeats too few characters: use a few unrelated words.", code="password_repetitive")
        if _is_keyboard_walk(re.sub(r"[\W_]", "", compact)) or any(_is_keyboard_walk(core) for core in cores):
            raise ValidationError(
                "Your password is a run of keys on the keyboard: use a few unrelated words.", code="password_keyboard_walk"
            )
        if any(core in guessable_words() or (len(compact) - len(core) <= PADDING_ALLOWED and _repeats_a_word(core)) for core in cores):
            raise ValidationError(
                "Your password is a common word with numbers or symbols added, which attackers try first: use a few unrelated words.",
                code="password_guessable",
            )

    def get_help_text(self) -> str:
        return "Your password cannot be a common word or keyboard run with numbers or symbols added."


def _repeats_a_word(core: str) -> bool:
    """True when the letters are one guessable word said twice or more ("summersummer")."""
    return any(len(core) % len(word) == 0 and word * (len(core) // len(word)) == core for word in guessable_words())


def name_words(*names: str) -> set[str]:
    words = set()
    for name in names:
        for word in re.split(r"[^a-z0-9]+", (name or "").lower()):
            if len(word) >= 3 and word not in GENERIC_NAME_WORDS:
                words.add(word)
    return words
