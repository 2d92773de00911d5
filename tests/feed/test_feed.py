"""The OData feed and its downloads: tokens, one partnership each, query options, paging, limits and the log."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actions.models import Action
from feed.models import ApiToken, token_digest
from tests.actions.conftest import make_action  # noqa: F401  (fixture)
from tests.feed.conftest import bearer

pytestmark = pytest.mark.django_db
# ruff: noqa: F811  (make_action is a fixture)


def read(client, token, path="/feed/odata/Actions", **params):
    return client.get(path, params, **bearer(token))


def test_it_refuses_a_request_without_a_token_and_asks_for_basic_sign_in(client, action):
    response = client.get("/feed/odata/Actions")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Basic")
    assert "value" not in response.json()


def test_a_token_reads_its_partnerships_actions_with_their_status(client, token, action):
    body = read(client, token).json()
    [row] = body["value"]
    assert row["Ref"] == action.ref and row["Owners"] == "Head of Service: Inclusion"
    assert row["DueDate"] == action.due_date.isoformat()
    assert row["IsOverdue"] is (action.due_date < dt.date.today() and not action.rating.is_complete)
    assert body["@odata.context"].endswith("$metadata#Actions")


def test_the_token_can_be_the_basic_password_as_excel_and_power_bi_send_it(client, token, action):
    credentials = base64.b64encode(f"anyone:{token}".encode()).decode()
    response = client.get("/feed/odata/Actions", HTTP_AUTHORIZATION=f"Basic {credentials}")
    assert response.status_code == 200 and len(response.json()["value"]) == 1


def test_another_partnerships_token_reads_none_of_this_partnerships_rows(client, outsider_token, action):
    for name in ["Actions", "Updates", "DeliveryGroups", "KpiValues", "Benchmarks", "Snapshots", "SnapshotItems"]:
        assert read(client, outsider_token, f"/feed/odata/{name}").json()["value"] == [], name
    assert read(client, outsider_token, "/feed/Actions.csv").content.decode("utf-8-sig").strip().count("\n") == 0


def test_a_revoked_token_reads_nothing(client, token, action, officer, partnership):
    client.force_login(officer)
    stored = ApiToken.objects.get(partnership=partnership)
    client.post(f"/partnerships/{partnership.pk}/feed/tokens/{stored.pk}/revoke/")
    client.logout()
    assert read(client, token).status_code == 401


def test_an_officer_sees_a_new_token_once_and_only_its_hash_is_kept(client, officer, partnership):
    client.force_login(officer)
    response = client.post(f"/partnerships/{partnership.pk}/feed/", {"name": "Power BI board dashboard"})
    page = response.content.decode()
    stored = ApiToken.objects.get(partnership=partnership)
    token = page.split('id="new-token" type="text" readonly value="')[1].split('"')[0]
    assert stored.digest == token_digest(token) and token not in json.dumps(list(ApiToken.objects.values()), default=str)
    assert response["Cache-Control"] == "no-store"
    again = client.get(f"/partnerships/{partnership.pk}/feed/").content.decode()
    assert token not in again and f"…{token[-4:]}" in again and "Power BI board dashboard" in again


def test_two_live_tokens_cannot_share_a_name(client, officer, partnership, token):
    client.force_login(officer)
    response = client.post(f"/partnerships/{partnership.pk}/feed/", {"name": "Power BI"})
    assert response.status_code == 422 and "already has this name" in response.content.decode()


def test_filter_select_orderby_and_top_answer_on_the_main_fields(client, token, make_action):
    for n in range(1, 6):
        make_action(ref=f"Q{n}", due=dt.date(2030, n, 1))
    body = read(
        client,
        token,
        **{"$filter": "startswith(Ref,'Q') and DueDate ge 2030-02-01", "$select": "Ref,DueDate", "$orderby": "DueDate desc", "$top": "2"},
    ).json()
    assert body["value"] == [{"Ref": "Q5", "DueDate": "2030-05-01"}, {"Ref": "Q4", "DueDate": "2030-04-01"}]
    assert "@odata.nextLink" not in body  # $top is met


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"$filter": "Password eq 'x'"}, "not a property of Actions"),
        ({"$filter": "Ref eq"}, "could not be read"),
        ({"$select": "Ref,Secret"}, "not a property"),
        ({"$orderby": "Ref sideways"}, "optionally followed by asc or desc"),
        ({"$top": "-1"}, "whole number"),
        ({"$expand": "Owners"}, "not supported"),
    ],
)
def test_a_query_the_feed_cannot_answer_gets_a_400_saying_why(client, token, action, params, message):
    response = read(client, token, **params)
    assert response.status_code == 400 and message in response.json()["error"]["message"]


def test_pages_follow_next_links_without_repeating_or_skipping_rows(client, token, make_action, settings):
    settings.FEED_PAGE_SIZE = 3
    for n in range(7):
        make_action(ref=f"P{n}")
    seen, url, pages = [], "/feed/odata/Actions?$count=true", 0
    while url:
        body = client.get(url, **bearer(token)).json()
        assert body["@odata.count"] == Action.objects.count()
        seen += [row["Id"] for row in body["value"]]
        url = body.get("@odata.nextLink", "").replace("http://testserver", "")
        pages += 1
    assert sorted(seen) == sorted(Action.objects.values_list("pk", flat=True)) and len(seen) == len(set(seen))
    assert pages == 3


def test_a_page_costs_the_same_queries_whatever_the_plan_size(client, token, make_action):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert read(client, token).status_code == 200
        return len(captured)

    make_action(ref="S1")
    small = queries()
    for n in range(40):
        make_action(ref=f"L{n}")
    assert queries() == small


def test_metadata_describes_every_entity_set(client, token):
    response = read(client, token, "/feed/odata/$metadata")
    xml = response.content.decode()
    assert response["OData-Version"] == "4.0" and response["Content-Type"].startswith("application/xml")
    for name in ["Actions", "Updates", "DeliveryGroups", "KpiValues", "Benchmarks", "Snapshots", "SnapshotItems"]:
        assert f'<EntitySet Name="{name}"' in xml
    assert '<Property Name="IsOverdue" Type="Edm.Boolean" Nullable="false"/>' in xml


def test_every_use_is_logged_and_the_limit_is_per_token(client, token, outsider_token, action, settings, caplog):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "feed": 2}
    with caplog.at_level("INFO", logger="send_tracker.security"):
        assert [read(client, token).status_code for _ in range(3)] == [200, 200, 429]
        assert read(client, outsider_token).status_code == 200
    events = [json.loads(r.getMessage()) for r in caplog.records if r.name == "send_tracker.security"]
    reads = [e for e in events if e["event"] == "feed_read"]
    assert len(reads) == 3 and {e["feed_credential"] for e in reads} == set(ApiToken.objects.values_list("pk", flat=True))
    assert any(e["event"] == "rate_limited" and e["bucket"] == "feed" for e in events)
    assert all(token not in r.getMessage() for r in caplog.records)


def test_the_csv_download_keeps_spreadsheets_from_running_a_cell(client, token, make_action):
    make_action(ref="F1", text='=HYPERLINK("http://evil.example")')
    response = read(client, token, "/feed/Actions.csv")
    assert response["Content-Disposition"].startswith('attachment; filename="Actions-')
    assert "'=HYPERLINK" in response.content.decode("utf-8-sig")


def test_the_json_download_holds_every_row(client, token, make_action, settings):
    settings.FEED_PAGE_SIZE = 2
    for n in range(5):
        make_action(ref=f"J{n}")
    rows = read(client, token, "/feed/Actions.json").json()
    assert sorted(r["Ref"] for r in rows) == sorted(Action.objects.values_list("ref", flat=True))
