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
    assert row["Progress"] == "on_track"  # the rule book's one class of the action (Amber: on track, not complete)
    assert body["@odata.context"].endswith("$metadata#Actions")


def test_each_action_names_its_owners_organisations(client, token, action, owner_post):
    from people.models import Organisation

    assert read(client, token).json()["value"][0]["Organisations"] is None  # no organisation recorded yet
    owner_post.organisation = Organisation.objects.create(partnership=owner_post.partnership, name="Cheshire East Council")
    owner_post.save()
    assert read(client, token).json()["value"][0]["Organisations"] == "Cheshire East Council"


def test_a_filter_on_the_class_reads_the_actions_in_it(client, token, action, level):
    assert len(read(client, token, **{"$filter": "Progress eq 'on_track'"}).json()["value"]) == 1
    Action.objects.filter(pk=action.pk).update(rating=level("red"))
    assert read(client, token, **{"$filter": "Progress eq 'on_track'"}).json()["value"] == []
    assert len(read(client, token, **{"$filter": "Progress eq 'at_risk'"}).json()["value"]) == 1


def test_the_token_can_be_the_basic_password_as_excel_and_power_bi_send_it(client, token, action):
    credentials = base64.b64encode(f"anyone:{token}".encode()).decode()
    response = client.get("/feed/odata/Actions", HTTP_AUTHORIZATION=f"Basic {credentials}")
    assert response.status_code == 200 and len(response.json()["value"]) == 1


def test_another_partnerships_token_reads_none_of_this_partnerships_rows(client, outsider_token, action):
    for name in ["Actions", "Updates", "DeliveryGroups", "Kpis", "KpiValues", "Benchmarks", "Snapshots", "SnapshotItems"]:
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
    assert response["Cache-Control"] == "private, no-store"
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
        ({"$frobnicate": "1"}, "not supported"),
        ({"$skiptoken": "abc"}, "one the feed gave"),
        # The database refuses these: each is a 400 saying why, not a server error.
        ({"$filter": "Id eq 'abc'"}, "a value of its type"),
        ({"$filter": "DueDate gt 5"}, "a value of its type"),
        ({"$filter": "Ref eq 5"}, "a value of its type"),
        ({"$filter": "Text add 1 eq 2"}, "a value of its type"),
        ({"$filter": "Id div 0 eq 1"}, "a value of its type"),
    ],
)
def test_a_query_the_feed_cannot_answer_gets_a_400_saying_why(client, token, action, params, message):
    response = read(client, token, **params)
    assert response.status_code == 400 and message in response.json()["error"]["message"]
    assert read(client, token).status_code == 200  # and the next read is answered


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("Ref eq", "from character 4: 'eq'"),
        ("(Ref eq 'A1'", "it ends before it is complete"),
        ("Ref eq 'A1", 'from character 8: "\'A1"'),
        ("Ref eqq 'A1'", "from character 4: \"eqq 'A1'\""),
        ("Ref eq 'A1' and", "from character 12: 'and'"),
    ],
)
def test_a_filter_that_is_not_odata_is_refused_in_the_analysts_own_words(client, token, action, where, message):
    """Where the query stops being OData, quoted from what was typed: never the parser's tokens ("Token(type='ERROR'...")."""
    error = read(client, token, **{"$filter": where}).json()["error"]["message"]
    assert message in error and "Token" not in error and "None" not in error


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
    for name in ["Actions", "Updates", "DeliveryGroups", "Kpis", "KpiValues", "Benchmarks", "Snapshots", "SnapshotItems"]:
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


# What Power BI's and Excel's OData connectors send and expect.
POWER_BI = {"HTTP_ACCEPT": "application/json;odata.metadata=minimal", "HTTP_ODATA_MAXVERSION": "4.0", "HTTP_ODATA_VERSION": "4.0"}


def test_it_answers_power_bis_headers_and_format_with_minimal_metadata_json(client, token, action):
    for path, params in [("/feed/odata/", {}), ("/feed/odata/Actions", {}), ("/feed/odata/Actions", {"$format": "json"})]:
        response = client.get(path, params, **bearer(token), **POWER_BI)
        assert response.status_code == 200, path
        assert response["OData-Version"] == "4.0"
        assert response["Content-Type"].startswith("application/json;odata.metadata=minimal")
        assert "@odata.context" in response.json()
    service = client.get("/feed/odata/", **bearer(token), **POWER_BI).json()
    names = {"Actions", "Updates", "DeliveryGroups", "Kpis", "KpiValues", "Benchmarks", "Snapshots", "SnapshotItems"}
    names |= {"Risks", "RiskScores", "Mitigations"}
    assert {s["name"] for s in service["value"]} == names
    metadata = client.get("/feed/odata/$metadata", **bearer(token), HTTP_ACCEPT="application/xml", HTTP_ODATA_MAXVERSION="4.0")
    assert metadata.status_code == 200 and metadata["Content-Type"].startswith("application/xml")


