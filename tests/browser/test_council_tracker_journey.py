"""A new officer starts a strategy from the council's own tracker: "Create a strategy", the file, every
suggestion accepted, confirmed; each action lands at the level the workbook's key means, each month at its end.

The trackers are built here as councils keep them: title rows, their own headings, Excel month cells
(`mmm-yy`), R/A/G letters and a Notes sheet with the key, or ratings shown only by the cells' colour.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook
from openpyxl.styles import PatternFill

from actions.models import Action, PlanImport, Progress, Strategy
from people.models import Membership
from tests.browser.conftest import assert_accessible
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KEY = "R = not on track, A = on track, G = complete"
# (theme, what we will do, lead officer, target month, RAG) — the letter means what the key says, not its colour.
ROWS = [
    ("Early identification", "Launch the early years SEND toolkit", "Head of Early Years", dt.datetime(2026, 3, 1), "A"),
    ("Early identification", "Train 40 early years SENCOs", "Head of Early Years", dt.datetime(2025, 12, 1), "G"),
    ("Early identification", "Publish the graduated approach guide", "Inclusion Lead", dt.datetime(2026, 2, 1), "R"),
    ("Preparing for adulthood", "Agree a transitions protocol", "Head of Transitions", dt.datetime(2026, 6, 1), "A"),
    ("Preparing for adulthood", "Start supported internships", "Head of Transitions", dt.datetime(2026, 9, 1), "G"),
]
MEANS = {"R": Progress.AT_RISK, "A": Progress.ON_TRACK, "G": Progress.COMPLETE}
MONTH_END = {
    dt.datetime(2026, 3, 1): dt.date(2026, 3, 31),
    dt.datetime(2025, 12, 1): dt.date(2025, 12, 31),
    dt.datetime(2026, 2, 1): dt.date(2026, 2, 28),
    dt.datetime(2026, 6, 1): dt.date(2026, 6, 30),
    dt.datetime(2026, 9, 1): dt.date(2026, 9, 30),
}
FILLS = {"red": "FF0000", "amber": "FFC000", "green": "00B050"}


def council_tracker(*, by_colour: bool = False) -> bytes:
    book = Workbook()
    plan = book.active
    plan.title = "SEND tracker"
    plan.append(["Anytown Council: SEND improvement tracker"])
    plan.append(["Owner: SEND transformation team"])
    plan.append([])
    plan.append(["Theme", "What we will do", "Lead officer", "Target date", "RAG", "Update"])
    colours = {"R": "red", "A": "amber", "G": "green"}
    for number, (theme, task, lead, month, letter) in enumerate(ROWS):
        # Rated by colour alone: the cell is blank or holds a note, only its fill says the rating.
        rating = (None if number % 2 else "see notes") if by_colour else letter
        plan.append([theme, task, lead, month, rating, f"Update on {task.lower()}."])
        plan.cell(row=plan.max_row, column=4).number_format = "mmm-yy"
        if by_colour:
            plan.cell(row=plan.max_row, column=5).fill = PatternFill("solid", fgColor=FILLS[colours[letter]])
    if not by_colour:
        notes = book.create_sheet("Notes")
        notes.append(["How to read this tracker"])
        notes.append([KEY])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def start_a_strategy_from(page, live_server, name: str, path) -> None:
    page.goto(f"{live_server.url}/strategies/")
    page.get_by_role("link", name="Create a strategy").click()
    page.wait_for_load_state()
    page.get_by_label("Name").fill(name)
    page.get_by_label("Start from a plan file (optional)").set_input_files(str(path))
    page.get_by_role("button", name="Create the strategy").click()
    page.wait_for_load_state()


def test_a_council_tracker_goes_from_create_a_strategy_to_confirmed_actions_at_the_levels_its_key_means(
    partnership, sign_in, live_server, tmp_path
):
    officer = make_user("council.officer@example.org", partnership, Membership.Role.OFFICER)
    path = tmp_path / "Anytown SEND tracker.xlsx"
    path.write_bytes(council_tracker())

    page = sign_in(officer)
    start_a_strategy_from(page, live_server, "Anytown SEND strategy", path)

    # The mapping page, not a dead end: the key beside each letter, each level's meaning in its choice.
    main = page.inner_text("main")
    assert page.get_by_role("heading", name="Match the columns of your tracker").is_visible()
    assert "The headings are on row 4" in main and "The workbook’s own key" in main
    assert "The workbook’s key says: “on track”" in page.inner_text("#id_rating_0-hint, #id_rating_1-hint, #id_rating_2-hint")
    assert_accessible(page, "on the mapping page of a new strategy")
    for letter in ("R", "A", "G"):
        chosen = page.get_by_label(f"“{letter}”")
        label = chosen.locator("option:checked").inner_text()
        assert label.lower().endswith(Progress(MEANS[letter]).label.lower()), (letter, label)
    assert "Warning" not in main  # the suggestions agree with the key

    page.get_by_role("button", name="Check the import").click()  # every suggestion accepted
    page.wait_for_load_state()
    main = page.inner_text("main")
    assert "Check what will change" in main and "The workbook's key says" not in main
    assert "Mar-26" in main  # the month as the tracker wrote it
    assert not Action.objects.exists()
    assert_accessible(page, "on the preview of a council tracker")
    page.get_by_role("button", name="Import these changes").click()
    page.wait_for_load_state()
    assert "Imported Anytown SEND tracker.xlsx: 5 new actions" in page.inner_text("main")

    strategy = Strategy.objects.get(partnership=partnership, name="Anytown SEND strategy")
    landed = {a.text: (a.rating.progress, a.due_date) for a in Action.objects.filter(strategy=strategy).select_related("rating")}
    assert landed == {task: (MEANS[letter], MONTH_END[month]) for _theme, task, _lead, month, letter in ROWS}


def test_a_tracker_rated_only_by_cell_colour_imports_with_its_ratings(partnership, sign_in, live_server, tmp_path):
    officer = make_user("colour.officer@example.org", partnership, Membership.Role.OFFICER)
    path = tmp_path / "Coloured tracker.xlsx"
    path.write_bytes(council_tracker(by_colour=True))

    page = sign_in(officer)
    start_a_strategy_from(page, live_server, "Coloured strategy", path)
    assert page.get_by_role("heading", name="Match the columns of your tracker").is_visible()
    assert "Read from the cell’s fill colour" in page.inner_text("main")
    assert page.get_by_label("“Red (cell colour)”").is_visible()
    page.get_by_role("button", name="Check the import").click()
    page.wait_for_load_state()
    main = page.inner_text("main")
    assert "5 ratings were read from the cell's fill colour, not its text (rows 5, 6, 7, 8, 9)" in main
    assert "row 5: “see notes”" in main
    page.get_by_role("button", name="Import these changes").click()
    page.wait_for_load_state()
    assert "5 new actions" in page.inner_text("main")

    strategy = Strategy.objects.get(partnership=partnership, name="Coloured strategy")
    colours = {"R": "Red", "A": "Amber", "G": "Green"}
    landed = {a.text: a.rating.label for a in Action.objects.filter(strategy=strategy).select_related("rating")}
    assert landed == {task: colours[letter] for _theme, task, _lead, _month, letter in ROWS}


def test_a_strategy_started_from_a_file_and_left_shows_as_a_draft_to_finish_or_discard(partnership, sign_in, live_server, tmp_path):
    officer = make_user("leaving.officer@example.org", partnership, Membership.Role.OFFICER)
    path = tmp_path / "Anytown SEND tracker.xlsx"
    path.write_bytes(council_tracker())

    page = sign_in(officer)
    start_a_strategy_from(page, live_server, "Left half way", path)
    assert page.get_by_role("heading", name="Match the columns of your tracker").is_visible()

    # The officer walks away: the strategy is listed as a draft, and its page says how to finish or discard it.
    page.goto(f"{live_server.url}/strategies/")
    listed = page.locator("main li", has_text="Left half way").inner_text()
    assert "Draft" in listed and "Nothing imported yet" in listed
    page.get_by_role("link", name="Left half way").click()
    page.wait_for_load_state()
    assert "This strategy is a draft" in page.inner_text("main")
    assert_accessible(page, "on a draft strategy's page")
    page.get_by_role("link", name="Go on with importing Anytown SEND tracker.xlsx").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Match the columns of your tracker").is_visible()

    page.get_by_role("button", name="Discard the empty strategy").click()
    page.wait_for_load_state()
    assert "discarded" in page.inner_text("main")
    assert not Strategy.objects.filter(name="Left half way").exists() and not PlanImport.objects.exists()
