"""A form sent after its person's session ended is kept for them, and put back on its page once they sign in again."""

from __future__ import annotations

import json
import time

import pytest
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from actions.models import ActionUpdate
from people.models import Membership
from send_tracker.security import SIGNED_IN_AT
from tests.accounts.conftest import password_sign_in
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

NARRATIVE = "The provider withdrew in May; we re-tender in June with the ICB."


def session_ends() -> None:
    """The idle timeout passes: every session's row is past its expiry date (and stays until `clearsessions`)."""
    Session.objects.update(expire_date=timezone.now() - timezone.timedelta(minutes=1))


def update_sent(client, action, level, **headers):
    data = {"version": action.version, "rating": level("red").pk, "narrative": NARRATIVE, "links": "", "csrfmiddlewaretoken": "x"}
    return client.post(reverse("actions:action_update", args=[action.pk]), data, **headers)


def kept_on(client, url: str) -> dict | None:
    html = client.get(url).content.decode()
    if 'id="app-unsent-fields"' not in html:
        return None
    assert "You were signed out before what you sent was saved" in html
    return json.loads(html.split('id="app-unsent-fields" type="application/json">')[1].split("</script>")[0])


def test_an_htmx_update_sent_after_the_idle_timeout_is_kept_and_back_on_the_action_page_after_signing_in(client, owner, action, level):
    page = action.get_absolute_url()
    password_sign_in(client, owner)
    session_ends()
    sent = update_sent(client, action, level, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL=f"http://testserver{page}")
    # The whole page goes to sign in (not a sign-in form drawn in the action's history), and comes back to the action.
    assert sent.status_code == 200 and sent["HX-Redirect"] == f"{reverse('login')}?next={page}"
    assert not ActionUpdate.objects.exists()
    # The sign-in page says why they are there, and never what they typed.
    signing_in = client.get(sent["HX-Redirect"]).content.decode()
    assert "You were signed out before what you sent was saved. It has been kept" in signing_in and NARRATIVE not in signing_in
    signed_in = client.post(sent["HX-Redirect"], {"username": owner.username, "password": "correct horse battery staple"})
    assert signed_in["Location"] == page
    fields = kept_on(client, page)
    assert fields["narrative"] == [NARRATIVE] and fields["rating"] == [str(level("red").pk)]
    assert "csrfmiddlewaretoken" not in fields
    # Once only.
    assert kept_on(client, page) is None


def test_without_a_script_the_form_goes_back_to_the_page_it_was_sent_from_and_the_words_are_there_to_copy(client, owner, action, level):
    page = action.get_absolute_url() + "?from=my-actions"
    password_sign_in(client, owner)
    session_ends()
    sent = update_sent(client, action, level, HTTP_REFERER=f"http://testserver{page}")
    assert sent.status_code == 302 and sent["Location"].startswith(reverse("login"))
    client.post(sent["Location"], {"username": owner.username, "password": "correct horse battery staple"})
    html = client.get(page).content.decode()
    assert f'<p class="govuk-body app-unsent-value">{NARRATIVE}</p>' in html


def test_someone_else_signing_in_on_the_same_browser_never_sees_it(client, owner, partnership, action, level):
    password_sign_in(client, owner)
    session_ends()
    sent = update_sent(client, action, level)
    assert client.session["unsent_form"]["fields"]["narrative"] == [NARRATIVE]
    colleague = make_user("colleague@example.org", partnership, Membership.Role.OFFICER)
    assert "It has been kept" in client.get(sent["Location"]).content.decode()
    client.post(sent["Location"], {"username": colleague.username, "password": "correct horse battery staple"})
    assert kept_on(client, action.get_absolute_url()) is None
    assert "unsent_form" not in client.session
    # ... nor does its person, signing in after them.
    client.post(reverse("logout"))
    password_sign_in(client, owner)
    assert kept_on(client, action.get_absolute_url()) is None


