"""A tracker's own key says what its ratings mean: the mapping proposes by that meaning and the preview warns against it."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from actions import trackers
from actions.models import PlanImport, Progress, RatingScheme

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    from django.core.cache import cache

    cache.clear()


def keyed_tracker(key_line: str = "R = not on track, A = on track, G = complete") -> bytes:
    """A council tracker: title rows, its own headings, R/A/G letters, and a Notes sheet holding the key."""
    book = Workbook()
    plan = book.active
    plan.title = "Tracker"
    plan.append(["SEND improvement tracker"])
    plan.append([])
    plan.append(["Priority", "Action", "Lead officer", "Deadline", "RAG"])
    plan.append(["1. Early help", "Launch the toolkit", "Head of Early Years", "March 2026", "G"])
    plan.append(["1. Early help", "Train SENCOs", "Head of Early Years", "Mar-26", "A"])
    plan.append(["2. Adulthood", "Agree a protocol", "Head of Transitions", "03/2026", "R"])
    notes = book.create_sheet("Notes")
    notes.append(["Key"])
    notes.append([key_line])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_key_is_read_from_any_sheet_with_equals_or_dashes():
    key = trackers.layouts_read(keyed_tracker("R - not on track; A - on track; G - complete"), "t.xlsx")[0].key
    assert key == {"r": "not on track", "a": "on track", "g": "complete"}
    # A heading with a dash is not a key: its meaning says nothing of progress.
    assert trackers.meaning_class("toolkit launch") is None


def test_ratings_are_proposed_by_what_the_key_says_not_by_their_letters(strategy):
    strategy.scheme = RatingScheme.objects.get(code="rag")
    strategy.save()
    reading = trackers.plan_upload_read(keyed_tracker(), "tracker.xlsx", strategy)
    levels = {lv.code: lv for lv in strategy.scheme.levels.all()}
    ratings = reading.mapping["ratings"]
    # A means on track here (Green in RAG), never Amber; R is not on track, an at-risk level.
    assert levels[ratings["a"]].progress == Progress.ON_TRACK
    assert levels[ratings["r"]].progress == Progress.AT_RISK
    assert ratings["g"] == "" or levels[ratings["g"]].progress == Progress.COMPLETE


def test_a_rating_mapped_against_the_key_is_a_warning_in_the_preview(client, officer, strategy):
    strategy.scheme = RatingScheme.objects.get(code="rag")
    strategy.save()
    client.force_login(officer)
    file = SimpleUploadedFile("tracker.xlsx", keyed_tracker(), content_type=XLSX)
    client.post(reverse("actions:plan_import_upload", args=[strategy.pk]), {"file": file})
    kept = PlanImport.objects.get()
    page = client.get(reverse("actions:plan_import_mapping", args=[kept.pk])).content.decode()
    assert "The workbook’s own key" in page and "not on track" in page
    assert "What each level of the RAG scheme means" in page or "What each level of the" in page
    layout = trackers.layouts_read(bytes(kept.content), kept.filename)[0]
    mapping = {**kept.mapping, "ratings": {**kept.mapping["ratings"], "a": "amber", "g": "green"}}
    changes = trackers.tracker_read(bytes(kept.content), kept.filename, strategy, mapping)
    assert any("'A' means 'on track'" in warning and "Amber" in warning for warning in changes.warnings)
    assert trackers.ratings_against_key(layout, kept.mapping, list(strategy.scheme.levels.all())) == []


def colour_tracker() -> bytes:
    """A tracker rated only by the fill of its RAG cells: no text in them at all."""
    from openpyxl.styles import PatternFill

    book = Workbook()
    plan = book.active
    plan.append(["Priority", "Action", "Lead officer", "Deadline", "RAG"])
    for number, (fill, text) in enumerate([("FF0000", ""), ("FFC000", ""), ("00B050", ""), ("0070C0", ""), ("00B050", "G")], start=1):
        plan.append(["1. Early help", f"Action {number}", "Head of Early Years", "Mar-26", text])
        plan.cell(row=plan.max_row, column=5).fill = PatternFill("solid", fgColor=fill)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("rgb", "colour"),
    [
        ("FF0000", "red"),
        ("C00000", "red"),
        ("FFC000", "amber"),
        ("FFFF00", "amber"),
        ("00B050", "green"),
        ("0070C0", "blue"),
        ("A6A6A6", "grey"),
    ],
)
def test_a_fill_is_named_by_its_hue(rgb, colour):
    from openpyxl.styles import PatternFill

    from intake.tables import fill_colour

    class Cell:
        fill = PatternFill("solid", fgColor=rgb)

    assert fill_colour(Cell()) == colour


def test_a_tracker_rated_only_by_cell_colour_imports_with_its_ratings_and_says_so(strategy):
    strategy.scheme = RatingScheme.objects.get(code="brag")
    strategy.save()
    content = colour_tracker()
    layout = trackers.layouts_read(content, "tracker.xlsx")[0]
    assert [cells[4] for _n, cells in layout.rows] == [
        "Red (cell colour)",
        "Amber (cell colour)",
        "Green (cell colour)",
        "Blue (cell colour)",
        "G",  # text in the cell is the rating, whatever its colour
    ]
    reading = trackers.plan_upload_read(content, "tracker.xlsx", strategy)
    changes = trackers.tracker_read(content, "tracker.xlsx", strategy, reading.mapping)
    assert not changes.problems
    assert [p.rating.code for p in changes.actions] == ["red", "amber", "green", "blue", "green"]
    assert changes.warnings == [
        "4 ratings were read from the cell's fill colour, not its text (rows 2, 3, 4, 5): check each colour's level in the mapping."
    ]


def test_a_rating_cell_holding_a_note_or_a_dash_is_read_by_its_colour_and_the_preview_names_it(strategy):
    from openpyxl.styles import PatternFill

    strategy.scheme = RatingScheme.objects.get(code="rag")
    strategy.save()
    book = Workbook()
    plan = book.active
    plan.append(["Priority", "Action", "Lead officer", "Deadline", "RAG"])
    cells = [("FF0000", "see notes"), ("00B050", "-"), ("FFC000", "Delayed by the consultation"), ("FF0000", "G"), (None, "tbc")]
    for number, (fill, text) in enumerate(cells, start=1):
        plan.append(["1. Early help", f"Action {number}", "Head of Early Years", "Mar-26", text])
        if fill:
            plan.cell(row=plan.max_row, column=5).fill = PatternFill("solid", fgColor=fill)
    out = io.BytesIO()
    book.save(out)
    content = out.getvalue()

    layout = trackers.layouts_read(content, "tracker.xlsx")[0]
    # The colour where the text holds no rating; the text where it does (G on red is G), or where there is no fill.
    assert [cells[4] for _n, cells in layout.rows] == [
        "Red (cell colour)",
        "Green (cell colour)",
        "Amber (cell colour)",
        "G",
        "tbc",
    ]
    assert layout.from_fill == {2: "see notes", 3: "-", 4: "Delayed by the consultation"}
    mapping = trackers.plan_upload_read(content, "tracker.xlsx", strategy).mapping
    mapping["ratings"]["tbc"] = "not-started"
    changes = trackers.tracker_read(content, "tracker.xlsx", strategy, mapping)
    assert not changes.problems
    assert [p.rating.code for p in changes.actions] == ["red", "green", "amber", "green", "not-started"]
    assert changes.warnings == [
        "3 ratings were read from the cell's fill colour, not its text (rows 2, 3, 4): check each colour's level in the mapping.",
        "These rating cells hold no rating in their text, so their colour was read: "
        "row 2: “see notes”; row 3: “-”; row 4: “Delayed by the consultation”.",
    ]
