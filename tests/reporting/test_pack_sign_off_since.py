"""A sign-off made after a meeting's pack was produced reaches the pack produced again; the earlier pack is kept as issued."""

from __future__ import annotations

import datetime as dt

import lxml.html
import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from actions.services import action_update_record
from governance.models import Board, Meeting
from governance.services import SnapshotRetakeError, snapshot_retake, snapshot_take
from governance.signoff import sign_off_decide, sign_offs_for, signatory_nominate
from people.models import Membership, Organisation
from reporting.models import BoardReport
from reporting.services import board_report_render
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(strategy, partnership):
    board = Board.objects.create(partnership=partnership, name="SEND Partnership Board")
    today = timezone.localdate()
    return Meeting.objects.create(
        board=board, strategy=strategy, date=today + dt.timedelta(days=10), papers_deadline=today + dt.timedelta(days=3)
    )


@pytest.fixture
def signatory(partnership, owner_post, officer):
    council = Organisation.objects.create(partnership=partnership, name="Northshire Council", kind=Organisation.Kind.COUNCIL)
    owner_post.organisation = council
    owner_post.save()
    person = make_user("director@example.org", partnership, Membership.Role.BOARD_MEMBER)
    signatory_nominate(organisation=council, user=person, by=officer)
    return person


def words(html: bytes) -> str:
    return " ".join(lxml.html.fromstring(html).text_content().split())


def sign_off_in_pdf(report: BoardReport, settings) -> str:
    report.refresh_from_db()
    reader = PdfReader(settings.PRIVATE_MEDIA_ROOT / "board-reports" / report.file_name)
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    return text[text.index("Partner sign-off for the SEND Partnership Board") :][:600]


def test_a_sign_off_after_the_pack_is_offered_to_the_officer_and_reaches_the_pack_produced_again(
    client, settings, officer, owner, board, signatory, meeting, action, strategy, level
):
    sign_off = sign_offs_for(meeting)[0]
    sign_off_decide(sign_off=sign_off, user=signatory, confirm=True)
    action_update_record(action=action, user=owner, rating=level("red"), narrative="Slipped.", expected_version=action.version)
    snapshot = snapshot_take(strategy=strategy, as_at=timezone.localdate(), taken_by=officer)

    # The officer produces the meeting's pack from today's snapshot: the council's sign-off stands reopened.
    client.force_login(officer)
    client.post(
        reverse("reporting:report_request", args=[strategy.pk]),
        {"snapshot": snapshot.pk, "meeting": meeting.pk, "for_decision": "Agree the recovery plan"},
    )
    first = board_report_render(BoardReport.objects.get())
    assert "Northshire Council" in sign_off_in_pdf(first, settings) and "Reopened" in sign_off_in_pdf(first, settings)
    reports = reverse("reporting:reports", args=[strategy.pk])
    assert 'data-testid="pack-behind-sign-off"' not in client.get(reports).content.decode()

    # Then the signatory signs off. Today's snapshot cannot be retaken (a pack used it), and it need not be.
    sign_off_decide(sign_off=sign_off, user=signatory, confirm=True)
    with pytest.raises(SnapshotRetakeError):
        snapshot_retake(snapshot=snapshot, taken_by=officer)

    # The reports page and the meeting's page tell the officer, and offer to produce the pack again.
    decided = timezone.localtime(sign_off.events.first().at)
    for url in (reports, reverse("governance:meeting_detail", args=[meeting.pk])):
        page = lxml.html.fromstring(client.get(url).content)
        (notice,) = page.xpath('//*[@data-testid="pack-behind-sign-off"]')
        said = " ".join(notice.text_content().split())
        pack = f"the pack for the SEND Partnership Board on {meeting.date:%-d %B %Y}"
        assert f"Partner sign-off has changed since {pack} was produced" in said
        assert f"Northshire Council signed off at {decided:%H:%M on %-d %B %Y}" in said
        (form,) = notice.xpath(".//form")
        assert form.xpath(".//button/text()") == ["Produce the pack again"]
        again = {field.get("name"): field.get("value") for field in form.xpath(".//input")}
        assert again["csrfmiddlewaretoken"]  # a browser's request is refused without it
    client.force_login(board)  # a board member reads the packs; producing them is the officers'
    assert 'data-testid="pack-behind-sign-off"' not in client.get(reports).content.decode()

    client.force_login(officer)
    client.post(form.get("action"), again)
    second = board_report_render(BoardReport.objects.exclude(pk=first.pk).get())
    assert (second.snapshot_id, second.meeting_id, second.for_decision) == (snapshot.pk, meeting.pk, "Agree the recovery plan")
    assert "Signed off" in sign_off_in_pdf(second, settings) and "Reopened" not in sign_off_in_pdf(second, settings)
    assert "Reopened" in sign_off_in_pdf(first, settings)  # the earlier pack is kept as it was issued
    assert 'data-testid="pack-behind-sign-off"' not in client.get(reports).content.decode()

    # Each pack's web page says what its PDF says.
    web = reverse("reporting:snapshot_pack", args=[snapshot.pk])
    assert "Reopened" in words(client.get(f"{web}?report={first.pk}").content)
    assert "Reopened" not in words(client.get(f"{web}?report={second.pk}").content)