def test_a_form_sent_past_the_sessions_absolute_lifetime_is_kept_as_well(client, owner, action, level, settings):
    password_sign_in(client, owner)
    session = client.session
    session[SIGNED_IN_AT] = time.time() - settings.SESSION_ABSOLUTE_SECONDS - 1
    session.save()
    sent = update_sent(client, action, level, HTTP_REFERER=f"http://testserver{action.get_absolute_url()}")
    assert sent["Location"] == f"{reverse('login')}?next={action.get_absolute_url()}"
    client.post(sent["Location"], {"username": owner.username, "password": "correct horse battery staple"})
    assert kept_on(client, action.get_absolute_url())["narrative"] == [NARRATIVE]


def test_files_are_named_to_attach_again_and_secrets_are_never_kept(client, owner, action, level):
    password_sign_in(client, owner)
    session_ends()
    data = {
        "version": action.version,
        "rating": level("red").pk,
        "narrative": NARRATIVE,
        "new_password": "hunter2 hunter2",
        "otp_token": "123456",
        "files": SimpleUploadedFile("panel minutes.pdf", b"%PDF-1.4 minutes"),
    }
    sent = client.post(
        reverse("actions:action_update", args=[action.pk]), data, HTTP_REFERER=f"http://testserver{action.get_absolute_url()}"
    )
    kept = client.session["unsent_form"]
    assert set(kept["fields"]) == {"version", "rating", "narrative"} and kept["files"] == ["panel minutes.pdf"]
    client.post(sent["Location"], {"username": owner.username, "password": "correct horse battery staple"})
    assert "attach panel minutes.pdf again" in client.get(action.get_absolute_url()).content.decode()


def test_a_referring_page_of_another_site_is_never_where_signing_in_leads(client, owner, action, level):
    password_sign_in(client, owner)
    session_ends()
    sent = update_sent(client, action, level, HTTP_REFERER="https://evil.example/actions/1/")
    # The page above the form's address instead.
    assert sent["Location"] == f"{reverse('login')}?next={action.get_absolute_url()}"


def test_signing_out_is_left_as_it_is(client, owner):
    password_sign_in(client, owner)
    response = client.post(reverse("logout"))
    assert response["Location"] == reverse("login")
    assert "unsent_form" not in client.session


def test_with_a_second_factor_the_form_is_back_after_the_code_as_well(client, mfa_on, owner, action, level):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.accounts.conftest import current_code

    device = TOTPDevice.objects.create(user=owner, name="Phone", confirmed=True)
    password_sign_in(client, owner)
    client.post(reverse("accounts:mfa_verify"), {"code": current_code(device)})
    session_ends()
    sent = update_sent(client, action, level, HTTP_REFERER=f"http://testserver{action.get_absolute_url()}")
    to_code = client.post(sent["Location"], {"username": owner.username, "password": "correct horse battery staple"})
    # The password leads to the code, and the code to the action's page, with the form kept all the way.
    code_page = client.get(to_code["Location"])
    assert code_page.status_code == 302 and code_page["Location"].startswith(reverse("accounts:mfa_verify"))
    # A code works once: the next one is the next half-minute's, which the test does not wait for.
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    verified = client.post(code_page["Location"], {"code": current_code(device), "next": action.get_absolute_url()})
    assert verified["Location"] == action.get_absolute_url()
    assert kept_on(client, action.get_absolute_url())["narrative"] == [NARRATIVE]


def test_a_part_of_a_page_htmx_asks_for_after_the_session_ended_sends_the_whole_page_to_sign_in(client, owner, strategy):
    dashboard = reverse("reporting:dashboard", args=[strategy.pk])
    password_sign_in(client, owner)
    session_ends()
    part = client.get(
        reverse("risks:headline", args=[strategy.pk]), HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL=f"http://testserver{dashboard}"
    )
    assert part.status_code == 200 and part["HX-Redirect"] == f"{reverse('login')}?next={dashboard}"
    assert "Sign in" not in part.content.decode()
    # The same address asked for as a page still goes to sign in and back to itself.
    page = client.get(reverse("risks:headline", args=[strategy.pk]))
    assert page.status_code == 302 and page["Location"] == f"{reverse('login')}?next={reverse('risks:headline', args=[strategy.pk])}"
