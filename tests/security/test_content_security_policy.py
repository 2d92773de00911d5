"""Every kind of response carries a strict Content-Security-Policy, and scripts run only with its nonce."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

REQUIRED = [
    "default-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
]


def assert_strict(response) -> None:
    policy = response.headers.get("Content-Security-Policy", "")
    for directive in REQUIRED:
        assert directive in policy, f"{directive!r} missing from {policy!r}"
    script_src = re.search(r"script-src ([^;]*)", policy).group(1)
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert "unsafe" not in policy


def test_a_page_carries_the_policy_and_every_script_has_its_nonce(client, owner, action):
    client.force_login(owner)
    response = client.get(reverse("actions:action_detail", args=[action.pk]))
    assert_strict(response)
    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
    scripts = re.findall(r"<script\b[^>]*>", response.content.decode())
    assert scripts, "the page loads htmx and GOV.UK Frontend"
    assert all(f'nonce="{nonce}"' in tag for tag in scripts), scripts


def test_each_request_gets_a_new_nonce(client, owner):
    client.force_login(owner)
    first = client.get(reverse("actions:my_actions")).headers["Content-Security-Policy"]
    second = client.get(reverse("actions:my_actions")).headers["Content-Security-Policy"]
    assert re.search(r"'nonce-[^']+'", first).group() != re.search(r"'nonce-[^']+'", second).group()


def test_the_sign_in_page_carries_the_policy(client, db):
    assert_strict(client.get(reverse("login")))


def test_a_not_found_page_carries_the_policy(client, owner):
    client.force_login(owner)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert_strict(response)


def test_a_forbidden_page_carries_the_policy(client, board, action):
    client.force_login(board)
    response = client.post(reverse("actions:action_update", args=[action.pk]), {})
    assert response.status_code == 403
    assert_strict(response)


def test_an_htmx_partial_carries_the_policy(client, owner, strategy, action):
    client.force_login(owner)
    response = client.get(reverse("reporting:dashboard", args=[strategy.pk]) + "?rating=amber", HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and b"<html" not in response.content
    assert_strict(response)


def test_a_redirect_carries_the_policy(client, action):
    response = client.get(reverse("actions:action_detail", args=[action.pk]))
    assert response.status_code == 302
    assert_strict(response)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_file_download_carries_the_policy(client, officer, strategy, action, file_format):
    client.force_login(officer)
    response = client.get(reverse("reporting:dashboard_export", args=[strategy.pk, file_format]))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    assert_strict(response)


def test_a_board_pack_download_carries_the_policy(client, officer, ready_report):
    client.force_login(officer)
    response = client.get(reverse("reporting:report_download", args=[ready_report.pk]))
    assert response.status_code == 200
    assert_strict(response)


def test_an_uploaded_evidence_file_is_sandboxed(client, owner, evidence_file):
    client.force_login(owner)
    response = client.get(reverse("actions:evidence_download", args=[evidence_file.pk]))
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_htmx_is_configured_without_eval_or_injected_styles(client, owner):
    client.force_login(owner)
    html = client.get(reverse("actions:my_actions")).content.decode()
    config = re.search(r'<meta name="htmx-config" content=\'([^\']*)\'', html).group(1)
    assert '"allowEval": false' in config and '"includeIndicatorStyles": false' in config


def test_no_template_has_inline_styles_or_scripts():
    from tests.conftest import ROOT

    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        if "email" in path.parts or "pdf" in path.parts:
            continue  # emails and PDFs are not served under the policy
        text = re.sub(r"\{#.*?#\}|\{% comment %\}.*?\{% endcomment %\}", "", path.read_text(encoding="utf-8"), flags=re.S)
        if re.search(r"\sstyle=|<style\b|\son[a-z]+=|javascript:", text):
            offenders.append(str(path.relative_to(ROOT)))
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "nonce=" not in tag:
                offenders.append(f"{path.relative_to(ROOT)}: {tag}")
    assert not offenders
