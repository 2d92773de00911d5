"""Fixtures for the security tests: one object of every kind a URL can name, in the shared test partnership."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache

from governance.services import snapshot_take
from reporting.models import BoardReport
from tests.actions.conftest import _private_media, evidence_file  # noqa: F401  (fixtures)
from tests.finance.conftest import finance_lead, finance_plan, mitigation  # noqa: F401  (fixtures)
from tests.governance.conftest import deliverable, finding, inspection  # noqa: F401  (fixtures)
from tests.kpis.conftest import add_value, indicator  # noqa: F401  (fixtures)
from tests.risks.conftest import closed_risk, risk  # noqa: F401  (fixtures)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate limit counters live in the cache: each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def snapshot(strategy, action, officer):
    return snapshot_take(strategy=strategy, as_at=strategy.ratings_as_at, taken_by=officer)


@pytest.fixture
def ready_report(snapshot, officer, _private_media):  # noqa: F811
    folder = _private_media / "board-reports"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pack.pdf").write_bytes(b"%PDF-1.7\n%%EOF\n")
    return BoardReport.objects.create(
        strategy=snapshot.strategy, snapshot=snapshot, requested_by=officer, status=BoardReport.Status.READY, file_name="pack.pdf"
    )


@pytest.fixture
def failed_report(snapshot, officer):
    return BoardReport.objects.create(
        strategy=snapshot.strategy, snapshot=snapshot, requested_by=officer, status=BoardReport.Status.FAILED, error="Out of memory"
    )


@pytest.fixture
def kpi_value(indicator):  # noqa: F811
    return add_value(indicator, "2025-04", "80")


@pytest.fixture
def previewed_import(strategy, officer):
    """An uploaded plan waiting for its officer to confirm it."""
    from actions.models import PlanImport

    content = b"priority,delivery_group,ref,action,owner,due,rating\nRight Support,1. Oversight,NEW1,A new action,,TBC,\n"
    return PlanImport.objects.create(strategy=strategy, uploaded_by=officer, filename="plan.csv", content=content)


@pytest.fixture
def previewed_benchmark_import(strategy, officer):
    """An uploaded open-data file waiting for its officer to confirm it."""
    from kpis.models import BenchmarkImport

    return BenchmarkImport.objects.create(strategy=strategy, uploaded_by=officer, filename="ehcp.csv", content=b"time_period\n2024\n")


@pytest.fixture
def api_token(partnership, officer):
    from feed.models import api_token_create

    token, _secret = api_token_create(partnership=partnership, name="Power BI", created_by=officer)
    return token


@pytest.fixture
def ready_evidence_pack(strategy, finding, officer, _private_media):  # noqa: F811
    from reporting.models import EvidencePack

    folder = _private_media / "evidence-packs"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pack.pdf").write_bytes(b"%PDF-1.7\n%%EOF\n")
    (folder / "pack.zip").write_bytes(b"PK\x05\x06" + b"\x00" * 18)
    return EvidencePack.objects.create(
        strategy=strategy, requested_by=officer, status=EvidencePack.Status.READY, pdf_name="pack.pdf", zip_name="pack.zip"
    )


@pytest.fixture
def tracker_import(strategy, officer):
    """An officer's own tracker, uploaded and waiting for its columns to be matched."""
    from actions.models import PlanImport
    from actions.trackers import plan_upload_read
    from tests.actions.tracker_files import tracker_xlsx

    content = tracker_xlsx()
    reading = plan_upload_read(content, "tracker.xlsx", strategy)
    return PlanImport.objects.create(
        strategy=strategy,
        uploaded_by=officer,
        filename="tracker.xlsx",
        content=content,
        status=PlanImport.Status.MAPPING,
        mapping=reading.mapping,
        layout=reading.layout,
    )


@pytest.fixture
def owner_membership(owner, partnership):
    from people.models import Membership

    return Membership.objects.get(user=owner, partnership=partnership)


@pytest.fixture
def open_invitation(partnership, officer):
    import datetime as dt

    from django.utils import timezone

    from people.models import Invitation

    return Invitation.objects.create(
        partnership=partnership,
        email="invited@example.org",
        role="delivery_lead",
        token_hash="0" * 64,
        invited_by=officer,
        expires_at=timezone.now() + dt.timedelta(days=7),
    )


