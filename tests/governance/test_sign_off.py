"""Partner sign-off before each board: signatories confirm or decline, updates reopen, reminders go once."""

from __future__ import annotations

import datetime as dt

import lxml.html
import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from actions.chasing import digest_send
from actions.models import EmailDigest, Notification
from actions.services import action_update_record
from governance.models import Board, Meeting, SignOff
from governance.services import meetings_remind, snapshot_take
from governance.signoff import sign_off_decide, sign_offs_for, signatory_nominate
from people.models import Organisation
from reporting.report import board_pack_context
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def council(partnership, owner_post):
    org = Organisation.objects.create(partnership=partnership, name="Northshire Council", kind=Organisation.Kind.COUNCIL)
    owner_post.organisation = org
    owner_post.save()
    return org


@pytest.fixture
def meeting(strategy, partnership):
    board = Board.objects.create(partnership=partnership, name="Partnership Board")
    today = timezone.localdate()
    return Meeting.objects.create(
        board=board, strategy=strategy, date=today + dt.timedelta(days=10), papers_deadline=today + dt.timedelta(days=3)
    )


@pytest.fixture
def signatory(partnership, council, officer):
    from people.models import Membership

    person = make_user("director@example.org", partnership, Membership.Role.BOARD_MEMBER)
    signatory_nominate(organisation=council, user=person, by=officer)
    return person


def board_url(meeting):
    return reverse("governance:sign_off_board", args=[meeting.pk])


def test_every_organisation_owning_actions_has_a_sign_off(client, officer, meeting, council, action, partnership):
    Organisation.objects.create(partnership=partnership, name="Owns nothing")
    client.force_login(officer)
    page = client.get(board_url(meeting)).content.decode()
    assert "Northshire Council" in page and "Owns nothing" not in page
    assert "0 of 1</strong> organisation signed off" in page


def test_the_signatory_signs_off_and_the_board_says_who_and_when(client, meeting, signatory, council, action):
    client.force_login(signatory)
    sign_off = sign_offs_for(meeting)[0]
    response = client.post(reverse("governance:sign_off_decide", args=[sign_off.pk]), {"decision": "confirm"})
    assert response.status_code == 302
    sign_off.refresh_from_db()
    assert sign_off.status == SignOff.Status.CONFIRMED and sign_off.decided_by == signatory
    board = client.get(board_url(meeting)).content.decode()
    assert "1 of 1</strong> organisation signed off" in board
    assert '<strong class="govuk-tag govuk-tag--green">Signed off</strong>' in board  # its words, the colour beside them


def test_each_status_is_shown_in_its_words_with_one_colour_everywhere(meeting, signatory, action):
    [sign_off] = sign_offs_for(meeting)
    colours = {}
    for status in SignOff.Status:
        sign_off.status = status
        colours[sign_off.get_status_display()] = sign_off.tag_colour()
    assert colours == {"Not signed off": "grey", "Signed off": "green", "Declined": "red", "Reopened": "orange"}


@pytest.mark.parametrize("persona", ["officer", "owner", "board"])
def test_nobody_else_can_sign_for_the_organisation(client, request, persona, meeting, signatory, action):
    sign_off = sign_offs_for(meeting)[0]
    client.force_login(request.getfixturevalue(persona))
    assert client.post(reverse("governance:sign_off_decide", args=[sign_off.pk]), {"decision": "confirm"}).status_code == 403
    sign_off.refresh_from_db()
    assert sign_off.status == SignOff.Status.OUTSTANDING


def test_declining_needs_a_reason(client, meeting, signatory, action):
    sign_off = sign_offs_for(meeting)[0]
    client.force_login(signatory)
    response = client.post(reverse("governance:sign_off_decide", args=[sign_off.pk]), {"decision": "decline", "reason": " "})
    assert response.status_code == 422 and "Say why you are not signing off" in response.content.decode()
    client.post(reverse("governance:sign_off_decide", args=[sign_off.pk]), {"decision": "decline", "reason": "C10 figures are late."})
    sign_off.refresh_from_db()
    assert sign_off.status == SignOff.Status.DECLINED and sign_off.reason == "C10 figures are late."


