"""An officer brings the tracker they already keep in Excel: match its columns once, check, import; again changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from actions.models import Action, ActionUpdate, ImportMapping, Strategy
from people.models import Membership
from tests.browser.conftest import assert_accessible
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_maps_their_own_tracker_imports_it_and_the_same_file_again_changes_nothing(strategy, sign_in, live_server, tmp_path):
    from tests.actions.tracker_files import tracker_xlsx

    officer = make_user("tracker.officer@example.org", strategy.partnership, Membership.Role.OFFICER)
    path = tmp_path / "SEND delivery tracker.xlsx"
    path.write_bytes(tracker_xlsx())

    page = sign_in(officer)
    page.goto(f"{live_server.url}{strategy.get_absolute_url()}")
    page.get_by_role("link", name="Import an updated plan").click()
    page.get_by_label("Upload the plan").set_input_files(str(path))
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_load_state()

    # The mapping page: the plan's sheet found past the read-me, its headings past the title rows.
    assert page.get_by_role("heading", name="Match the columns of your tracker").is_visible()
    assert "The headings are on row 4" in page.inner_text("main")
    assert_accessible(page, "on the mapping page")
    assert page.get_by_label("Key task").input_value() == "action"
    assert page.get_by_label("Accountable lead").input_value() == "owner"
    assert page.get_by_label("Completion date").input_value() == "due"
    assert page.get_by_label("Latest position").input_value() == "progress"
    assert page.get_by_label("“B”").input_value() == "blue" and page.get_by_label("“a”").input_value() == "amber"
    assert page.get_by_label("BRAG (suggested)").is_checked()

    # A look at the other sheet, then back to the plan.
    page.get_by_label("Chart data").check()
    page.get_by_role("button", name="Show this sheet's columns").click()
    page.wait_for_load_state()
    assert "Columns in ‘Chart data’" in page.inner_text("main")
    page.get_by_label("Action plan").check()
    page.get_by_role("button", name="Show this sheet's columns").click()
    page.wait_for_load_state()

    # A mistake first: two columns as the action.
    page.get_by_label("Comments").select_option("action")
    page.get_by_role("button", name="Check the import").click()
    page.wait_for_load_state()
    assert "Action is already chosen for 'Key task'" in page.inner_text(".govuk-error-summary")
    assert_accessible(page, "on the mapping page with an error")
    page.get_by_label("Comments").select_option("")  # Not imported
    page.get_by_label("“Red”").select_option("red")
    page.get_by_role("button", name="Check the import").click()
    page.wait_for_load_state()

    main = page.inner_text("main")
    assert "Check what will change" in main and "each action’s ref is made from the plan’s order" in main
    assert "Publish the graduated approach guide" in main and not Action.objects.exists()
    assert_accessible(page, "on the preview of a tracker")
    page.get_by_role("button", name="Import these changes").click()
    page.wait_for_load_state()
    assert "Imported SEND delivery tracker.xlsx: 6 new actions" in page.inner_text("main")

    strategy = Strategy.objects.get(pk=strategy.pk)
    assert strategy.scheme.code == "brag"
    landed = {
        a.ref: (a.group.priority.name, a.group.name, sorted(a.owner_titles()), a.due_date, a.rating.label, a.updates.first().narrative)
        for a in Action.objects.filter(strategy=strategy).select_related("group__priority", "rating").prefetch_related("owners")
    }
    assert landed == {
        "1.1": (
            "1. Early help",
            "Early years",
            ["Head of Early Years"],
            dt.date(2025, 9, 30),
            "Green",
            "Toolkit drafted with settings; launch event booked.",
        ),
        "1.2": (
            "1. Early help",
            "Early years",
            ["Head of Early Years", "PCF Chair"],
            dt.date(2025, 11, 28),
            "Amber",
            "Imported from SEND delivery tracker.xlsx.",
        ),
        "1.3": ("1. Early help", "Schools", ["Inclusion Lead"], dt.date(2026, 3, 31), "Red", "Delayed by consultation."),
        "2.1": ("2. Preparing for adulthood", "Transitions", ["Head of Transitions"], None, "Blue", "Signed off in May."),
        "2.2": ("2. Preparing for adulthood", "Transitions", [], None, "Green", "Imported from SEND delivery tracker.xlsx."),
        "2.3": ("2. Preparing for adulthood", "Employment", ["Head of Transitions"], None, "Not started", "Two employers signed up."),
    }
    assert ImportMapping.objects.filter(strategy=strategy, name="Action plan").exists()

    # The same file again: straight to the preview, and nothing changes.
    updates = ActionUpdate.objects.count()
    page.goto(f"{live_server.url}{strategy.get_absolute_url()}")
    page.get_by_role("link", name="Import an updated plan").click()
    page.get_by_label("Upload the plan").set_input_files(str(path))
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_load_state()
    main = page.inner_text("main")
    assert "Check what will change" in main and "Match the columns" not in main
    assert "New\n0" in main.replace("\t", "\n") and "Changed\n0" in main.replace("\t", "\n")
    page.get_by_role("button", name="Import these changes").click()
    page.wait_for_load_state()
    assert "0 new actions, 0 changed, 6 unchanged" in page.inner_text("main")
    assert ActionUpdate.objects.count() == updates and Action.objects.filter(strategy=strategy).count() == 6
