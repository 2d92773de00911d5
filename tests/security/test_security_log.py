"""Security events are logged as one JSON line each: event, user id, UTC time, client address, never a secret."""

from __future__ import annotations

import datetime as dt
import json
import logging

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from send_tracker.security import security_event
from tests.browser.conftest import PASSWORD
from tests.conftest import import_one_plan, the_one_plan

LOGGER = "send_tracker.security"


@pytest.fixture
def events(caplog):
    caplog.set_level(logging.INFO, logger=LOGGER)

    def _events(name: str | None = None) -> list[dict]:
        records = caplog.get_records("setup") + caplog.get_records("call")  # fixtures such as `one_plan` log during setup
        lines = [r.getMessage() for r in records if r.name == LOGGER]
        assert all("\n" not in line and "\r" not in line for line in lines)
        parsed = [json.loads(line) for line in lines]
        return [e for e in parsed if name is None or e["event"] == name]

    return _events


def assert_well_formed(event: dict) -> None:
    when = dt.datetime.fromisoformat(event["time"])
    assert when.utcoffset() == dt.timedelta(0)
    assert {"event", "time", "user_id", "ip"} <= event.keys()


def test_a_sign_in_is_logged_with_user_time_and_address(client, owner, events):
    client.post(reverse("login"), {"username": owner.username, "password": PASSWORD}, REMOTE_ADDR="203.0.113.5")
    (event,) = events("sign_in")
    assert_well_formed(event)
    assert event["user_id"] == owner.pk and event["ip"] == "203.0.113.5"


def test_a_failed_sign_in_is_logged_without_the_password(client, owner, events, caplog):
    client.post(reverse("login"), {"username": owner.username, "password": "my secret guess 123"}, REMOTE_ADDR="203.0.113.5")
    (event,) = events("sign_in_failed")
    assert_well_formed(event)
    assert event["username"] == owner.username and event["user_id"] is None and event["ip"] == "203.0.113.5"
    assert "my secret guess 123" not in caplog.text


def test_a_lockout_is_logged(client, owner, events):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": owner.username, "password": "wrong password"})
    (event,) = events("sign_in_locked_out")
    assert event["username"] == owner.username


def test_sign_out_is_logged_and_no_session_key_is_written(client, owner, events, caplog):
    client.post(reverse("login"), {"username": owner.username, "password": PASSWORD})
    session_key = client.session.session_key
    client.post(reverse("logout"))
    assert events("sign_out")[0]["user_id"] == owner.pk
    assert session_key not in caplog.text


def test_a_username_cannot_forge_a_log_line(db, client, events, caplog):
    forged = 'someone\nFAKE LINE {"event": "sign_in", "user_id": 1}\r\x1b[2J'
    client.post(reverse("login"), {"username": forged, "password": "whatever it is"})
    (event,) = events("sign_in_failed")
    assert event["username"] == forged  # kept intact, but escaped on one line
    lines = [r.getMessage() for r in caplog.records if r.name == LOGGER]
    assert not any(line.startswith("FAKE LINE") for text in lines for line in text.splitlines())
    assert all("\x1b" not in line for line in lines)


def test_secret_fields_are_redacted(events):
    security_event("mfa_failed", user=None, otp_code="123456", password="hunter2 hunter2", token="abc")
    (event,) = events("mfa_failed")
    assert event["otp_code"] == event["password"] == event["token"] == "[redacted]"


def test_a_refused_change_is_logged_as_permission_denied(client, board, action, events):
    client.force_login(board)
    assert client.post(reverse("actions:action_update", args=[action.pk]), {}).status_code == 403
    (event,) = events("permission_denied")
    assert event["user_id"] == board.pk and event["view"] == "actions:action_update"


def test_opening_another_partnerships_action_is_logged(client, outsider, action, events):
    client.force_login(outsider)
    assert client.get(reverse("actions:action_detail", args=[action.pk])).status_code == 404
    (event,) = events("other_partnership_denied")
    assert event["user_id"] == outsider.pk and event["path"] == reverse("actions:action_detail", args=[action.pk])


def test_a_missing_object_is_not_logged_as_an_attempt(client, outsider, events):
    client.force_login(outsider)
    assert client.get(reverse("actions:action_detail", args=[999999])).status_code == 404
    assert events("other_partnership_denied") == []


def test_a_board_pack_download_is_logged(client, officer, ready_report, events):
    client.force_login(officer)
    assert client.get(reverse("reporting:report_download", args=[ready_report.pk])).status_code == 200
    (event,) = events("report_download")
    assert event["report_id"] == ready_report.pk and event["user_id"] == officer.pk


def test_an_evidence_download_is_logged(client, owner, evidence_file, events):
    client.force_login(owner)
    assert client.get(reverse("actions:evidence_download", args=[evidence_file.pk])).status_code == 200
    assert events("evidence_download")[0]["evidence_id"] == evidence_file.pk


def test_an_export_is_logged(client, board, strategy, action, events):
    client.force_login(board)
    assert client.get(reverse("reporting:dashboard_export", args=[strategy.pk, "csv"])).status_code == 200
    (event,) = events("export")
    assert event["strategy_id"] == strategy.pk and event["format"] == "csv" and event["user_id"] == board.pk


def test_a_plan_import_is_logged(events, db):
    # Through the management command, as an officer does from the command line.
    import_one_plan()
    (event,) = events("plan_import")
    assert event["strategy_id"] == the_one_plan().pk and event["created"] > 150


def test_a_kpi_value_import_is_logged(strategy, indicator, events, tmp_path):
    path = tmp_path / "values.csv"
    path.write_text("indicator,period,value\nEHC-20WK,2025-04,81\n", encoding="utf-8")
    call_command("import_kpi_values", str(path), strategy=strategy.name, stdout=open(tmp_path / "out", "w"))
    (event,) = events("kpi_value_import")
    assert event["strategy_id"] == strategy.pk and event["created"] == 1


def test_a_refused_or_missing_page_is_one_line_in_the_log_and_a_server_error_keeps_its_traceback(client, caplog, action, board, outsider):
    """Every 404 and 403 was written with the whole traceback of the exception that answered it: tens of lines a request
    for a page not found or another partnership's action, in a log where faults should stand out."""
    from send_tracker.logs import RefusalsOnOneLine

    caplog.set_level(logging.WARNING, logger="django.request")
    client.force_login(outsider)
    assert client.get(reverse("actions:action_detail", args=[action.pk])).status_code == 404
    client.force_login(board)
    assert client.post(reverse("actions:action_update", args=[action.pk]), {"rating": "", "narrative": "x"}).status_code == 403
    refusals = [r for r in caplog.get_records("call") if r.name == "django.request"]
    assert [r.status_code for r in refusals] == [404, 403]
    for record in refusals:
        assert record.exc_info is None and "Traceback" not in caplog.text
        assert "\n" not in record.getMessage()
    assert refusals[0].getMessage().startswith(f"Not Found: /actions/{action.pk}/")
    assert refusals[1].getMessage().startswith(f"Forbidden (Permission denied): /actions/{action.pk}/update/: Only the action's owners")
    # A server error keeps its traceback.
    try:
        raise RuntimeError("the database went away")
    except RuntimeError:
        import sys

        fault = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "Internal Server Error: %s", ("/x/",), sys.exc_info())
    fault.status_code = 500
    assert RefusalsOnOneLine().filter(fault) and fault.exc_info is not None