def test_a_sign_off_s_problem_links_to_the_field_it_is_about(client, officer, meeting, signatory, council, action):
    sign_off = sign_offs_for(meeting)[0]
    client.force_login(signatory)
    page = client.post(reverse("governance:sign_off_decide", args=[sign_off.pk]), {}).content.decode()
    assert f'<a href="#decision-{sign_off.pk}">Choose whether you sign off or decline</a>' in page
    assert f'id="decision-{sign_off.pk}"' in page
    client.force_login(officer)
    posted = {"organisation": council.pk, "sign_off": sign_off.pk, "user": ""}
    page = client.post(reverse("governance:signatory_nominate", args=[meeting.pk]), posted).content.decode()
    assert f'<a href="#signatory-{sign_off.pk}">Choose a person of this partnership' in page
    assert f'id="signatory-{sign_off.pk}" name="user" aria-describedby="signatory-{sign_off.pk}-error"' in page
    assert f'<p id="signatory-{sign_off.pk}-error" class="govuk-error-message">' in page


def test_a_decline_without_a_reason_keeps_the_choice_and_points_at_the_reason(client, meeting, signatory, action):
    """The signatory who chose "We cannot sign off yet" and left the reason empty sees that choice still made, and the
    problem on the reason's box, not on the choice; what they wrote in a failed send comes back too."""
    sign_off = sign_offs_for(meeting)[0]
    client.force_login(signatory)
    decide = reverse("governance:sign_off_decide", args=[sign_off.pk])
    client.post(decide, {"decision": "confirm"})  # an earlier answer, which the form would otherwise show
    page = client.post(decide, {"decision": "decline", "reason": "  "}).content.decode()
    assert 'value="decline" checked>' in page and 'value="confirm">' in page
    assert f'<a href="#reason-{sign_off.pk}">Say why you are not signing off' in page
    assert f'<p id="reason-{sign_off.pk}-error" class="govuk-error-message">' in page
    assert f'id="reason-{sign_off.pk}" name="reason" rows="3" aria-describedby="reason-{sign_off.pk}-error">' in page
    assert f'id="decision-{sign_off.pk}-error"' not in page
    page = client.post(decide, {"reason": "Figures <late>"}).content.decode()  # no choice made: the words stay
    assert f'<a href="#decision-{sign_off.pk}">Choose whether you sign off or decline</a>' in page
    assert ">Figures &lt;late&gt;</textarea>" in page and "checked>" not in page
    sign_off.refresh_from_db()
    assert sign_off.status == SignOff.Status.CONFIRMED


def test_the_signatory_is_told_in_plain_words_what_they_answered(client, meeting, signatory, action):
    """Not "the updates are declined", which reads as if someone had turned the updates down."""
    sign_off = sign_offs_for(meeting)[0]
    client.force_login(signatory)
    decide = reverse("governance:sign_off_decide", args=[sign_off.pk])
    page = client.post(decide, {"decision": "decline", "reason": "Figures late."}, follow=True).content.decode()
    assert "You have said you cannot sign off Northshire Council&#x27;s updates yet. The officers can see why." in page
    assert "updates for this meeting are declined" not in page
    page = client.post(decide, {"decision": "confirm"}, follow=True).content.decode()
    assert "You have signed off Northshire Council&#x27;s updates for this meeting." in page


def test_the_table_of_organisations_is_not_called_a_board(client, board, meeting, signatory, action):
    """A board is the governance group the page is for; its table of organisations is named for what it holds."""
    client.force_login(board)
    page = client.get(board_url(meeting)).content.decode()
    assert ">Sign-off by organisation</caption>" in page and "Sign-off board" not in page


def test_after_the_papers_deadline_it_is_too_late(client, meeting, signatory, action):
    sign_off = sign_offs_for(meeting)[0]
    with pytest.raises(Exception, match="papers deadline"):
        sign_off_decide(sign_off=sign_off, user=signatory, confirm=True, today=meeting.papers_deadline + dt.timedelta(days=1))


