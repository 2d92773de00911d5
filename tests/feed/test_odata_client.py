"""A real OData client (python-odata) reads the whole One Plan through the live feed, a page at a time."""

from __future__ import annotations

import os

import pytest
import requests
from odata import ODataService

from actions.models import Action, ActionUpdate, DeliveryGroup, Snapshot, SnapshotAction
from feed.models import api_token_create
from kpis.models import Benchmark, Indicator, KpiValue
from people.models import Membership
from tests.conftest import make_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def one_plan_with_kpis(one_plan):
    from django.core.management import call_command

    from tests.conftest import FIXTURES

    quiet = {"stdout": open(os.devnull, "w")}  # noqa: SIM115
    call_command("load_kpis", str(FIXTURES / "kpis" / "cheshire-east-kpis.csv"), strategy=one_plan.name, **quiet)
    call_command("import_kpi_values", str(FIXTURES / "kpis" / "cheshire-east-kpi-values.csv"), strategy=one_plan.name, **quiet)
    call_command("seed_benchmarks_demo", **quiet)
    officer = make_user("analyst-officer@example.org", one_plan.partnership, Membership.Role.OFFICER)
    assert Snapshot.objects.filter(strategy=one_plan).exists()  # the import takes the plan's own "as at" snapshot
    return one_plan, officer


def client_for(live_server, token: str) -> ODataService:
    session = requests.Session()
    session.auth = ("powerbi", token)  # Basic, with the token as the password, as Power BI and Excel send it
    return ODataService(f"{live_server.url}/feed/odata/", reflect_entities=True, session=session, quiet_progress=True)


def test_a_client_reads_every_entity_set_page_by_page_with_the_counts_the_database_holds(live_server, one_plan_with_kpis, settings):
    strategy, officer = one_plan_with_kpis
    settings.FEED_PAGE_SIZE = 50  # the 186 actions come in four pages
    token = api_token_create(partnership=strategy.partnership, name="Power BI", created_by=officer)[1]
    service = client_for(live_server, token)
    partnership = strategy.partnership
    expected = {
        "Actions": Action.objects.filter(strategy__partnership=partnership).count(),
        "Updates": ActionUpdate.objects.filter(action__strategy__partnership=partnership).count(),
        "DeliveryGroups": DeliveryGroup.objects.filter(strategy__partnership=partnership).count(),
        "Kpis": Indicator.objects.filter(strategy__partnership=partnership).count(),
        "KpiValues": KpiValue.objects.current().filter(indicator__strategy__partnership=partnership).count(),
        "Benchmarks": Benchmark.objects.filter(indicator__strategy__partnership=partnership).count(),
        "Snapshots": Snapshot.objects.filter(strategy__partnership=partnership).count(),
        "SnapshotItems": SnapshotAction.objects.filter(snapshot__strategy__partnership=partnership).count(),
        "Risks": 0,  # the register and the finance plan are empty in this plan's import
        "RiskScores": 0,
        "Mitigations": 0,
    }
    assert expected["Actions"] == 186 and expected["Benchmarks"] >= 1 and expected["SnapshotItems"] == 186
    assert set(service.entities) == set(expected)
    for name, count in expected.items():
        rows = service.query(service.entities[name]).all()
        assert len(rows) == count, name
        assert len({row.Id for row in rows}) == count, f"{name}: a page repeated or skipped rows"
    refs = {row.Ref for row in service.query(service.entities["Actions"]).all()}
    assert refs == set(Action.objects.filter(strategy=strategy).values_list("ref", flat=True))
    code = Indicator.objects.get(strategy=strategy, library_code="EHCP-20WK-EXC").code
    benchmarks = service.entities["Benchmarks"]
    [benchmark] = service.query(benchmarks).filter(benchmarks.KpiCode == code).filter(benchmarks.Period == "2025").all()
    assert (float(benchmark.England), float(benchmark.Region), benchmark.RegionName) == (46.1, 43.4, "North West")
    assert (benchmark.Rank, benchmark.Ranked, benchmark.NeighboursCounted) == (17, 23, 2)
    # Each value's Status is the scorecard's RAG of it, and the KPI's definition says why.
    kpis, values = service.entities["Kpis"], service.entities["KpiValues"]
    read = {row.Id: row.Status for row in service.query(values).all()}
    assert read == {v.pk: v.indicator.rag(v.value).value for v in KpiValue.objects.current().filter(indicator__strategy=strategy)}
    assert len(set(read.values())) > 1  # not one answer for every value
    [kpi] = service.query(kpis).filter(kpis.Code == code).all()
    defined = Indicator.objects.get(strategy=strategy, code=code)
    assert (kpi.Direction, kpi.Target, kpi.Tolerance) == (defined.direction, defined.target, defined.tolerance)


def test_another_partnerships_token_reads_none_of_the_one_plan(live_server, one_plan_with_kpis, other_partnership, outsider):
    token = api_token_create(partnership=other_partnership, name="Southshire BI", created_by=outsider)[1]
    service = client_for(live_server, token)
    for name in ["Actions", "Updates", "DeliveryGroups", "Kpis", "KpiValues", "Benchmarks", "Snapshots", "SnapshotItems"]:
        assert service.query(service.entities[name]).all() == [], name
