"""Documents are written in the background: bounded for huge plans, refused to those who may no longer see them; the plan's due date."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from docx import Document
from pypdf import PdfReader

from actions.models import Action
from governance.models import Finding, Inspection
from governance.self_evaluation import FIELD_MAX_CHARS, self_evaluation_draft, self_evaluation_save
from people.models import Membership
from reporting.models import DocumentExport
from reporting.priority_action_plan import PLAN_ROWS_PER_AREA, TEXT_MAX_CHARS
from reporting.report import board_pack_html
from reporting.tasks import produce_document
from tests.reporting.documents import produce

pytestmark = pytest.mark.django_db


@pytest.fixture
def recent_inspection(strategy, officer):
    """A full inspection that ended a fortnight ago, with an area for priority action: its plan is open and not yet due."""
    ended = timezone.localdate() - dt.timedelta(days=14)
    inspection = Inspection.objects.create(
        strategy=strategy, kind="full", started_on=ended - dt.timedelta(days=4), ended_on=ended, outcome="systemic", created_by=officer
    )
    Finding.objects.create(inspection=inspection, kind=Finding.Kind.PRIORITY, number=1, text="Leaders' oversight of <b>plans</b> & more")
    return inspection


def test_a_plan_of_thousands_of_actions_lists_the_first_of_each_area_and_how_many_more(
    client, officer, strategy, group, level, recent_inspection
):
    actions = Action.objects.bulk_create(
        Action(strategy=strategy, group=group, ref=f"P{i}", text="A long action text. " * 200, rating=level("amber"), position=i)
        for i in range(1, 1201)
    )
    recent_inspection.findings.get().actions.set(actions)
    client.force_login(officer)
    document = Document(io.BytesIO(produce(client, strategy, "priority_action_plan", "docx")))
    (table,) = document.tables
    assert len(table.rows) == PLAN_ROWS_PER_AREA + 1  # with its header row
    assert max(len(row.cells[0].text) for row in table.rows) <= TEXT_MAX_CHARS  # each action's text is cut at a readable length
    text = "\n".join(p.text for p in document.paragraphs)
    assert f"And {1200 - PLAN_ROWS_PER_AREA:,} more actions: the tracker's findings page lists every one." in text
    assert "Leaders' oversight of <b>plans</b> & more" in text  # the report's text stays text
    assert "Due by " in text and "working days after the last day of the inspection" in text  # no report date recorded


def test_a_self_evaluation_of_the_longest_narratives_is_written(client, officer, strategy):
    self_evaluation_draft(strategy, user=officer, snapshot=None)
    long = ("A paragraph of evidence from the partnership. " * 40 + "\n") * (FIELD_MAX_CHARS // 1900)
    texts = {code: {"strengths": long[:FIELD_MAX_CHARS], "improve": long[:FIELD_MAX_CHARS]} for code in ("E1", "L6")}
    version = self_evaluation_save(strategy, user=officer, base=1, texts=texts)
    client.force_login(officer)
    document = Document(io.BytesIO(produce(client, strategy, "self_evaluation", "docx", version.number)))
    assert sum(len(p.text) for p in document.paragraphs) > 4 * (FIELD_MAX_CHARS - 2_000)  # the Word copy holds every word
    pdf = PdfReader(io.BytesIO(produce(client, strategy, "self_evaluation", "pdf", version.number)))
    text = " ".join(" ".join(page.extract_text().split()) for page in pdf.pages)
    assert text.count("more characters: the Word copy holds every word") == 4  # the PDF prints the first 6,000 of each


def test_a_document_asked_for_by_someone_who_is_no_longer_an_officer_is_not_written(client, officer, strategy, finding):
    client.force_login(officer)
    client.post(reverse("reporting:document_request", args=[strategy.pk]), {"kind": "priority_action_plan", "format": "pdf"})
    document = DocumentExport.objects.get()
    Membership.objects.filter(user=officer).update(role=Membership.Role.BOARD_MEMBER)
    produce_document.apply(args=[document.pk])
    document.refresh_from_db()
    assert document.status == "failed" and "no longer an officer" in document.error and not document.file_name


def test_asking_twice_while_it_is_written_gives_the_same_document(client, officer, strategy, finding):
    client.force_login(officer)
    request = reverse("reporting:document_request", args=[strategy.pk])
    first = client.post(request, {"kind": "priority_action_plan", "format": "docx"})
    second = client.post(request, {"kind": "priority_action_plan", "format": "docx"}, follow=True)
    assert DocumentExport.objects.count() == 1 and second.redirect_chain[-1][0] == first.url
    assert "That document is already being written." in second.content.decode()


def test_bad_requests_are_told_there_is_no_such_document(client, officer, strategy):
    client.force_login(officer)
    request = reverse("reporting:document_request", args=[strategy.pk])
    assert client.post(request, {"kind": "self_evaluation", "format": "docx", "version": "7"}).status_code == 404
    assert client.post(request, {"kind": "minutes", "format": "docx"}).status_code == 404
    assert client.post(request, {"kind": "self_evaluation", "format": "exe", "version": "1"}).status_code == 404
    assert DocumentExport.objects.count() == 0


def test_the_plan_page_shows_its_due_date_and_its_areas(client, officer, strategy, recent_inspection):
    client.force_login(officer)
    page = client.get(reverse("reporting:priority_action_plan_page", args=[strategy.pk])).content.decode()
    assert 'id="plan-due"' in page and "Due in " in page and "Priority action 1" in page
    assert "Leaders&#x27; oversight of &lt;b&gt;plans&lt;/b&gt; &amp; more" in page


def test_the_dashboard_shows_the_open_plan_due_date_to_the_board(client, board, officer, strategy, recent_inspection):
    client.force_login(board)
    page = client.get(reverse("reporting:dashboard", args=[strategy.pk])).content.decode()
    assert 'id="plan-due"' in page and "Priority action plan" in page and "due by " in page and "Due in " in page
    assert reverse("reporting:priority_action_plan_page", args=[strategy.pk]) not in page  # an officer's page
    client.force_login(officer)
    page = client.get(reverse("reporting:dashboard", args=[strategy.pk])).content.decode()
    assert reverse("reporting:priority_action_plan_page", args=[strategy.pk]) in page


def test_the_dashboard_and_the_pack_say_the_plan_s_date_is_provisional_until_the_report_s_publication_is_recorded(
    client, board, officer, strategy, action, recent_inspection
):
    """Reckoned from the inspection's last day, the date could be taken for the inspectorates' own on the board's pages."""
    from governance.services import snapshot_take

    recent_inspection.findings.get().actions.add(action)
    provisional = "provisional until the date the report was published is recorded"
    client.force_login(board)
    dashboard = reverse("reporting:dashboard", args=[strategy.pk])
    assert provisional in client.get(dashboard).content.decode()
    assert provisional in board_pack_html(snapshot_take(strategy=strategy, as_at=timezone.localdate(), taken_by=officer))
    recent_inspection.published_on = timezone.localdate() - dt.timedelta(days=2)
    recent_inspection.save()
    assert provisional not in client.get(dashboard).content.decode()