def test_an_update_after_sign_off_reopens_it_and_says_why(client, meeting, signatory, action, owner, level):
    sign_off = sign_offs_for(meeting)[0]
    sign_off_decide(sign_off=sign_off, user=signatory, confirm=True)
    action_update_record(action=action, user=owner, rating=level("red"), narrative="Slipped.", expected_version=action.version)
    sign_off.refresh_from_db()
    assert sign_off.status == SignOff.Status.REOPENED
    assert "SP1 updated by owner@example.org" in sign_off.reason and "after the sign-off" in sign_off.reason
    assert list(sign_off.events.values_list("status", flat=True)) == ["reopened", "confirmed"]


def test_signatories_who_have_not_signed_are_reminded_once(meeting, signatory, action):
    today = timezone.localdate()
    meetings_remind(today=today)
    meetings_remind(today=today)
    reminders = Notification.objects.filter(kind=Notification.Kind.SIGN_OFF)
    assert list(reminders.values_list("recipient__username", flat=True)) == ["director@example.org"]
    digest = EmailDigest.objects.get(recipient=signatory)
    assert digest_send(digest_id=digest.pk) == "sent"
    assert "Sign off Northshire Council" in mail.outbox[0].body and board_url(meeting) in mail.outbox[0].body
    # The words fit a signatory who owns no action.
    assert mail.outbox[0].subject.endswith(": A sign-off is due before the board")
    assert "actions you own" not in mail.outbox[0].body and "only about what you sign off" in mail.outbox[0].body


def test_a_signed_organisation_is_not_reminded(meeting, signatory, action):
    sign_off_decide(sign_off=sign_offs_for(meeting)[0], user=signatory, confirm=True)
    meetings_remind(today=timezone.localdate())
    assert not Notification.objects.filter(kind=Notification.Kind.SIGN_OFF).exists()


def test_a_pack_says_the_sign_off_as_it_stood_when_it_was_asked_for_not_when_its_ratings_were_frozen(
    client, officer, meeting, signatory, action, strategy
):
    snapshot = snapshot_take(strategy=strategy, as_at=timezone.localdate())
    asked_before = timezone.now()
    sign_off_decide(sign_off=sign_offs_for(meeting)[0], user=signatory, confirm=True)  # after the snapshot, before the pack
    asked_after = timezone.now()

    def said(at):
        return [(s.organisation_name, s.status, s.signatory) for s in board_pack_context(snapshot, meeting, sign_offs_at=at)["sign_offs"]]

    assert said(asked_before) == [("Northshire Council", "outstanding", str(signatory))]
    assert said(asked_after) == [("Northshire Council", "confirmed", str(signatory))]
    SignOff.objects.update(status=SignOff.Status.REOPENED)  # a row changed without its history is not what a pack reads
    assert said(asked_after) == [("Northshire Council", "confirmed", str(signatory))]
    client.force_login(officer)
    page = " ".join(lxml.html.fromstring(client.get(reverse("reporting:snapshot_pack", args=[snapshot.pk])).content).text_content().split())
    assert "Partner sign-off for the Partnership Board" in page and "Signed off" in page


def test_officers_nominate_signatories(client, officer, board, meeting, council, action):
    client.force_login(officer)
    response = client.post(reverse("governance:signatory_nominate", args=[meeting.pk]), {"organisation": council.pk, "user": board.pk})
    assert response.status_code == 302
    assert council.signatory.user == board
    client.force_login(board)
    assert (
        client.post(reverse("governance:signatory_nominate", args=[meeting.pk]), {"organisation": council.pk, "user": board.pk}).status_code
        == 403
    )