def test_skip_top_and_count_page_a_filtered_set_as_power_bi_asks(client, token, make_action, settings):
    settings.FEED_PAGE_SIZE = 2
    for n in range(1, 8):
        make_action(ref=f"K{n}")
    ordered = list(Action.objects.filter(ref__startswith="K").order_by("pk").values_list("ref", flat=True))
    body = read(client, token, **{"$filter": "startswith(Ref,'K')", "$count": "true", "$skip": "2", "$top": "4", "$select": "Ref"}).json()
    assert body["@odata.count"] == 7  # all that match, whatever $skip and $top
    assert body["@odata.context"].endswith("$metadata#Actions(Ref)")
    refs = [row["Ref"] for row in body["value"]]
    assert "$skiptoken=2" in body["@odata.nextLink"] and "$skip=2" in body["@odata.nextLink"]
    following = client.get(body["@odata.nextLink"].replace("http://testserver", ""), **bearer(token)).json()
    refs += [row["Ref"] for row in following["value"]]
    assert refs == ordered[2:6] and "@odata.nextLink" not in following
    counted = read(client, token, "/feed/odata/Actions/$count", **{"$filter": "startswith(Ref,'K')"})
    assert (counted.status_code, counted.content, counted["OData-Version"]) == (200, b"7", "4.0")
    assert counted["Content-Type"].startswith("text/plain")


def test_an_entity_is_read_by_its_key_within_the_tokens_partnership_only(client, token, outsider_token, action):
    body = read(client, token, f"/feed/odata/Actions({action.pk})", **{"$select": "Ref"}).json()
    assert body == {"@odata.context": "http://testserver/feed/odata/$metadata#Actions(Ref)/$entity", "Ref": action.ref}
    refused = read(client, outsider_token, f"/feed/odata/Actions({action.pk})")
    assert refused.status_code == 404 and refused.json()["error"]["code"] == "NotFound"


def test_int64_and_decimal_values_are_strings_when_the_client_asks_ieee754_compatible(client, token, action):
    response = client.get("/feed/odata/Actions", {"$count": "true"}, **bearer(token), HTTP_ACCEPT="application/json;IEEE754Compatible=true")
    body = response.json()
    assert "IEEE754Compatible=true" in response["Content-Type"]
    assert body["value"][0]["Id"] == str(action.pk) and body["@odata.count"] == "1"
    assert read(client, token).json()["value"][0]["Id"] == action.pk  # numbers otherwise


def test_expand_is_refused_with_501_and_the_way_to_relate_the_sets(client, token, action):
    response = read(client, token, **{"$expand": "Updates"})
    error = response.json()["error"]
    assert (response.status_code, error["code"], response["OData-Version"]) == (501, "NotImplemented", "4.0")
    assert "$expand is not supported" in error["message"] and "filter on ActionId" in error["message"]


@pytest.mark.parametrize(
    ("method", "path", "headers", "status", "code"),
    [
        ("get", "/feed/odata/Nothing", {}, 404, "NotFound"),
        ("get", "/feed/odata/Actions/Updates", {}, 404, "NotFound"),
        ("get", "/feed/odata/Actions(abc)", {}, 400, "BadRequest"),
        ("post", "/feed/odata/Actions", {}, 405, "MethodNotAllowed"),
        ("delete", "/feed/odata/", {}, 405, "MethodNotAllowed"),
        ("get", "/feed/odata/Actions?$format=atom", {}, 406, "NotAcceptable"),
        ("get", "/feed/odata/Actions", {"HTTP_ACCEPT": "application/atom+xml"}, 406, "NotAcceptable"),
        ("get", "/feed/odata/$metadata?$format=json", {}, 406, "NotAcceptable"),
        ("get", "/feed/odata/Actions", {"HTTP_ODATA_MAXVERSION": "3.0"}, 400, "UnsupportedVersion"),
        ("get", "/feed/odata/Actions/$count?$expand=Updates", {}, 501, "NotImplemented"),
    ],
)
def test_every_refusal_is_an_odata_json_error(client, token, action, method, path, headers, status, code):
    response = getattr(client, method)(path, **bearer(token), **headers)
    assert response.status_code == status and response["OData-Version"] == "4.0"
    assert response["Content-Type"] == "application/json" and response.json()["error"]["code"] == code
    assert response.json()["error"]["message"]


EDM_PRIMITIVES = {"Edm.Int64", "Edm.String", "Edm.Date", "Edm.DateTimeOffset", "Edm.Decimal", "Edm.Boolean"}


