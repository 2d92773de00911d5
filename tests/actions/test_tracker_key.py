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
