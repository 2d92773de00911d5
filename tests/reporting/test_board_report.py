"""The bi-monthly board pack: requested by an officer, rendered by a worker, downloaded by the board."""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import subprocess
import threading

import lxml.html
import pytest
from django.conf import settings
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.signals import request_finished
from django.db import close_old_connections, connection
from django.urls import reverse
from pypdf import PdfReader

from actions.models import Action, ActionUpdate, Snapshot
from governance.models import Board, Meeting
from governance.services import snapshot_take
from people.models import Membership
from reporting import views
from reporting.models import BoardReport
from reporting.pdf import render_pdf
from reporting.report import board_pack_html
from reporting.services import board_report_render, board_report_request
from tests.conftest import make_user


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def one_plan_snapshot(one_plan):
    return Snapshot.objects.get(strategy=one_plan)


@pytest.fixture
def one_plan_officer(one_plan):
    return make_user("programme.officer@example.org", one_plan.partnership, Membership.Role.OFFICER)


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "pack.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.mark.slow
def test_the_one_plan_pack_has_every_action_and_is_a_tagged_pdf_with_title_and_language(one_plan_snapshot, tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        rendered = render_pdf(board_pack_html(one_plan_snapshot))
    # Its stylesheet is one the renderer reads whole: a rule it cannot read (a screen's width) is left to the web twin's.
    assert not [record.getMessage() for record in caplog.records if record.name.startswith("weasyprint")]
    text = pdf_text(rendered.content, tmp_path)
    refs = Action.objects.filter(strategy=one_plan_snapshot.strategy).values_list("ref", flat=True)
    missing = [ref for ref in refs if ref not in text]
    assert not missing, f"refs missing from the pack: {missing}"
    assert f"Page 1 of {rendered.page_count}" in text and f"Page {rendered.page_count} of {rendered.page_count}" in text
    assert "14 May 2025" in text and "Amber E" in text
    reader = PdfReader(io.BytesIO(rendered.content))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert str(root["/Lang"]).lower().startswith("en")
    assert reader.metadata.title == "SEND and AP One Plan 2025-2028 – board report as at 14 May 2025"


@pytest.mark.slow
def test_the_pack_is_built_from_the_snapshot_not_the_live_plan(one_plan_snapshot, tmp_path):
    Action.objects.filter(strategy=one_plan_snapshot.strategy, ref="SP1").update(text="Changed after the snapshot")
    text = pdf_text(render_pdf(board_pack_html(one_plan_snapshot)).content, tmp_path)
    assert "Changed after the snapshot" not in text
    assert "Create and publish an easy read summary" in text


def test_hostile_text_is_printed_as_text_and_nothing_is_fetched(action, level, tmp_path):
    hostile = '<img src="file:///etc/passwd"><link rel="stylesheet" href="http://127.0.0.1:9/x.css">'
    Action.objects.filter(pk=action.pk).update(text=f"Plan {hostile}")
    snapshot = snapshot_take(strategy=action.strategy, as_at=action.strategy.ratings_as_at)
    rendered = render_pdf(board_pack_html(snapshot))
    assert rendered.refused_urls == []
    assert 'src="file:///etc/passwd"' in pdf_text(rendered.content, tmp_path).replace("\n", "")


def test_the_renderer_refuses_local_files_and_remote_addresses():
    rendered = render_pdf(
        '<html lang="en"><head><title>t</title><link rel="stylesheet" href="http://127.0.0.1:9/x.css"></head>'
        '<body><img src="file:///etc/passwd" alt=""><img src="https://example.org/x.png" alt=""></body></html>'
    )
    assert set(rendered.refused_urls) == {"http://127.0.0.1:9/x.css", "file:///etc/passwd", "https://example.org/x.png"}


def test_rendering_a_request_twice_gives_one_file_and_one_ready_row(
    one_plan_snapshot, one_plan_officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # enqueued on commit; eager here, so it renders
        report, created = board_report_request(snapshot=one_plan_snapshot, user=one_plan_officer)
    assert created
    report.refresh_from_db()
    assert report.status == BoardReport.Status.READY and report.page_count >= 6 and report.attempts == 1
    board_report_render(report)
    report.refresh_from_db()
    assert report.attempts == 1
    files = list((settings.PRIVATE_MEDIA_ROOT / "board-reports").iterdir())
    assert [f.name for f in files] == [report.file_name]


@pytest.mark.django_db(transaction=True)
def test_concurrent_renders_of_one_request_give_one_file_and_one_ready_row(action, officer, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    snapshot = snapshot_take(strategy=action.strategy, as_at=action.strategy.ratings_as_at)
    report = BoardReport.objects.create(strategy=action.strategy, snapshot=snapshot, requested_by=officer)
    barrier, errors = threading.Barrier(2), []

    def render():
        try:
            barrier.wait()
            board_report_render(BoardReport.objects.get(pk=report.pk))
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=render) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    report.refresh_from_db()
    assert report.status == BoardReport.Status.READY and 1 <= report.attempts <= 2
    assert len(list((settings.PRIVATE_MEDIA_ROOT / "board-reports").glob("*.pdf"))) == 1
    assert BoardReport.objects.count() == 1


def test_a_render_that_always_fails_ends_failed_after_bounded_retries(
    one_plan_snapshot, one_plan_officer, monkeypatch, django_capture_on_commit_callbacks
):
    calls = []

    def broken(html, on_stage=None):
        calls.append(1)
        raise RuntimeError("fonts missing")

    monkeypatch.setattr("reporting.pdf.render_pdf", broken)
    with django_capture_on_commit_callbacks(execute=True):
        board_report_request(snapshot=one_plan_snapshot, user=one_plan_officer)
    report = BoardReport.objects.get()
    assert report.status == BoardReport.Status.FAILED
    assert "fonts missing" in report.error
    assert len(calls) == 3  # the first try and two retries, then it stops


def test_an_officer_requests_watches_and_downloads_the_pack(
    client, one_plan_snapshot, one_plan_officer, django_capture_on_commit_callbacks
):
    client.force_login(one_plan_officer)
    strategy = one_plan_snapshot.strategy
    page = client.get(reverse("reporting:reports", args=[strategy.pk])).content.decode()
    assert "Produce the pack" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reporting:report_request", args=[strategy.pk]), {"snapshot": one_plan_snapshot.pk})
        b"".join(response.streaming_content)  # sent, as to a browser: without a broker the render runs now
    report = BoardReport.objects.get()
    assert response.url == reverse("reporting:report_detail", args=[report.pk])
    status = client.get(reverse("reporting:report_detail", args=[report.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "The pack is ready" in status and "data-hx-trigger" not in status and "<html" not in status
    download = client.get(reverse("reporting:report_download", args=[report.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == f'attachment; filename="board-pack-2025-05-14-{report.pk}.pdf"'
    assert download["Cache-Control"] == "private, no-store"
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_a_pending_pack_page_polls_and_a_second_request_reuses_it(client, one_plan_snapshot, one_plan_officer):
    BoardReport.objects.create(strategy=one_plan_snapshot.strategy, snapshot=one_plan_snapshot, requested_by=one_plan_officer)
    client.force_login(one_plan_officer)
    client.post(reverse("reporting:report_request", args=[one_plan_snapshot.strategy_id]), {"snapshot": one_plan_snapshot.pk})
    assert BoardReport.objects.count() == 1
    report = BoardReport.objects.get()
    html = client.get(reverse("reporting:report_detail", args=[report.pk])).content.decode()
    assert 'data-hx-trigger="every 1s"' in html and "waiting to be produced" in html


def test_the_pack_page_shows_the_stage_a_render_has_reached(client, one_plan_snapshot, one_plan_officer):
    report = BoardReport.objects.create(
        strategy=one_plan_snapshot.strategy,
        snapshot=one_plan_snapshot,
        requested_by=one_plan_officer,
        status=BoardReport.Status.RUNNING,
        stage=BoardReport.Stage.LAYING_OUT,
    )
    client.force_login(one_plan_officer)
    status = client.get(reverse("reporting:report_detail", args=[report.pk]), HTTP_HX_REQUEST="true").content.decode()
    steps = re.findall(r'name-and-hint">([^<]+)</div>\s*<div class="govuk-task-list__status">(.*?)</div>', status)
    assert [(label, re.sub(r"<[^>]+>", "", state)) for label, state in steps] == [
        ("Reading the snapshot", "Done"),
        ("Laying out the pages", "In progress"),
        ("Writing and tagging the PDF", "Not yet"),
    ]
    assert 'data-hx-trigger="every 1s"' in status


def test_without_a_broker_the_request_answers_before_the_render_and_renders_once_sent(rf, one_plan_snapshot, one_plan_officer):
    # In-process (no broker) the render runs once the redirect has gone out, so the officer's page is not held.
    assert settings.CELERY_TASK_ALWAYS_EAGER
    request = rf.post(reverse("reporting:report_request", args=[one_plan_snapshot.strategy_id]), {"snapshot": one_plan_snapshot.pk})
    request.user = one_plan_officer
    request._dont_enforce_csrf_checks = True
    request.session = {}
    request._messages = FallbackStorage(request)
    response = views.report_request(request, one_plan_snapshot.strategy_id)
    report = BoardReport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("reporting:report_detail", args=[report.pk])
    assert report.status == BoardReport.Status.QUEUED  # answered: nothing rendered yet
    request_finished.disconnect(close_old_connections)  # as Django's test client does: keep the test's connection
    try:
        response.close()  # what the server does once the response is sent
    finally:
        request_finished.connect(close_old_connections)
    report.refresh_from_db()
    assert report.status == BoardReport.Status.READY and report.page_count >= 6


def test_the_pack_reads_as_a_web_page(client, one_plan_snapshot, one_plan_officer):
    client.force_login(one_plan_officer)
    html = client.get(reverse("reporting:snapshot_pack", args=[one_plan_snapshot.pk])).content.decode()
    assert "EHC-C6" in html and "Appendix: every action" in html and html.count("<html") == 1
    assert "/static/css/pack.css" in html  # the web twin is styled by the pack's own stylesheet
    assert 'pack-screen.css" media="screen"' in html  # and, on a screen, by the screen's own
    # Its contents lead to each section, as a long page on a phone needs: every entry a link to a heading that is there.
    document = lxml.html.fromstring(html)
    entries = document.xpath("//ol[@class='cover-contents']/li")
    links = [li.xpath("./a/@href") for li in entries]
    assert len(entries) >= 5 and all(len(href) == 1 and href[0].startswith("#") for href in links), links
    for [href] in links:
        assert document.xpath(f"//*[@id='{href[1:]}'][self::h2]"), f"{href} leads nowhere"
    assert document.get_element_by_id("pack-decide").text_content() == "What the board is asked to decide"
    # On a phone each row stacks, a cell to a line: every cell says which column it was, or a count reads as a bare number.
    assert unlabelled_cells(document) == []


def unlabelled_cells(document) -> list[str]:
    """The text of each table cell of the pack (but one that spans a row) without the column name it shows on a phone."""
    return [" ".join(td.text_content().split())[:40] for td in document.xpath("//td[not(@colspan) and not(@data-label)]")]


@pytest.mark.parametrize(
    "persona, can_read, can_request",
    [
        ("owner", True, False),
        ("other_lead", True, False),
        ("group_lead", True, False),
        ("board", True, False),
        ("officer", True, True),
        ("outsider", False, False),
    ],
)
def test_who_may_read_request_and_download_packs(
    client, request, action, persona, can_read, can_request, django_capture_on_commit_callbacks
):
    snapshot = snapshot_take(strategy=action.strategy, as_at=action.strategy.ratings_as_at)
    officer = make_user("another.officer@example.org", action.strategy.partnership, Membership.Role.OFFICER)
    with django_capture_on_commit_callbacks(execute=True):
        report, _ = board_report_request(snapshot=snapshot, user=officer)
    client.force_login(request.getfixturevalue(persona))
    read = 200 if can_read else 404
    assert client.get(reverse("reporting:reports", args=[action.strategy_id])).status_code == read
    assert client.get(reverse("reporting:report_detail", args=[report.pk])).status_code == read
    assert client.get(reverse("reporting:report_detail", args=[report.pk]), HTTP_HX_REQUEST="true").status_code == read
    assert client.get(reverse("reporting:report_download", args=[report.pk])).status_code == read
    assert client.get(reverse("reporting:snapshot_pack", args=[snapshot.pk])).status_code == read
    before = BoardReport.objects.count()
    BoardReport.objects.filter(pk=report.pk).update(status=BoardReport.Status.FAILED)
    response = client.post(reverse("reporting:report_request", args=[action.strategy_id]), {"snapshot": snapshot.pk})
    # Outside the partnership nothing is found; inside it, only officers may (403 for the rest).
    refused = 404 if not can_read else 403
    assert response.status_code == (302 if can_request else refused)
    assert BoardReport.objects.count() == before + (1 if can_request else 0)
    assert client.post(reverse("reporting:report_retry", args=[report.pk])).status_code == (302 if can_request else refused)


def test_signed_out_people_cannot_reach_packs(client, action):
    snapshot = snapshot_take(strategy=action.strategy, as_at=action.strategy.ratings_as_at)
    report = BoardReport.objects.create(strategy=action.strategy, snapshot=snapshot)
    for url in [reverse("reporting:reports", args=[action.strategy_id]), reverse("reporting:report_download", args=[report.pk])]:
        assert client.get(url).status_code == 302


def test_the_import_seeds_the_partnership_governance_from_the_plan(one_plan):
    names = list(Board.objects.filter(partnership=one_plan.partnership).values_list("name", flat=True))
    assert "SEND Executive Oversight Panel" in names and "0-25 SEND and AP Partnership Board" in names
    assert Board.objects.get(name="SEND Executive Oversight Panel").chair_role == "Chief Executive"


def test_the_command_renders_a_pack_to_a_file(one_plan_snapshot, tmp_path):
    from django.core.management import call_command

    out = tmp_path / "pack.pdf"
    buffer = io.StringIO()
    call_command(
        "render_board_report", strategy=one_plan_snapshot.strategy.name, snapshot=one_plan_snapshot.pk, out=str(out), stdout=buffer
    )
    assert out.read_bytes().startswith(b"%PDF") and "pages in" in buffer.getvalue()
    assert "EHC-C6" in pdf_text(out.read_bytes(), tmp_path)
    assert not ActionUpdate.objects.filter(source="system").exists()
    assert Meeting.objects.count() == 0


def test_the_packs_list_says_when_a_pack_is_for_no_meeting(client, action, officer, board):
    """A pack produced for no meeting says so in its Meeting cell, rather than leaving it blank (a bare "Meeting:" on a phone)."""
    snapshot = snapshot_take(strategy=action.strategy, as_at=dt.date(2025, 5, 14))
    BoardReport.objects.create(strategy=action.strategy, snapshot=snapshot, requested_by=officer)
    client.force_login(board)
    page = lxml.html.fromstring(client.get(reverse("reporting:reports", args=[action.strategy.pk])).content)
    (cell,) = page.xpath('//td[@data-label="Meeting"]')
    assert cell.text_content().strip() == "No meeting"


def test_a_pack_for_a_meeting_records_its_snapshot_so_the_board_meets_on_it_and_its_page_links_the_pack(client, action, officer, board):
    """Producing a meeting's pack chooses the meeting's snapshot: its page names it and links the pack, and once the
    meeting has been held, "the last board" is that snapshot, not a newer one taken for the next board."""
    strategy = action.strategy
    shown = snapshot_take(strategy=strategy, as_at=dt.date(2025, 5, 14), taken_by=officer)
    partnership_board = Board.objects.create(partnership=strategy.partnership, name="SEND Partnership Board")
    met = Meeting.objects.create(board=partnership_board, strategy=strategy, date=dt.date(2025, 5, 21))
    board_report_request(snapshot=shown, user=officer, meeting=met, enqueue=lambda report: None)
    met.refresh_from_db()
    assert met.snapshot == shown
    snapshot_take(strategy=strategy, as_at=dt.date(2025, 7, 10), taken_by=officer)  # for the next board, not yet met
    assert Snapshot.objects.last_board_for(strategy, today=dt.date(2025, 7, 12)) == shown

    client.force_login(board)
    page = lxml.html.fromstring(client.get(reverse("governance:meeting_detail", args=[met.pk])).content)
    (row,) = [r for r in page.xpath('//div[contains(@class, "govuk-summary-list__row")]') if "Snapshot for its pack" in r.text_content()]
    assert "As at 14 May 2025" in row.text_content()
    assert row.xpath(".//a/@href") == [reverse("reporting:snapshot_pack", args=[shown.pk])]  # its PDF is not written yet
    assert "no PDF of it has been produced yet" in row.text_content()
    assert client.get(reverse("reporting:snapshot_pack", args=[shown.pk])).status_code == 200

    # A snapshot chosen for the meeting stays its own: a pack of another snapshot does not replace it.
    later = snapshot_take(strategy=strategy, as_at=dt.date(2025, 5, 20), taken_by=officer)
    board_report_request(snapshot=later, user=officer, meeting=met, enqueue=lambda report: None)
    met.refresh_from_db()
    assert met.snapshot == shown


def test_the_pack_as_a_web_page_asks_the_board_what_its_pdf_asks(client, board, officer, action, django_capture_on_commit_callbacks):
    """The officer's items for decision are the pack's: its web page says them as its PDF does."""
    snapshot = snapshot_take(strategy=action.strategy, as_at=action.strategy.ratings_as_at)
    sitting = Meeting.objects.create(
        board=Board.objects.create(partnership=action.strategy.partnership, name="Partnership Board"),
        strategy=action.strategy,
        date=action.strategy.ratings_as_at + dt.timedelta(days=30),
        snapshot=snapshot,
    )
    with django_capture_on_commit_callbacks(execute=True):
        report, _ = board_report_request(snapshot=snapshot, user=officer, meeting=sitting, for_decision="Agree the recovery plan")
    client.force_login(board)
    detail = client.get(reverse("reporting:report_detail", args=[report.pk])).content.decode()
    web = reverse("reporting:snapshot_pack", args=[snapshot.pk]) + f"?report={report.pk}"
    assert f'href="{web}"' in detail
    for url in (web, reverse("reporting:snapshot_pack", args=[snapshot.pk])):  # the meeting page links without it
        assert "Agree the recovery plan" in client.get(url).content.decode()


def test_the_pack_as_a_web_page_names_no_icon_for_the_browser_to_ask_for(client, board, action):
    """Like every other page, the pack's web page says it has no icon: otherwise browsers ask for /favicon.ico, a 404."""
    snapshot = snapshot_take(strategy=action.strategy, as_at=action.strategy.ratings_as_at)
    client.force_login(board)
    page = client.get(reverse("reporting:snapshot_pack", args=[snapshot.pk])).content.decode()
    assert '<link rel="icon" href="data:,">' in page
