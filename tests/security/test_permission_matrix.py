"""The permission matrix: every URL of the product, for every persona, with the status class each must get.

One row per URL name. A new view fails `test_the_matrix_lists_every_url` until
it has a row here. The walk over every URL × persona is in test_fuzz.py: for each
pair it makes this matrix's clean request (`assert_who_gets_in`) and then the fuzz's. The per-feature permission tests (tests/actions,
tests/governance, tests/kpis) check what happens after the request; this
checks who gets in at all.

Statuses: "ok" 2xx, "redirect" 3xx (not to sign-in), "login" (sent to sign-in),
"forbidden" 403, "missing" 404 (also for another partnership's objects),
"invalid" 4xx form errors (400/409/422: allowed in, input refused).
"""

from __future__ import annotations

from typing import NamedTuple

import pytest
from django.urls import reverse

from tests.conftest import date_boxes
from tests.url_coverage import product_url_names

pytestmark = pytest.mark.django_db

# finance_lead keeps the high-needs budget (council finance): reads like a board member, changes the budget and finance risks.
PERSONAS = ["anonymous", "owner", "other_lead", "group_lead", "board", "officer", "partner", "finance_lead", "outsider"]


class Row(NamedTuple):
    method: str
    args: list[str]  # fixture names whose primary keys fill the URL, "fixture.attribute", or literal strings prefixed "="
    data: dict | str | None  # POST data; a string names a function of the fixtures below
    expect: dict[str, str]  # persona -> status class; personas left out get DEFAULT


READ = {"anonymous": "login", "outsider": "missing"}  # every member of the partnership reads
OFFICER_ONLY_403 = {
    **READ,
    "owner": "forbidden",
    "other_lead": "forbidden",
    "group_lead": "forbidden",
    "board": "forbidden",
    "partner": "forbidden",
    "finance_lead": "forbidden",
    "officer": "redirect",
}
# Owners, the group lead and officers update (and are redirected back to the action).
UPDATERS = {
    **READ,
    "other_lead": "forbidden",
    "board": "forbidden",
    "partner": "forbidden",
    "finance_lead": "forbidden",
    "owner": "redirect",
    "group_lead": "redirect",
    "officer": "redirect",
}
KPI_ENTERERS = {
    **READ,
    "other_lead": "forbidden",
    "group_lead": "forbidden",
    "board": "forbidden",
    "partner": "forbidden",
    "finance_lead": "forbidden",
}  # owners, officers
# Only co-production partners record the families' view; officers and leads never write it.
PARTNERS_ONLY = {**dict.fromkeys(PERSONAS, "forbidden"), "anonymous": "login", "outsider": "missing", "partner": "redirect"}
PUBLIC = dict.fromkeys(PERSONAS, "ok")
SIGNED_IN = {"anonymous": "login", "outsider": "ok"}