@pytest.fixture
def kpi_upload(strategy, officer):
    from kpis.models import KpiValueImport

    return KpiValueImport.objects.create(strategy=strategy, uploaded_by=officer, filename="values.csv", content=b"indicator,period,value\n")


@pytest.fixture
def definitions_upload(strategy, officer):
    from actions.models import StrategyUpload

    return StrategyUpload.objects.create(
        strategy=strategy,
        uploaded_by=officer,
        source="kpi-definitions",
        filename="kpis.csv",
        content=b"code,name,unit,direction,frequency\n",
    )


@pytest.fixture
def meeting(strategy, partnership):
    import datetime as dt

    from django.utils import timezone

    from governance.models import Board, Meeting

    board = Board.objects.create(partnership=partnership, name="Partnership Board")
    day = timezone.localdate() + dt.timedelta(days=14)
    return Meeting.objects.create(board=board, strategy=strategy, date=day, papers_deadline=day - dt.timedelta(days=7))


@pytest.fixture
def sign_off(meeting, action, owner_post, owner, officer):
    """The sign-off of the organisation owning the action, whose signatory is the action's owner."""
    from governance.signoff import sign_offs_for, signatory_nominate
    from people.models import Organisation

    organisation = Organisation.objects.create(partnership=meeting.board.partnership, name="Northshire Council", kind="council")
    owner_post.organisation = organisation
    owner_post.save()
    signatory_nominate(organisation=organisation, user=owner, by=officer)
    return sign_offs_for(meeting)[0]


@pytest.fixture
def published_page(strategy, group, officer):
    from coproduction.models import PublicPage, SummaryDraft
    from coproduction.services import page_publish

    page = PublicPage.objects.create(strategy=strategy, slug="northshire-progress")
    SummaryDraft.objects.create(group=group, you_said="You said.", we_did="We did.")
    page_publish(page=page, user=officer)
    return page


@pytest.fixture
def partnership_scheme(partnership, officer):
    """A rating scheme of the partnership's own."""
    from actions.schemes import LevelDraft, scheme_create

    return scheme_create(
        partnership=partnership,
        user=officer,
        name="Northshire three-level",
        description="",
        levels=[
            LevelDraft("Behind", "Behind plan", "at_risk", "red", 1),
            LevelDraft("Not begun", "Not started", "not_started", "grey", 2),
            LevelDraft("Done", "Complete", "complete", "green", 3),
        ],
    )


@pytest.fixture
def actuals_upload(mitigation, officer):  # noqa: F811
    """A spreadsheet of actual figures waiting for its finance lead or officer to confirm it."""
    from actions.models import StrategyUpload

    content = b"mitigation,year,as_at,achieved\nM1,2025-26,30/09/2025,1200000\n"
    strategy = mitigation.plan.strategy
    return StrategyUpload.objects.create(
        strategy=strategy, source="finance-actuals", uploaded_by=officer, filename="actuals.csv", content=content
    )


@pytest.fixture
def milestone(action):
    """A step of the shared action, not yet done."""
    from actions.models import Milestone

    return Milestone.objects.create(action=action, title="Phase 1: pilot", due_date=dt.date(2025, 9, 30), position=1)


@pytest.fixture
def self_evaluated_strategy(strategy, officer):
    """A strategy whose self-evaluation has a first version, drafted from the tracker."""
    from governance.self_evaluation import self_evaluation_draft

    self_evaluation_draft(strategy, user=officer, snapshot=None)
    return strategy


@pytest.fixture
def ready_document(strategy, officer, _private_media):  # noqa: F811
    """A priority action plan written as Word, ready to download."""
    from reporting.models import DocumentExport

    folder = _private_media / "documents"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "plan.docx").write_bytes(b"PK\x05\x06" + b"\x00" * 18)
    return DocumentExport.objects.create(
        strategy=strategy, requested_by=officer, kind="priority_action_plan", file_format="docx", status="ready", file_name="plan.docx"
    )


@pytest.fixture
def strategy_with_priority_finding(strategy, finding):  # noqa: F811
    """A strategy whose inspection found an area for priority action."""
    return strategy
