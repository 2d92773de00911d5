"""Django reads a template tag only when it opens and closes on one line: one spread over lines is printed as text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

OPEN_TAG = re.compile(r"\{%(?!.*?%\})")


def test_it_finds_no_tag_left_open_at_the_end_of_a_line():
    left_open = [
        f"{path.relative_to(settings.BASE_DIR)}:{number}"
        for path in sorted(Path(settings.BASE_DIR, "templates").rglob("*.html"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if OPEN_TAG.search(line)
    ]
    assert left_open == []


@pytest.mark.django_db
def test_the_sign_in_page_has_its_button(client):
    page = client.get(reverse("login")).content.decode()
    assert "{%" not in page
    assert '<button type="submit" class="govuk-button" data-module="govuk-button" data-prevent-double-click="true">Sign in</button>' in page
