"""The One Plan's board pack reads in ten minutes: short, every ref, no stranded headings or near-empty pages, PDF/UA clean."""

from __future__ import annotations

import datetime as dt
import html
import io
import os
import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from pdfua import validate
from pypdf import PdfReader

from actions.models import Action, RatingLevel, Snapshot
from actions.rows import rows_from_snapshot
from governance.services import snapshot_take
from reporting.pdf import render_pdf
from reporting.report import board_pack_html
from tests.conftest import FIXTURES
from tests.governance.conftest import rating_change

PAGE_HEIGHT = 842  # A4 in points
CONTENT_TOP = PAGE_HEIGHT - 18 / 25.4 * 72  # below the running header (18 mm top margin)
CONTENT_BOTTOM = 16 / 25.4 * 72  # above the page number (16 mm bottom margin)
PAGE_TITLES = ("At a glance",)  # the only part that starts a page: every other section flows on from the one before


@pytest.fixture
def two_boards(one_plan, scheme, django_user_model):
    """The One Plan as frozen for the May board, then two months of real movement and its KPIs frozen for the July board."""
    first = Snapshot.objects.get(strategy=one_plan)
    kpis = FIXTURES / "kpis" / "cheshire-east"
    with open(os.devnull, "w") as quiet:
        call_command("load_kpis", f"{kpis}-kpis.csv", strategy=one_plan.name, stdout=quiet)
        call_command("import_kpi_values", f"{kpis}-kpi-values.csv", strategy=one_plan.name, stdout=quiet)
    levels = {level.code: level for level in RatingLevel.objects.filter(scheme=scheme)}
    actions = list(Action.objects.filter(strategy=one_plan, rating__code__in=["grey", "amber"]).order_by("position"))
    lead = django_user_model.objects.create_user("lead@example.org", email="lead@example.org", first_name="Asha", last_name="Patel")
    for action in actions[:6]:
        rating_change(action, levels["red"], narrative=f"Slipped: {action.ref} waits on recruitment.", author=lead)
    for action in actions[6:12]:
        rating_change(action, levels["green"], narrative=f"Done: {action.ref} is embedded.", author=lead)
    second = snapshot_take(strategy=one_plan, as_at=dt.date(2025, 7, 14))
    assert second.previous() == first
    return second


def lines_of(page) -> list[tuple[float, str]]:
    """The page's text lines inside the content area, top to bottom, as (baseline y, text)."""
    found: dict[int, list[str]] = {}

    def visit(text, cm, tm, font, size):
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        if text.strip() and CONTENT_BOTTOM < y < CONTENT_TOP:
            found.setdefault(round(y), []).append(text.strip())

    page.extract_text(visitor_text=visit)
    return [(y, " ".join(parts)) for y, parts in sorted(found.items(), reverse=True)]


def headings_of(document: str) -> set[str]:
    """The headings, row group headings and table captions: none may end a page."""
    pattern = r"<h[2-4][^>]*>(.*?)</h[2-4]>|<th scope=\"rowgroup\"[^>]*>(.*?)</th>|<caption[^>]*>(.*?)</caption>"
    found = re.findall(pattern, document, flags=re.S)
    return {" ".join(html.unescape(re.sub(r"<[^>]+>", "", "".join(parts))).split()) for parts in found}


def pack_of(snapshot, meeting=None) -> tuple[str, bytes]:
    """The pack's HTML and its PDF, rendered once for a test that reads it several ways."""
    document = board_pack_html(snapshot, meeting)
    return document, render_pdf(document).content


def assert_reads_in_ten_minutes(snapshot, meeting=None, *, pack: tuple[str, bytes] | None = None) -> list[str]:
    """At most 16 A4 pages, every ref, no stranded heading, no page under half full but the last before a new page, each
    contents entry once.

    Returns the text of each page, for a test to read further without rendering the pack again; `pack` is the pack
    already rendered (pack_of), when the test reads it further.
    """
    document, pdf = pack or pack_of(snapshot, meeting)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) <= 16

    texts = [page.extract_text() for page in reader.pages]
    text = " ".join(texts)
    refs = list(snapshot.items.values_list("ref", flat=True))
    assert len(refs) >= 186  # the One Plan's, and the board's actions arising
    assert not [ref for ref in refs if not re.search(rf"(?<![\w-]){re.escape(ref)}(?![\w-])", text)]

    contents = re.findall(r"<li>([^<]+)</li>", document.split('class="cover-contents"')[1].split("</ol>")[0])
    assert contents and len(contents) == len(set(contents))
    assert len({entry.split(":")[0] for entry in contents}) == len(contents)  # no section named twice, "Exceptions" included

    pages = [lines_of(page) for page in reader.pages]
    headings = headings_of(document)
    for number, lines in enumerate(pages, start=1):
        assert lines, f"page {number} is empty"
        last_line = lines[-1][1]
        assert last_line not in headings, f"page {number} ends with the heading {last_line!r}"
        before_new_page = number == len(pages) or pages[number][0][1] in PAGE_TITLES
        fill = (CONTENT_TOP - lines[-1][0]) / (CONTENT_TOP - CONTENT_BOTTOM)
        assert before_new_page or fill >= 0.5, f"page {number} is only {fill:.0%} full"
    return texts


