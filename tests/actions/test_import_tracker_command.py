"""The command line imports a tracker too: with a saved mapping, a mapping file, or the one it proposes."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from actions.models import Action, ImportMapping, Strategy
from actions.trackers import plan_upload_read
from tests.actions.tracker_files import tracker_xlsx


def run(path, **options):
    out, err = io.StringIO(), io.StringIO()
    options.setdefault("partnership", "Northshire SEND Partnership")
    options.setdefault("strategy", "Tracker Plan")
    call_command("import_plan", str(path), stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def tracker_path(tmp_path):
    path = tmp_path / "tracker.xlsx"
    path.write_bytes(tracker_xlsx())
    return path


def test_a_tracker_is_read_with_the_proposed_mapping_and_the_scheme_its_ratings_suggest(db, tracker_path):
    out, _ = run(tracker_path)
    assert "Rating scheme: BRAG (the ratings in the file suggest it)." in out
    assert "Reading 'Action plan' (headings on row 4): Objective → Priority; Workstream → Delivery group; Key task → Action" in out
    assert "6 new" in out and "refs were made from the plan's order" in out
    strategy = Strategy.objects.get(name="Tracker Plan")
    assert strategy.scheme.code == "brag"
    assert Action.objects.get(strategy=strategy, ref="2.1").rating.label == "Blue"

    again, _ = run(tracker_path)
    assert "0 new, 0 changed (0 rating changes), 6 unchanged" in again


def test_a_saved_mapping_is_used_by_name(db, tracker_path, strategy):
    reading = plan_upload_read(tracker_path.read_bytes(), "tracker.xlsx", strategy)
    mapping = {**reading.mapping, "columns": {**reading.mapping["columns"], "comments": "", "latest position": "notes"}}
    ImportMapping.objects.create(strategy=strategy, name="Board tracker", layout=reading.layout, mapping=mapping)
    out, _ = run(tracker_path, strategy=strategy.name, mapping="Board tracker")
    assert "Latest position → Notes" in out
    assert Action.objects.get(strategy=strategy, ref="1.1").notes == "Toolkit drafted with settings; launch event booked."
    with pytest.raises(CommandError, match="has no saved mapping called 'Other' \\(saved: Board tracker\\)"):
        run(tracker_path, strategy=strategy.name, mapping="Other")


def test_a_mapping_file_names_the_columns_in_the_files_own_words(db, tracker_path, tmp_path):
    mapping = tmp_path / "mapping.json"
    mapping.write_text(
        json.dumps(
            {
                "sheet": "Action plan",
                "scheme": "rag",
                "columns": {"Objective": "priority", "Key task": "action", "Accountable lead": "owner", "BRAG": "rating"},
                "ratings": {"B": "complete"},
            }
        ),
        encoding="utf-8",
    )
    out, _ = run(tracker_path, mapping=str(mapping))
    assert (
        "Reading 'Action plan' (headings on row 4): Objective → Priority; Key task → Action; Accountable lead → Owner; BRAG → Rating."
        in out
    )
    strategy = Strategy.objects.get(name="Tracker Plan")
    assert strategy.scheme.code == "rag"
    first = Action.objects.get(strategy=strategy, ref="1.1")
    assert first.group.name == "1. Early help" and first.due_date is None  # no group or due column: the priority's name, TBC
    assert Action.objects.get(strategy=strategy, ref="2.1").rating.label == "Complete"


@pytest.mark.parametrize(
    "text, message",
    [
        ("{not json", "could not be read as JSON"),
        ('{"sheet": "Action plan"}', 'needs "columns"'),
        ('{"columns": {"Key task": "task"}}', "names columns we do not have: task"),
    ],
)
def test_a_broken_mapping_file_is_refused_before_anything_is_read(db, tracker_path, tmp_path, text, message):
    mapping = tmp_path / "mapping.json"
    mapping.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        run(tracker_path, mapping=str(mapping))
    assert not Strategy.objects.filter(name="Tracker Plan").exists()


def test_ratings_of_another_scheme_are_refused_with_the_scheme_they_look_like(db, tmp_path, strategy, action):
    path = tmp_path / "plan.csv"
    path.write_text(
        "priority,delivery_group,ref,action,owner,due,rating\nRight Support,1. Oversight,SP1,Strengthen oversight,,TBC,B\n",
        encoding="utf-8",
    )
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_plan", str(path), strategy=strategy.name, stdout=io.StringIO(), stderr=err)
    assert "row 2, column 'rating' ('B')" in err.getvalue()
    assert (
        "The ratings in the file look like the BRAG scheme; 'SEND Strategy 2025-2028' uses Cheshire East five-level rating"
        in err.getvalue()
    )