def test_metadata_keeps_the_csdl_rules_a_client_checks(client, token):
    """Parsed as XML: a container, a key on a non-nullable property of each type, known types, no navigation to follow."""
    from lxml import etree

    edmx, edm = "{http://docs.oasis-open.org/odata/ns/edmx}", "{http://docs.oasis-open.org/odata/ns/edm}"
    root = etree.fromstring(read(client, token, "/feed/odata/$metadata").content)
    assert root.tag == f"{edmx}Edmx" and root.get("Version") == "4.0"
    [schema] = root.findall(f"{edmx}DataServices/{edm}Schema")
    namespace = schema.get("Namespace")
    types = {t.get("Name"): t for t in schema.findall(f"{edm}EntityType")}
    for name, entity_type in types.items():
        properties = {p.get("Name"): p for p in entity_type.findall(f"{edm}Property")}
        assert len(properties) == len(entity_type.findall(f"{edm}Property")), f"{name} repeats a property"
        [key] = [ref.get("Name") for ref in entity_type.findall(f"{edm}Key/{edm}PropertyRef")]
        assert properties[key].get("Nullable") == "false" and properties[key].get("Type") == "Edm.Int64"
        for prop in properties.values():
            assert prop.get("Type") in EDM_PRIMITIVES and prop.get("Nullable") in (None, "false")
            if prop.get("Type") == "Edm.Decimal":
                assert int(prop.get("Scale")) <= int(prop.get("Precision"))
        assert not entity_type.findall(f"{edm}NavigationProperty")  # nothing for a client to $expand
    [container] = schema.findall(f"{edm}EntityContainer")
    sets = {s.get("Name"): s.get("EntityType") for s in container.findall(f"{edm}EntitySet")}
    assert sets and all(t.startswith(f"{namespace}.") and t.removeprefix(f"{namespace}.") in types for t in sets.values())
    service = read(client, token, "/feed/odata/").json()
    assert {s["url"] for s in service["value"]} == set(sets)


def test_a_bare_boolean_member_filters_as_power_query_sends_it(client, token, make_action):
    make_action(ref="LATE", due=dt.date(2020, 1, 31), rating="amber")
    make_action(ref="AHEAD", due=dt.date(2099, 1, 31), rating="amber")

    def refs(text):
        response = read(client, token, **{"$filter": text, "$select": "Ref"})
        assert response.status_code == 200, response.content
        return {row["Ref"] for row in response.json()["value"]}

    assert refs("IsOverdue") == {"LATE"}
    assert refs("not IsOverdue") == {"AHEAD"}
    assert refs("IsOverdue or Ref eq 'AHEAD'") == {"LATE", "AHEAD"}
    assert refs("not (IsOverdue or Ref eq 'AHEAD')") == set()
    assert refs("not IsOverdue and not IsUnallocated") == {"AHEAD"}


@pytest.mark.parametrize("text", ["Ref", "not DueDate", "IsOverdue and Rating"])
def test_a_member_that_is_not_true_or_false_cannot_stand_as_a_condition(client, token, action, text):
    response = read(client, token, **{"$filter": text})
    assert response.status_code == 400 and response["OData-Version"] == "4.0"
    assert "is not a true/false property" in response.json()["error"]["message"]


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("path", ["/feed/odata/Actions", "/feed/odata/Actions(1)", "/feed/odata/", "/feed/Actions.csv"])
def test_a_write_is_refused_with_an_odata_405_not_the_csrf_page(token, path, method):
    """As a client sends it: no CSRF cookie or token, just the API token in its header."""
    from django.test import Client

    response = getattr(Client(enforce_csrf_checks=True), method)(path, "{}", content_type="application/json", **bearer(token))
    assert response.status_code == 405 and response["Allow"] == "GET, HEAD"
    assert response["Content-Type"] == "application/json" and response.json()["error"]["code"] == "MethodNotAllowed"


def test_an_unknown_download_is_an_odata_404(client, token):
    response = client.get("/feed/Nothing.csv", **bearer(token))
    assert response.status_code == 404 and response.json()["error"]["code"] == "NotFound"


def test_missing_values_are_null_as_the_metadata_declares(client, token, make_action):
    make_action(ref="NOBODY", owners=[], due=None, due_text="")
    make_action(ref="SOMEONE")
    [row] = read(client, token, **{"$filter": "Ref eq 'NOBODY'"}).json()["value"]
    assert row["Owners"] is None and row["Due"] is None and row["DueDate"] is None
    xml = read(client, token, "/feed/odata/$metadata").content.decode()
    assert '<Property Name="Owners" Type="Edm.String"/>' in xml and '<Property Name="Due" Type="Edm.String"/>' in xml
    unowned = read(client, token, **{"$filter": "Owners eq null", "$select": "Ref"}).json()["value"]
    assert unowned == [{"Ref": "NOBODY"}]


def test_retry_after_is_the_time_left_in_the_tokens_hour(client, token, action, settings, monkeypatch):
    import time

    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "feed": 1}
    start = time.time()
    monkeypatch.setattr("feed.views.time.time", lambda: start)
    assert read(client, token).status_code == 200
    monkeypatch.setattr("feed.views.time.time", lambda: start + 1000.5)
    refused = read(client, token)
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "TooManyRequests"
    assert refused["Retry-After"] == "2600"
    monkeypatch.setattr("feed.views.time.time", lambda: start + 3599.2)
    assert read(client, token)["Retry-After"] == "1"