MATRIX: dict[str, Row] = {
    "home": Row("get", [], None, {"anonymous": "login", **dict.fromkeys(PERSONAS[1:], "redirect")}),
    "login": Row("get", [], None, {**PUBLIC, **dict.fromkeys(PERSONAS[1:], "redirect")}),  # signed in: sent on
    "logout": Row("post", [], {}, dict.fromkeys(PERSONAS, "redirect")),
    "accessibility": Row("get", [], None, PUBLIC),
    "healthz": Row("get", [], None, PUBLIC),
    "readyz": Row("get", [], None, PUBLIC),
    "privacy": Row("get", [], None, PUBLIC),
    "actions:my_actions": Row("get", [], None, SIGNED_IN),
    "actions:strategy_list": Row("get", [], None, SIGNED_IN),
    "actions:notifications": Row("get", [], None, SIGNED_IN),
    "actions:notifications_read": Row("post", [], {}, {"anonymous": "login", **dict.fromkeys(PERSONAS[1:], "redirect")}),
    "actions:strategy_detail": Row("get", ["strategy"], None, READ),
    # Without htmx, a group's actions are the strategy page with the group open.
    "actions:strategy_group_actions": Row(
        "get", ["strategy", "group"], None, {**dict.fromkeys(PERSONAS, "redirect"), "anonymous": "login", "outsider": "missing"}
    ),
    "reporting:group_detail": Row("get", ["group"], None, READ),
    "actions:action_detail": Row("get", ["action"], None, READ),
    "actions:action_update": Row(
        "post", ["action"], "action_update_data", {**UPDATERS, "owner": "redirect", "group_lead": "redirect", "officer": "redirect"}
    ),
    "actions:milestone_add": Row("post", ["action"], {"milestone-title": "Phase 2", "milestone-due": "March 2026"}, UPDATERS),
    "actions:milestone_mark": Row("post", ["milestone"], {"done": "yes"}, UPDATERS),
    "actions:evidence_download": Row("get", ["evidence_file"], None, READ),
    "reporting:dashboard": Row("get", ["strategy"], None, READ),
    "reporting:dashboard_export": Row("get", ["strategy", "=csv"], None, READ),
    # Without htmx, an exception list or the movement is the dashboard showing it.
    "reporting:dashboard_exceptions": Row(
        "get", ["strategy", "=overdue"], None, {**dict.fromkeys(PERSONAS, "redirect"), "anonymous": "login", "outsider": "missing"}
    ),
    "reporting:dashboard_movement": Row(
        "get", ["strategy"], None, {**dict.fromkeys(PERSONAS, "redirect"), "anonymous": "login", "outsider": "missing"}
    ),
    "reporting:snapshot_list": Row("get", ["strategy"], None, READ),
    "reporting:snapshot_create": Row("post", ["strategy"], date_boxes("as_at", "1/5/2025"), {**OFFICER_ONLY_403, "officer": "redirect"}),
    "reporting:reports": Row("get", ["strategy"], None, READ),
    "reporting:report_request": Row("post", ["strategy"], "report_request_data", OFFICER_ONLY_403),
    "reporting:report_detail": Row("get", ["ready_report"], None, READ),
    "reporting:report_retry": Row("post", ["failed_report"], {}, OFFICER_ONLY_403),
    "reporting:report_download": Row("get", ["ready_report"], None, READ),
    "reporting:snapshot_pack": Row("get", ["snapshot"], None, READ),
    "governance:snapshot_retake": Row("post", ["snapshot"], {}, OFFICER_ONLY_403),
    # Inspections and their findings: everyone in the partnership reads them; officers record, link and produce evidence packs.
    "reporting:findings": Row("get", ["strategy"], None, READ),
    # The partnership's change log: officers read all of it, board members the plan's changes; others are refused.
    "reporting:change_log": Row("get", ["partnership"], None, {**OFFICER_ONLY_403, "board": "ok", "officer": "ok"}),
    "reporting:change_log_export": Row("get", ["partnership", "=csv"], None, {**OFFICER_ONLY_403, "board": "ok", "officer": "ok"}),
    "governance:inspection_create": Row("get", ["strategy"], None, {**OFFICER_ONLY_403, "officer": "ok"}),
    "governance:inspection_edit": Row("post", ["inspection"], "inspection_data", OFFICER_ONLY_403),
    "governance:finding_create": Row(
        "post", ["inspection"], {"kind": "improvement", "number": "4", "text": "Co-produce."}, OFFICER_ONLY_403
    ),
    "governance:finding_edit": Row("get", ["finding"], None, {**OFFICER_ONLY_403, "officer": "ok"}),
    "governance:action_findings": Row("post", ["action"], "linked_findings_data", OFFICER_ONLY_403),
    "governance:indicator_findings": Row("get", ["indicator"], None, {**OFFICER_ONLY_403, "officer": "ok"}),
    "governance:coverage": Row("get", ["strategy"], None, READ),
    "governance:action_strands": Row("post", ["action"], "strands_data", OFFICER_ONLY_403),
    "governance:indicator_strands": Row("get", ["indicator"], None, {**OFFICER_ONLY_403, "officer": "ok"}),
    "governance:deliverable_strands": Row("post", ["deliverable"], "strands_data", OFFICER_ONLY_403),
    "governance:self_evaluation": Row("get", ["self_evaluated_strategy"], None, {**OFFICER_ONLY_403, "officer": "ok"}),
    "governance:self_evaluation_strand": Row("get", ["self_evaluated_strategy", "=E1"], None, {**OFFICER_ONLY_403, "officer": "ok"}),
    "governance:self_evaluation_draft": Row("post", ["strategy"], {"snapshot": ""}, OFFICER_ONLY_403),
    # No version 1 to compare with: an officer is let in and told there is no such version.
    "governance:self_evaluation_compare": Row("get", ["strategy"], None, {**OFFICER_ONLY_403, "officer": "missing"}),
    "reporting:document_request": Row(
        "post", ["self_evaluated_strategy"], {"kind": "self_evaluation", "format": "docx", "version": "1"}, OFFICER_ONLY_403
    ),
    "reporting:document_detail": Row("get", ["ready_document"], None, {**OFFICER_ONLY_403, "officer": "ok"}),
    "reporting:document_download": Row("get", ["ready_document"], None, {**OFFICER_ONLY_403, "officer": "ok"}),
    "reporting:priority_action_plan_page": Row("get", ["strategy_with_priority_finding"], None, {**OFFICER_ONLY_403, "officer": "ok"}),
    "reporting:self_evaluation_upload": Row("get", ["self_evaluated_strategy"], None, {**OFFICER_ONLY_403, "officer": "ok"}),
    "reporting:evidence_pack_request": Row("post", ["strategy"], "evidence_pack_data", OFFICER_ONLY_403),
    "reporting:evidence_pack_detail": Row("get", ["ready_evidence_pack"], None, {**OFFICER_ONLY_403, "officer": "ok"}),
    "reporting:evidence_pack_download": Row("get", ["ready_evidence_pack", "=zip"], None, {**OFFICER_ONLY_403, "officer": "ok"}),
    "kpis:scorecard": Row("get", ["strategy"], None, READ),
    "kpis:indicator_detail": Row("get", ["indicator"], None, READ),
    "kpis:indicator_chart": Row("get", ["indicator"], None, READ),
    "kpis:value_add": Row(
        "post", ["indicator"], {"period": "2025-05", "value": "82"}, {**KPI_ENTERERS, "owner": "redirect", "officer": "redirect"}
    ),
    "kpis:value_correct": Row("get", ["kpi_value"], None, {**KPI_ENTERERS, "owner": "ok", "officer": "ok"}),
    # Only the partnership's programme officers import plans; everyone else is told there is no such page.
    "actions:plan_import": Row("get", ["strategy"], None, {**OFFICER_ONLY_403, "officer": "ok"}),
    "actions:plan_import_upload": Row("post", ["strategy"], "plan_upload_data", OFFICER_ONLY_403),
    "actions:plan_import_preview": Row("get", ["previewed_import"], None, {**OFFICER_ONLY_403, "officer": "ok"}),
    "actions:plan_import_confirm": Row("post", ["previewed_import"], {}, OFFICER_ONLY_403),
    # The KPI library, benchmarks and the feed's tokens are the partnership's programme officers' to maintain.
    "kpis:library": Row("get", ["strategy"], None, {**OFFICER_ONLY_403, "officer": "ok"}),
    "kpis:benchmarks_upload": Row("get", ["strategy"], None, {**OFFICER_ONLY_403, "officer": "ok"}),
    "kpis:benchmarking_settings": Row("get", ["strategy"], None, {**OFFICER_ONLY_403, "officer": "ok"}),
    "kpis:benchmarks_preview": Row("get", ["previewed_benchmark_import"], None, {**OFFICER_ONLY_403, "officer": "ok"}),
    "kpis:benchmarks_confirm": Row("post", ["previewed_benchmark_import"], {}, OFFICER_ONLY_403),
    "feed:tokens": Row("get", ["partnership"], None, {**OFFICER_ONLY_403, "officer": "ok"}),
    "feed:token_revoke": Row("post", ["partnership", "api_token"], {}, OFFICER_ONLY_403),
    # The feed opens only to an API token: a signed-in session reads nothing (401).
    "feed:service": Row("get", [], None, dict.fromkeys(PERSONAS, "invalid")),
    "feed:metadata": Row("get", [], None, dict.fromkeys(PERSONAS, "invalid")),
    "feed:entity_set": Row("get", ["=Actions"], None, dict.fromkeys(PERSONAS, "invalid")),
    "feed:entity_set_count": Row("get", ["=Actions"], None, dict.fromkeys(PERSONAS, "invalid")),
    "feed:entity": Row("get", ["=Actions", "=1"], None, dict.fromkeys(PERSONAS, "invalid")),
    "feed:unknown": Row("get", ["=Actions/Updates"], None, dict.fromkeys(PERSONAS, "invalid")),
    "feed:download": Row("get", ["=Actions", "=csv"], None, dict.fromkeys(PERSONAS, "invalid")),
    "actions:plan_import_mapping": Row("get", ["tracker_import"], None, {**OFFICER_ONLY_403, "officer": "ok"}),
    # KPI definitions and uploads of values: officers alone.
    "kpis:indicator_create": Row("get", ["strategy"], None, {**OFFICER_ONLY_403, "officer": "ok"}),
    "kpis:indicator_edit": Row("get", ["indicator"], None, {**OFFICER_ONLY_403, "officer": "ok"}),
    # Any other source of uploads, through the one set of intake pages: officers only.
    # Discarding a strategy: officers only, and only an empty one (the shared strategy has actions: refused, back to it).
    "actions:strategy_discard": Row("post", ["strategy"], {}, {**OFFICER_ONLY_403, "officer": "redirect"}),
    "actions:upload": Row("get", ["strategy", "=kpi-definitions"], None, {**OFFICER_ONLY_403, "officer": "ok"}),
    "actions:upload_preview": Row("get", ["=kpi-definitions", "definitions_upload"], None, {**OFFICER_ONLY_403, "officer": "ok"}),
    "actions:upload_confirm": Row("post", ["=kpi-definitions", "definitions_upload"], {}, OFFICER_ONLY_403),
    "kpis:kpi_upload": Row("get", ["strategy"], None, {**OFFICER_ONLY_403, "officer": "ok"}),
    "kpis:kpi_upload_preview": Row("get", ["kpi_upload"], None, {**OFFICER_ONLY_403, "officer": "ok"}),
    "kpis:kpi_upload_confirm": Row("post", ["kpi_upload"], {}, OFFICER_ONLY_403),
    # The update round: each person's own page; the progress by organisation is for officers.
    "actions:update_round": Row("get", [], None, SIGNED_IN),
    "actions:round_progress": Row("get", ["strategy"], None, {**OFFICER_ONLY_403, "officer": "ok"}),
    "actions:round_chase": Row("post", ["strategy"], {}, OFFICER_ONLY_403),
    "reporting:this_cycle": Row("get", ["strategy"], None, READ),
    # The board calendar: every member reads it, officers change it.
    "governance:calendar": Row("get", ["strategy"], None, READ),
    "governance:board_create": Row("post", ["strategy"], {"name": "Health Sub-group"}, OFFICER_ONLY_403),
    "governance:meeting_series": Row("post", ["strategy"], "series_data", OFFICER_ONLY_403),
    "governance:meeting_move": Row("post", ["meeting"], "move_data", OFFICER_ONLY_403),
    "governance:meeting_cancel": Row("post", ["meeting"], {}, OFFICER_ONLY_403),
    # Changing the plan: the partnership's programme officers alone.
    "actions:strategy_create": Row("get", ["partnership"], None, {**OFFICER_ONLY_403, "officer": "ok"}),
    "actions:action_create": Row("get", ["strategy"], None, {**OFFICER_ONLY_403, "officer": "ok"}),
    "actions:action_edit": Row("get", ["action"], None, {**OFFICER_ONLY_403, "officer": "ok"}),
    "actions:action_retire": Row("get", ["action"], None, {**OFFICER_ONLY_403, "officer": "ok"}),
    "actions:group_create": Row("get", ["strategy"], None, {**OFFICER_ONLY_403, "officer": "ok"}),
    "actions:group_edit": Row("get", ["group"], None, {**OFFICER_ONLY_403, "officer": "ok"}),
    "actions:group_move": Row("post", ["group"], {"direction": "up"}, OFFICER_ONLY_403),
    # Rating schemes: the partnership's programme officers make their own, copy shipped ones and move a strategy between them.
    "actions:scheme_list": Row("get", ["partnership"], None, {**OFFICER_ONLY_403, "officer": "ok"}),
    "actions:scheme_create": Row("get", ["partnership"], None, {**OFFICER_ONLY_403, "officer": "ok"}),
    "actions:scheme_detail": Row("get", ["partnership", "partnership_scheme"], None, {**OFFICER_ONLY_403, "officer": "ok"}),
    "actions:strategy_scheme": Row("get", ["strategy"], None, {**OFFICER_ONLY_403, "officer": "ok"}),
    # The partnership's people and posts: its programme officers alone.
    "people:people_list": Row("get", ["partnership"], None, {**OFFICER_ONLY_403, "officer": "ok"}),
    "people:invite": Row("get", ["partnership"], None, {**OFFICER_ONLY_403, "officer": "ok"}),
    "people:post_list": Row("get", ["partnership"], None, {**OFFICER_ONLY_403, "officer": "ok"}),
    "people:person_detail": Row("get", ["owner_membership"], None, {**OFFICER_ONLY_403, "officer": "ok"}),
    "people:person_edit": Row("post", ["owner_membership"], {"role": "delivery_lead"}, OFFICER_ONLY_403),
    "people:person_deactivate": Row("post", ["owner_membership"], {}, OFFICER_ONLY_403),
    "people:person_reactivate": Row("post", ["owner_membership"], {}, OFFICER_ONLY_403),
    "people:invitation_resend": Row("post", ["open_invitation"], {}, OFFICER_ONLY_403),
    "people:invitation_withdraw": Row("post", ["open_invitation"], {}, OFFICER_ONLY_403),
    "people:post_detail": Row("get", ["owner_post"], None, {**OFFICER_ONLY_403, "officer": "ok"}),
    "people:post_edit": Row("post", ["owner_post"], {"title": "Head of Inclusion"}, OFFICER_ONLY_403),
    "people:post_hand_over": Row("post", ["owner_post"], "hand_over_data", OFFICER_ONLY_403),
    "people:post_merge": Row("post", ["owner_post"], "merge_data", OFFICER_ONLY_403),
    # An invitation's link is public; an unknown token is simply not found.
    "people:invitation_accept": Row("get", ["=no-such-token"], None, dict.fromkeys(PERSONAS, "missing")),
    # Two-factor set-up is each person's own; with a second factor already passed, the code page sends them on.
    "accounts:mfa_setup": Row("get", [], None, SIGNED_IN),
    "accounts:mfa_setup_qr": Row("get", [], None, SIGNED_IN),
    "accounts:mfa_verify": Row("get", [], None, {"anonymous": "login", **dict.fromkeys(PERSONAS[1:], "redirect")}),
    # How long a session has left, for the warning before it ends: each person's own, and nothing for anyone else.
    "accounts:session_time": Row("get", [], None, PUBLIC),
    # Single sign-on answers only where a deployment configures it (OIDC_RP_CLIENT_ID); the tests run without.
    "oidc_authentication_init": Row("get", [], None, dict.fromkeys(PERSONAS, "missing")),
    "oidc_authentication_callback": Row("get", [], None, dict.fromkeys(PERSONAS, "missing")),
    "oidc_logout": Row("post", [], {}, dict.fromkeys(PERSONAS, "redirect")),
    "sso_provider_init": Row("get", ["=install"], None, dict.fromkeys(PERSONAS, "missing")),
    # Co-production: the families' view, and the public page officers write and publish.
    "coproduction:families_view": Row("post", ["group"], {"level": "no_change", "narrative": "Same.", "source": "Survey"}, PARTNERS_ONLY),
    "coproduction:summary_edit": Row("get", ["group"], None, {**OFFICER_ONLY_403, "officer": "ok"}),
    "coproduction:public_manage": Row("get", ["strategy"], None, {**OFFICER_ONLY_403, "officer": "ok"}),
    "coproduction:public_preview": Row("get", ["strategy"], None, {**OFFICER_ONLY_403, "officer": "ok"}),
    "coproduction:public_publish": Row("post", ["strategy"], {}, OFFICER_ONLY_403),
    "coproduction:public_history": Row("get", ["strategy"], None, READ),
    # Public: no sign-in, the same for everyone.
    "coproduction:public_page": Row("get", ["published_page.slug"], None, PUBLIC),
    "coproduction:public_feed": Row("get", ["published_page.slug"], None, PUBLIC),
    # Partner sign-off: everyone in the partnership sees the board; only the organisation's signatory (the owner here) signs.
    "governance:sign_off_board": Row("get", ["meeting"], None, READ),
    "governance:sign_off_decide": Row(
        "post",
        ["sign_off"],
        {"decision": "confirm"},
        {**dict.fromkeys(PERSONAS, "forbidden"), "anonymous": "login", "outsider": "missing", "owner": "redirect"},
    ),
    "governance:signatory_nominate": Row("post", ["sign_off.meeting"], "nominate_data", OFFICER_ONLY_403),
    # A meeting's decisions and actions arising: everyone in the partnership reads them; officers record them.
    "governance:meeting_detail": Row("get", ["meeting"], None, READ),
    "governance:decision_create": Row(
        "post", ["meeting"], {"decision-text": "The board agreed the SEND sufficiency plan."}, OFFICER_ONLY_403
    ),
    "governance:action_arising_create": Row("post", ["meeting"], "arising_data", OFFICER_ONLY_403),
    # Each person's own emails and calendar address; the chasing schedule is the partnership's officers'.
    "actions:email_preferences": Row("get", [], None, SIGNED_IN),
    "actions:chasing_schedule": Row("get", ["partnership"], None, {**OFFICER_ONLY_403, "officer": "ok"}),
    "governance:calendar_feed_manage": Row("get", [], None, SIGNED_IN),
    # Opened with a signed link or a private token, never a session: an unknown one is simply not found.
    "actions:email_unsubscribe": Row("post", ["=not-a-signed-token"], {}, dict.fromkeys(PERSONAS, "missing")),
    "governance:calendar_feed": Row("get", ["=no-such-token"], None, dict.fromkeys(PERSONAS, "missing")),
}
# The risk register: everyone in the partnership reads it; the risk's owner (its post's holder) and officers change a risk.
# The risk here is a sufficiency risk, so its finance lead is refused too (finance risks: tests/risks/test_register_pages.py).
RISK_CHANGERS = {
    **READ,
    "other_lead": "forbidden",
    "group_lead": "forbidden",
    "board": "forbidden",
    "partner": "forbidden",
    "finance_lead": "forbidden",
}
# The high-needs budget: officers and the partnership's finance leads change it; everyone else reads it.
FINANCE_CHANGERS = {**OFFICER_ONLY_403, "officer": "ok", "finance_lead": "ok"}
FINANCE_POSTERS = {**OFFICER_ONLY_403, "finance_lead": "redirect"}
MATRIX.update(
    {
        "risks:register": Row("get", ["strategy"], None, READ),
        "risks:headline": Row("get", ["risk.strategy"], None, READ),
        "risks:register_export": Row("get", ["risk.strategy"], None, READ),
        "finance:mitigations_export": Row("get", ["mitigation.plan.strategy"], None, READ),
        "finance:headline": Row("get", ["finance_plan.strategy"], None, READ),
        "risks:risk_detail": Row("get", ["risk"], None, READ),
        "risks:risk_add": Row("get", ["strategy"], None, {**OFFICER_ONLY_403, "officer": "ok"}),
        "risks:risk_scale": Row("get", ["strategy"], None, {**OFFICER_ONLY_403, "officer": "ok"}),
        "risks:risk_edit": Row("get", ["risk"], None, RISK_CHANGERS),
        "risks:risk_rescore": Row("post", ["risk"], "rescore_data", {**RISK_CHANGERS, "owner": "redirect", "officer": "redirect"}),
        # Closing is a page with a reason; reopening a closed risk is the button on its page.
        "risks:risk_close": Row("get", ["risk"], None, RISK_CHANGERS),
        "risks:risk_reopen": Row("post", ["closed_risk"], "reopen_data", {**RISK_CHANGERS, "owner": "redirect", "officer": "redirect"}),
        # The high-needs budget: everyone reads it; officers and finance leads change it.
        "finance:plan": Row("get", ["finance_plan.strategy"], None, READ),
        "finance:plan_edit": Row("get", ["strategy"], None, FINANCE_CHANGERS),
        "finance:figures_edit": Row("get", ["finance_plan.strategy"], None, FINANCE_CHANGERS),
        "finance:mitigation_add": Row("get", ["finance_plan.strategy"], None, FINANCE_CHANGERS),
        "finance:mitigation_edit": Row("get", ["mitigation"], None, FINANCE_CHANGERS),
        "finance:actual_add": Row("post", ["mitigation.plan.strategy"], "actual_data", FINANCE_POSTERS),
        "finance:actuals_upload": Row("get", ["finance_plan.strategy"], None, FINANCE_CHANGERS),
        "finance:actuals_preview": Row("get", ["actuals_upload"], None, FINANCE_CHANGERS),
        "finance:actuals_confirm": Row("post", ["actuals_upload"], {}, FINANCE_POSTERS),
    }
)
DEFAULT = "ok"