def test_the_signatory_sees_which_of_their_actions_have_no_update_before_confirming(
    client, officer, meeting, signatory, council, action, strategy, owner, level, partnership
):
    """A signatory confirms their organisation's updates are complete: the page says which are not there yet."""
    other = Organisation.objects.create(partnership=partnership, name="Northshire ICB", kind=Organisation.Kind.ICB)
    snapshot_take(strategy=strategy, as_at=timezone.localdate(), taken_by=officer)
    client.force_login(signatory)
    page = client.get(board_url(meeting)).content.decode()
    dashboard = reverse("reporting:dashboard", args=[strategy.pk]) + f"?organisation={council.pk}&amp;exception=needs_update#actions"
    assert "Northshire Council's one action in the round has no update since the last board." in page
    assert f'<a class="govuk-link" href="{dashboard}">See it</a> before you confirm' in page
    assert 'data-label="Updated since the last board">0 of 1<br>' in page and "1 not yet" in page
    assert other.name not in page  # it owns no action, so it has no sign-off
    listed = client.get(dashboard.replace("&amp;", "&")).content.decode()
    assert action.text in listed and "1 action" in listed

    action_update_record(action=action, user=owner, rating=level("red"), narrative="Slipped.", expected_version=action.version)
    page = client.get(board_url(meeting)).content.decode()
    assert "no update since the last board." not in page and 'data-label="Updated since the last board">1 of 1</td>' in page

    # Once the deadline has passed, what is updated now is no longer what was signed: the column goes.
    Meeting.objects.filter(pk=meeting.pk).update(papers_deadline=timezone.localdate() - dt.timedelta(days=1))
    assert "Updated since the last board" not in client.get(board_url(meeting)).content.decode()


def test_the_form_opens_on_the_signatory_s_last_answer(client, meeting, signatory, action):
    """After signing off (or declining), the page says so and the form holds that answer, rather than asking afresh."""
    sign_off = sign_offs_for(meeting)[0]
    client.force_login(signatory)
    decide = reverse("governance:sign_off_decide", args=[sign_off.pk])
    client.post(decide, {"decision": "confirm"})
    page = client.get(board_url(meeting)).content.decode()
    assert f"Signed off by {signatory} on {timezone.localdate():%-d %B %Y}. Send again to change the answer." in page
    assert f'id="decision-{sign_off.pk}" name="decision" type="radio" value="confirm" checked>' in page
    client.post(decide, {"decision": "decline", "reason": "C10 figures are <late>."})
    page = client.get(board_url(meeting)).content.decode()
    assert 'value="decline" checked>' in page and 'value="confirm">' in page
    assert 'name="reason" rows="3">C10 figures are &lt;late&gt;.</textarea>' in page


def test_a_signatory_on_the_dashboard_is_told_of_the_sign_offs_due_from_them_until_they_sign(
    client, meeting, signatory, council, action, board
):
    """The dashboard a signatory reads lists what their first page lists: the sign-offs still due from them, each a link."""
    dashboard = reverse("reporting:dashboard", args=[meeting.strategy_id])
    [sign_off] = sign_offs_for(meeting)
    client.force_login(signatory)
    page = lxml.html.fromstring(client.get(dashboard).content)
    (banner,) = page.xpath('//*[@id="sign-offs-due"]')
    said = " ".join(banner.text_content().split())
    assert f"Sign off Northshire Council's updates for the Partnership Board, {meeting.date:%-d %B %Y}" in said
    assert f"Not signed off due by {meeting.papers_deadline:%-d %B %Y}" in said
    assert banner.xpath(".//a/@href") == [f"{board_url(meeting)}#sign-off-{sign_off.pk}"]

    client.force_login(board)  # nobody else is told
    assert not lxml.html.fromstring(client.get(dashboard).content).xpath('//*[@id="sign-offs-due"]')

    sign_off_decide(sign_off=sign_off, user=signatory, confirm=False, reason="C10 is late.")
    client.force_login(signatory)  # declined: still theirs to give
    assert "you can still sign off by" in client.get(dashboard).content.decode()
    sign_off_decide(sign_off=sign_off, user=signatory, confirm=True)
    assert not lxml.html.fromstring(client.get(dashboard).content).xpath('//*[@id="sign-offs-due"]')


def test_a_reopened_sign_off_says_reopened_once_on_the_sign_off_page_and_in_the_pack(
    client, officer, meeting, signatory, action, owner, level, strategy
):
    sign_off_decide(sign_off=sign_offs_for(meeting)[0], user=signatory, confirm=True)
    action_update_record(action=action, user=owner, rating=level("red"), narrative="Slipped.", expected_version=action.version)
    snapshot = snapshot_take(strategy=strategy, as_at=timezone.localdate())
    client.force_login(officer)
    for url in (board_url(meeting), reverse("reporting:snapshot_pack", args=[snapshot.pk])):
        text = " ".join(lxml.html.fromstring(client.get(url).content).text_content().split())
        assert "SP1 updated by owner@example.org" in text
        assert text.count("Reopened") == 1
