"""`make run` ends with how to sign in: the accounts, their password and the address are its last lines, and emails are files."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time

import pytest

from tests.conftest import ROOT
from tests.dbconn import connection_params, database_url

pytestmark = pytest.mark.django_db(transaction=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_demo_ends_with_its_accounts_and_address_and_writes_its_emails_to_files(tmp_path):
    address = f"127.0.0.1:{_free_port()}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(connection_params()),
        "DEBUG": "true",
        "DJANGO_SETTINGS_MODULE": "send_tracker.settings",
        "MFA_REQUIRED": "false",
        "EMAIL_FILE_PATH": str(tmp_path),
    }
    env.pop("EMAIL_BACKEND", None)
    demo = subprocess.Popen(
        [sys.executable, "bin/run-demo", address], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(demo.stdout.readline, "")), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 240
        while not any(line.startswith("Open http://") for line in lines):
            assert demo.poll() is None and time.monotonic() < deadline, "".join(lines)[-3000:]
            time.sleep(0.2)
        time.sleep(1.5)  # anything the server prints late would land after the accounts
    finally:
        demo.terminate()
        demo.wait(timeout=30)
        reader.join(timeout=10)
    printed = [line.rstrip("\n") for line in lines if line.strip()]
    opened = next(i for i, line in enumerate(printed) if line.startswith("Open http://"))
    assert opened == len(printed) - 1, "\n".join(printed[opened:])  # nothing after it
    last = printed[opened - 9 : opened + 1]
    assert last[0] == "Demo accounts (password for all: demo-password-not-for-real-use)", "\n".join(printed[-12:])
    emails = [line.split()[-1] for line in last[1:7]]
    people = ["lead@example.org", "board@example.org", "officer@example.org", "pcf@example.org", "finance@example.org"]
    assert emails == [*people, "trust.signatory@example.org"]  # a signatory whose sign-off is still open
    assert "admin@example.org" in last[7] and "sent-emails/" in last[8]
    assert last[9] == f"Open http://{address}/ and sign in. Stop the server with Ctrl-C."
    assert "Starting development server" in "\n".join(printed[:opened])  # the banner came first
    assert not any(line.startswith(("Subject:", "Content-Type:")) for line in printed)  # no email in the terminal
    written = "".join(path.read_text() for path in tmp_path.iterdir())
    assert written.count("Subject:") >= 1