def actual_data(request) -> dict:
    mitigation = request.getfixturevalue("mitigation")
    return {"mitigation": str(mitigation.pk), "year": "2025-26", **date_boxes("as_at", "30/9/2025"), "achieved": "£1.2m"}


def rescore_data(request) -> dict:
    risk = request.getfixturevalue("risk")
    scores = {"inherent_likelihood": "5", "inherent_impact": "4", "residual_likelihood": "3", "residual_impact": "4"}
    return scores | {"reason": "New places opened.", "version": str(risk.version)} | date_boxes("review_date", risk.review_date)


def reopen_data(request) -> dict:
    return {"version": str(request.getfixturevalue("closed_risk").version)}


def action_update_data(request) -> dict:
    action = request.getfixturevalue("action")
    return {"rating": str(action.rating_id), "narrative": "Reviewed at the group meeting.", "version": str(action.version)}


def series_data(request) -> dict:
    board = request.getfixturevalue("meeting").board
    return {"board": str(board.pk), **date_boxes("first", "14/5/2026"), "every": "2", "unit": "months", "count": "3", "papers_days": "7"}


def move_data(request) -> dict:
    request.getfixturevalue("meeting")
    return date_boxes("date", "19/3/2026")


def hand_over_data(request) -> dict:
    return {"successor": str(request.getfixturevalue("owner").pk)}