@pytest.mark.slow
def test_the_one_plan_pack_after_two_boards_reads_in_ten_minutes_heads_each_rating_whole_and_passes_pdf_ua(two_boards, tmp_path):
    """One render of the pack (the longest part of each test), read three ways."""
    pack = pack_of(two_boards)
    assert_reads_in_ten_minutes(two_boards, pack=pack)
    assert_each_rating_column_of_the_matrix_is_headed_by_its_whole_label_on_one_line(pack[1])
    assert_no_pdf_ua_errors_or_warnings_and_every_header_cell_scoped(pack[1], tmp_path)


def assert_each_rating_column_of_the_matrix_is_headed_by_its_whole_label_on_one_line(pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(pdf))
    glance = next(page for page in reader.pages if "At a glance" in page.extract_text())
    lines = lines_of(glance)
    row = next(y for y, text in lines if text.startswith("Delivery group"))
    # The heading row's words, the tags' a little above the plain headings' baseline.
    words = " ".join(text for y, text in lines if 0 <= y - row <= 6).split()
    # Cheshire East's five levels: "Amber E" over two lines would leave one "Amber" on this line, above the row.
    assert sorted(words) == sorted("Delivery group Red Grey Amber Amber E Green Overdue Total".split()), words


@pytest.mark.slow
def test_the_one_plan_imported_as_it_is_and_frozen_today_reads_in_ten_minutes(one_plan):
    """The plan with no update since its import: 134 actions overdue today, each named once, the pack still 16 pages at most."""
    today = snapshot_take(strategy=one_plan, as_at=timezone.localdate())
    rows = rows_from_snapshot(today)
    assert sum(row.status.overdue for row in rows) == 134
    exceptional = {row.ref for row in rows if row.status.overdue or row.rating.is_risk}
    assert_reads_in_ten_minutes(today)
    document = board_pack_html(today)
    exceptions = document.split('id="pack-exceptions"')[1].split("Also to note")[0]
    assert "Imported from" not in exceptions  # an import is not an update
    named = re.findall(r"[A-Z][\w.-]*\d[\w.]*", " ".join(re.findall(r"imported:</strong>([^<]+)</td>", exceptions)))
    listed = re.findall(r'<th scope="row">([^<]+)</th>', exceptions)
    assert (
        len(named) + len(listed) == len(set(named + listed)) and set(named + listed) == exceptional
    )  # each overdue or at-risk action once
    assert "Agree a new date, a new owner or to stop" in document.split('id="pack-summary"')[0]  # long overdue, for decision


def test_each_action_is_counted_once_under_movement_and_listed_once_under_exceptions(two_boards):
    document = board_pack_html(two_boards)
    movement = document.split('id="pack-movement"')[1].split('id="pack-exceptions"')[0]
    exceptions = document.split('id="pack-exceptions"')[1].split("Also to note")[0]
    moved = [ref.strip() for refs in re.findall(r"</strong> \(\d+\): ([^<]+)</span>", movement) for ref in refs.split(",")]
    changed = set(Action.objects.filter(updates__narrative__regex="^(Slipped|Done):").values_list("ref", flat=True))
    assert len(changed) == 12
    assert len(moved) == len(set(moved)) and changed <= set(moved)
    counts = dict(re.findall(r'<th scope="row">([^<]+)</th><td class="num"[^>]*>(\d+)</td>', movement))
    assert counts["Rating worsened"] == "6" and counts["Newly completed"] == "6"
    assert "Newly overdue" in counts  # due in June, not complete by the July board
    assert '<tr><th scope="row">' not in movement.split("</thead>")[1].replace('<tr><th scope="row">Rating', "").replace(
        '<tr><th scope="row">Newly', ""
    ).replace('<tr><th scope="row">New actions', "").replace('<tr><th scope="row">Retired', "")  # a row per kind, none per action
    listed = re.findall(r'<th scope="row">([^<]+)</th>', exceptions)
    assert len(listed) == len(set(listed))
    # The six actions put at risk come first, each with its latest narrative and who wrote it.
    risk = exceptions.split("Overdue: ")[0]
    assert risk.count("Slipped:") == 6 and "waits on recruitment" in risk and "Asha Patel" in risk


def assert_no_pdf_ua_errors_or_warnings_and_every_header_cell_scoped(pdf: bytes, tmp_path) -> None:
    path = tmp_path / "pack.pdf"
    path.write_bytes(pdf)
    report = validate(str(path))
    assert [(f.rule_id, f.severity.name, f.message) for f in report.findings] == []


def test_kpis_read_without_no_target_twice_and_single_values_take_no_chart(two_boards):
    document = board_pack_html(two_boards)
    kpis = document.split('id="pack-kpis"')[1].split('id="pack-appendix"')[0]
    assert "No target · No target" not in kpis and "Target: No target" not in kpis
    cards = kpis.split('<li class="kpi">')[1:]
    assert len(cards) == 36
    for card in cards:
        values_shown = card.count("<circle")
        assert values_shown != 1, "a single value is printed as a figure, not as a chart"
