"""A partnership's whole plan exports in the import formats and re-imports into an empty partnership with nothing lost."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils.text import slugify

from actions.models import Action, DeliveryGroup
from kpis.models import Indicator, KpiValue
from people.models import Partnership, Post
from tests.conftest import FIXTURES

RESTORED = "Restored SEND Partnership"


@pytest.fixture
def one_plan_with_kpis(one_plan):
    """The One Plan with its KPIs and values, loaded as `seed_demo` loads them."""
    kpis = FIXTURES / "kpis" / "cheshire-east"
    call_command("load_kpis", f"{kpis}-kpis.csv", strategy=one_plan.name, stdout=io.StringIO())
    call_command("import_kpi_values", f"{kpis}-kpi-values.csv", strategy=one_plan.name, stdout=io.StringIO())
    return one_plan


def export(partnership_name: str, out) -> None:
    call_command("export_partnership", partnership=partnership_name, out=str(out), stdout=io.StringIO())


def restore(folder, partnership_name: str) -> None:
    details = json.loads((folder / "plan.json").read_text(encoding="utf-8"))
    name, quiet = details["strategy"], {"stdout": io.StringIO()}
    call_command(
        "import_plan",
        str(folder / "actions.csv"),
        strategy=name,
        partnership=partnership_name,
        scheme=details["scheme"],
        details=str(folder / "plan.json"),
        **quiet,
    )
    call_command("load_kpis", str(folder / "kpis.csv"), strategy=name, partnership=partnership_name, **quiet)
    call_command("import_kpi_values", str(folder / "kpi-values.csv"), strategy=name, partnership=partnership_name, **quiet)


def everything(partnership: Partnership) -> dict:
    """What a partnership's plan says, with no database ids: two partnerships holding the same plan compare equal."""
    strategy = partnership.strategies.get()

    def group_key(g: DeliveryGroup) -> tuple:
        return (g.priority.name, g.parent.name if g.parent else "", g.name)

    groups = DeliveryGroup.objects.filter(strategy=strategy).select_related("priority", "parent", "lead")
    actions = Action.objects.filter(strategy=strategy).select_related("rating", "group__priority", "group__parent")
    indicators = Indicator.objects.filter(strategy=strategy).prefetch_related("delivery_groups__priority", "delivery_groups__parent")
    return {
        "strategy": (strategy.name, strategy.scheme.code, strategy.period_start, strategy.period_end, strategy.ratings_as_at),
        "organisations": sorted(partnership.organisations.values_list("name", "kind")),
        "posts": sorted(Post.objects.filter(partnership=partnership).values_list("title", "organisation__name")),
        "boards": list(partnership.boards.values_list("name", "purpose", "chair_role", "cadence", "position")),
        "priorities": list(strategy.priorities.values_list("name", "position", "description")),
        "groups": sorted(
            (
                group_key(g),
                g.position,
                g.lead.title if g.lead else "",
                g.what_needs_to_improve,
                g.areas_for_improvement,
                g.how_we_will_assess,
                g.what_we_will_see,
                g.delivered_to_date,
            )
            for g in groups
        ),
        "actions": sorted(
            (
                a.ref,
                a.text,
                group_key(a.group),
                tuple(sorted(a.owners.values_list("title", flat=True))),
                a.due_date,
                a.due_precision,
                a.due_text,
                a.rating.code,
                a.notes,
                a.position,
            )
            for a in actions
        ),
        "kpis": sorted(
            (
                i.code,
                i.name,
                i.description,
                i.unit,
                i.direction,
                i.frequency,
                i.source,
                i.source_detail,
                i.baseline_value,
                i.baseline_period,
                i.target,
                i.tolerance,
                i.stretch_aim,
                i.notes,
                i.position,
                tuple(sorted(group_key(g) for g in i.delivery_groups.all())),
            )
            for i in indicators
        ),
        "kpi_values": sorted(
            KpiValue.objects.current()
            .filter(indicator__strategy=strategy)
            .values_list("indicator__code", "period", "period_start", "value", "england", "region", "statistical_neighbours", "note")
        ),
    }


def test_the_one_plan_and_its_kpis_round_trip_with_nothing_lost(one_plan_with_kpis, tmp_path):
    original = one_plan_with_kpis.partnership
    export(original.name, tmp_path / "export")
    folder = tmp_path / "export" / slugify(one_plan_with_kpis.name)
    assert sorted(p.name for p in folder.iterdir()) == ["actions.csv", "kpi-values.csv", "kpis.csv", "plan.json"]

    restore(folder, RESTORED)

    before, after = everything(original), everything(Partnership.objects.get(name=RESTORED))
    assert len(after["actions"]) == 186 and len(after["kpis"]) > 0 and len(after["kpi_values"]) > 0
    for part in before:
        assert after[part] == before[part], part
    # And the restored partnership exports to the same files, but for its name.
    export(RESTORED, tmp_path / "again")
    again = tmp_path / "again" / slugify(one_plan_with_kpis.name)
    for name in ["actions.csv", "kpis.csv", "kpi-values.csv"]:
        assert (again / name).read_bytes() == (folder / name).read_bytes(), name
    restored_details = json.loads((again / "plan.json").read_text())
    assert restored_details | {"partnership": original.name} == json.loads((folder / "plan.json").read_text())


def test_the_export_uses_the_fixture_formats(one_plan_with_kpis, tmp_path):
    export(one_plan_with_kpis.partnership.name, tmp_path)
    folder = tmp_path / slugify(one_plan_with_kpis.name)
    fixture_header = (FIXTURES / "kpis" / "cheshire-east-kpis.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert (folder / "kpis.csv").read_text(encoding="utf-8-sig").splitlines()[0] == fixture_header
    values_header = (FIXTURES / "kpis" / "cheshire-east-kpi-values.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert (folder / "kpi-values.csv").read_text(encoding="utf-8-sig").splitlines()[0] == values_header
    plan_header = (FIXTURES / "cheshire-east-one-plan" / "actions.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert (folder / "actions.csv").read_text(encoding="utf-8-sig").splitlines()[0] == plan_header
    fixture_keys = set(json.loads((FIXTURES / "cheshire-east-one-plan" / "plan.json").read_text()))
    assert set(json.loads((folder / "plan.json").read_text())) <= fixture_keys


def test_an_unknown_partnership_is_a_clear_error(db, tmp_path):
    with pytest.raises(CommandError, match="There is no partnership called 'Nowhere'"):
        export("Nowhere", tmp_path)