def merge_data(request) -> dict:
    return {"keep": str(request.getfixturevalue("lead_post").pk)}


def plan_upload_data(request) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    csv = b"priority,delivery_group,ref,action,owner,due,rating\nRight Support,1. Oversight,SP1,Strengthen oversight,,TBC,On track\n"
    return {"file": SimpleUploadedFile("plan.csv", csv, content_type="text/csv")}


def nominate_data(request) -> dict:
    sign_off = request.getfixturevalue("sign_off")
    return {"organisation": str(sign_off.organisation_id), "user": str(request.getfixturevalue("board").pk)}


def arising_data(request) -> dict:
    return {
        "arising-text": "Bring the EHC timeliness recovery plan to the next board.",
        "arising-owner": str(request.getfixturevalue("owner_post").pk),
        **date_boxes("arising-due_date", "30/6/2030"),
    }


def report_request_data(request) -> dict:
    return {"snapshot": str(request.getfixturevalue("snapshot").pk)}


def url_arg(request, arg: str):
    if arg.startswith("="):
        return arg[1:]
    name, *attributes = arg.split(".")
    value = request.getfixturevalue(name)
    for attribute in attributes:
        value = getattr(value, attribute)
    return value if isinstance(value, str) else value.pk


def inspection_data(request) -> dict:
    request.getfixturevalue("inspection")
    return {
        "kind": "monitoring",
        **{
            f"{name}_{part}": value
            for name, date in (("started_on", (3, 3, 2025)), ("ended_on", (4, 3, 2025)))
            for part, value in zip(("day", "month", "year"), date, strict=True)
        },
        "inspectorates": ["ofsted", "cqc"],
        "outcome": "none",
        "version": "1",
    }