def test_the_dashboard_says_nothing_of_a_plan_when_there_is_none(client, board, strategy):
    client.force_login(board)
    assert 'id="plan-due"' not in client.get(reverse("reporting:dashboard", args=[strategy.pk])).content.decode()


def test_the_board_pack_says_when_the_open_plan_is_due(strategy, officer, action, recent_inspection):
    from governance.services import snapshot_take

    recent_inspection.findings.get().actions.add(action)
    snapshot = snapshot_take(strategy=strategy, as_at=timezone.localdate(), taken_by=officer)
    html = board_pack_html(snapshot)
    assert 'id="pack-plan-due"' in html and "Priority action plan due by" in html


def test_the_board_pack_says_when_the_open_plan_was_submitted(strategy, officer, action, recent_inspection):
    from governance.services import snapshot_take

    recent_inspection.findings.get().actions.add(action)
    submitted = timezone.localdate() - dt.timedelta(days=3)
    recent_inspection.plan_submitted_on = submitted
    recent_inspection.save(update_fields=["plan_submitted_on"])
    snapshot = snapshot_take(strategy=strategy, as_at=timezone.localdate(), taken_by=officer)
    html = board_pack_html(snapshot)
    assert f"(submitted on {submitted:%-d %B %Y})" in html
    assert submitted.strftime("%B").lower() not in html
