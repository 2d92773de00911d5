"""The database drops the web's connections (a restart, a failover): the next requests answer, and no typed text is lost.

The first test runs the web as deployed, gunicorn with two workers holding their
connections between requests (CONN_MAX_AGE), and cuts every one of them with
pg_terminate_backend from a connection of its own. The others cut the
connection in the middle of a request, at the moment the update is written.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from unittest import mock

import psycopg
import pytest
import requests
from django.db import connection
from django.urls import reverse

from actions.models import ActionUpdate
from send_tracker import statements
from tests.conftest import ROOT
from tests.dbconn import connection_params, database_url

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "correct horse battery staple"


def cut_connections(*, keep: tuple[int, ...] = ()) -> int:
    """Terminate every other connection to the test database, as a restart of the database would; how many were cut."""
    with psycopg.connect(**connection_params(), autocommit=True) as own:
        rows = own.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            " AND NOT pid = ANY(%s)",
            [list(keep)],
        ).fetchall()
    return len(rows)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(workers: int = 2):
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url(connection_params()),
        "DEBUG": "false",
        "DB_CONN_MAX_AGE": "60",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "send_tracker.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                requests.get(f"{base}/healthz", timeout=10)
                break
            except requests.RequestException:  # not listening yet, or still loading the code
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(server.stderr.read().decode()[-3000:]) from None
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def _csrf(page: requests.Response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)


def test_after_the_database_cuts_every_connection_the_next_requests_answer_and_an_update_is_kept(owner, action):
    with gunicorn(workers=2) as base:
        browser = requests.Session()
        sign_in = browser.get(f"{base}/sign-in/")
        signed_in = browser.post(
            f"{base}/sign-in/", {"username": owner.username, "password": PASSWORD, "csrfmiddlewaretoken": _csrf(sign_in)}, timeout=30
        )
        assert signed_in.status_code == 200 and "Sign out" in signed_in.text
        action_url = f"{base}{reverse('actions:action_detail', args=[action.pk])}"
        for _ in range(6):  # both workers now hold a connection
            page = browser.get(action_url, timeout=30)
            assert page.status_code == 200
        mine = (connection.connection.info.backend_pid,) if connection.connection else ()
        assert cut_connections(keep=mine) >= 1

        narrative = "Panel met on Tuesday; two schools signed up. Café notes attached — nothing lost."
        posted = browser.post(
            f"{base}{reverse('actions:action_update', args=[action.pk])}",
            {"rating": str(action.rating_id), "narrative": narrative, "version": str(action.version), "csrfmiddlewaretoken": _csrf(page)},
            timeout=30,
        )
        assert posted.status_code == 200 and narrative.split(";")[0] in posted.text  # redirected to the action's history

        assert cut_connections(keep=mine) >= 1
        answers = [browser.get(url, timeout=30).status_code for url in [action_url, f"{base}/my-actions/"] * 4]
        assert answers == [200] * 8
    assert list(ActionUpdate.objects.filter(action=action).values_list("narrative", flat=True)) == [narrative]


@contextmanager
def connection_cut_when_writing(table: str, times: int):
    """Cut this process's own connection just before it writes to `table`, the first `times` times it tries."""
    cuts = []

    def wrapper(execute, sql, params, many, context):
        if len(cuts) < times and sql.lstrip().startswith(f'INSERT INTO "{table}"'):
            cuts.append(sql)
            pid = context["connection"].connection.info.backend_pid
            with psycopg.connect(**connection_params(), autocommit=True) as own:
                own.execute("SELECT pg_terminate_backend(%s)", [pid])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield cuts


def test_an_update_whose_connection_is_cut_as_it_is_written_is_written_once_on_a_fresh_one(client, owner, action):
    client.force_login(owner)
    narrative = "Reviewed at the group meeting; the pilot starts in March."
    with connection_cut_when_writing("actions_actionupdate", times=1) as cuts:
        response = client.post(
            reverse("actions:action_update", args=[action.pk]),
            {"rating": str(action.rating_id), "narrative": narrative, "version": str(action.version)},
        )
    assert cuts and response.status_code == 302
    assert list(ActionUpdate.objects.filter(action=action).values_list("narrative", flat=True)) == [narrative]
    assert client.get(reverse("actions:action_detail", args=[action.pk])).status_code == 200


def test_an_action_page_whose_connection_is_cut_as_its_reads_are_sent_together_is_read_again_on_a_fresh_one(client, owner, action):
    """The page's reads go in one message, on the connection's own cursor: a cut there is still a lost connection."""
    client.force_login(owner)
    sent = statements._fetch_together
    cuts = []

    def cut_first(kept):
        if not cuts:
            cuts.append(connection.connection.info.backend_pid)
            with psycopg.connect(**connection_params(), autocommit=True) as own:
                own.execute("SELECT pg_terminate_backend(%s)", cuts)
        return sent(kept)

    with mock.patch.object(statements, "_fetch_together", cut_first):
        response = client.get(reverse("actions:action_detail", args=[action.pk]))
    assert cuts and response.status_code == 200
    assert action.text in response.content.decode()


def test_when_the_database_stays_away_the_person_sees_their_text_again_not_a_server_error(client, owner, action):
    client.force_login(owner)
    narrative = "Three <b>schools</b> joined.\nThe panel meets again in May."
    with connection_cut_when_writing("actions_actionupdate", times=2) as cuts:
        response = client.post(
            reverse("actions:action_update", args=[action.pk]),
            {"rating": str(action.rating_id), "narrative": narrative, "version": str(action.version)},
        )
    assert len(cuts) == 2 and response.status_code == 503
    page = response.content.decode()
    assert "nothing you sent has been saved" in page
    assert "Three &lt;b&gt;schools&lt;/b&gt; joined.<br>The panel meets again in May." in page
    assert not ActionUpdate.objects.filter(action=action).exists()
