"""Password rules (NCSC, OWASP ASVS): long passphrases welcome; short, common, guessable and name-based passwords refused."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from people.models import Organisation


def refused(password: str, user=None) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as error:
        return error.messages
    return []


@pytest.mark.parametrize(
    "passphrase",
    [
        "correct horse battery staple",
        "delivery plans matter to families",
        "a very long passphrase with spaces " * 2,  # 70 characters
        "x7#Gq!" + "ünïcödé and spaces are fine" + "9" * 40,
    ],
)
def test_it_accepts_long_passphrases_with_spaces(owner, passphrase):
    assert refused(passphrase, owner) == []


def test_it_accepts_a_passphrase_of_several_hundred_characters(owner):
    assert refused("the board meets every second month " * 10, owner) == []


def test_it_requires_at_least_twelve_characters(owner):
    assert refused("tiger lamp 9", owner) == []
    assert any("at least 12 characters" in m for m in refused("tiger lamp9", owner))


@pytest.mark.parametrize("password", ["password1234", "qwerty123456", "iloveyou1234"])
def test_it_refuses_common_passwords(owner, password):
    assert refused(password, owner)


@pytest.mark.parametrize(
    "password",
    ["Password123!", "P@ssw0rd2024!!", "Summer2025!!", "September2025", "Welcome12345", "Winter2024winter", "Letmein!2025"],
)
def test_it_refuses_a_common_word_dressed_up_with_digits_and_symbols(owner, password):
    assert any("common word" in m for m in refused(password, owner))


@pytest.mark.parametrize("password", ["Qwertyuiop12!", "asdfghjkl;123", "1qaz2wsx3edc4rfv", "zyxwvutsrqpo"])
def test_it_refuses_keyboard_walks(owner, password):
    assert any("run of keys" in m for m in refused(password, owner))


def test_it_refuses_a_password_of_very_few_different_characters(owner):
    assert any("too few characters" in m for m in refused("abababababababab", owner))


@pytest.mark.parametrize("password", ["Northshire SEND Partnership", "Northshire2025!!", "n0rthsh1re-2025"])
def test_it_refuses_the_partnerships_name(owner, password):
    assert any("partnership" in m for m in refused(password, owner))


def test_it_refuses_the_persons_organisations_name(owner, partnership):
    organisation = Organisation.objects.create(partnership=partnership, name="Riverside Academy Trust")
    owner.organisation = organisation
    owner.save()
    assert any("organisation" in m for m in refused("Riverside Academy 1!", owner))


def test_it_refuses_the_persons_own_name(owner):
    owner.first_name, owner.last_name = "Priyanka", "Ellingham"
    owner.save()
    assert refused("PriyankaEllingham1", owner)


def test_a_passphrase_that_mentions_the_partnership_among_other_words_is_fine(owner):
    assert refused("northshire families deserve joined up plans", owner) == []


def test_another_partnerships_name_is_not_held_against_you(owner, other_partnership):
    assert refused("Southshire harbour lights", owner) == []