def linked_findings_data(request) -> dict:
    return {"findings": [str(request.getfixturevalue("finding").pk)]}


def strands_data(request) -> dict:
    return {"strands": ["E1", "L5"]}


def evidence_pack_data(request) -> dict:
    return {"finding": str(request.getfixturevalue("finding").pk)}


def status_class(response) -> str:
    code = response.status_code
    if 200 <= code < 300:
        return "ok"
    if 300 <= code < 400:
        return "login" if response.url.startswith(reverse("login") + "?") else "redirect"
    return {403: "forbidden", 404: "missing"}.get(code, "invalid" if 400 <= code < 500 else str(code))


# The same for everyone, signed in or not, and cached as such.
PUBLIC_PAGES = {"coproduction:public_page", "coproduction:public_feed"}
# Answered once the person is signed out.
SIGN_OUT = {"logout", "oidc_logout"}


def test_the_matrix_lists_every_url():
    assert set(MATRIX) == product_url_names(), "add a row to MATRIX for each new view (and remove rows of deleted ones)"


def assert_who_gets_in(client, request, name: str, persona: str) -> None:
    """One clean request to the row's URL as the persona (the client signed in as them): the status class the matrix expects.

    Run for every URL and persona, every run, by the walk in test_fuzz.py, which then sends the same
    URL its hostile values: the grid of fixtures is built once for both.
    """
    row = MATRIX[name]
    args = [url_arg(request, arg) for arg in row.args]
    data = globals()[row.data](request) if isinstance(row.data, str) else row.data
    url = reverse(name, args=args)
    response = client.post(url, data) if row.method == "post" else client.get(url)
    assert status_class(response) == row.expect.get(persona, DEFAULT), f"{persona} {row.method.upper()} {url}: {response.status_code}"
    if persona != "anonymous" and name not in PUBLIC_PAGES | SIGN_OUT:  # a signed-in answer stays in no browser's or proxy's cache
        assert response["Cache-Control"] == "private, no-store", f"{persona} {row.method.upper()} {url}"
