"""The demo's illustrative inspection: findings from the One Plan's own themes, linked to its actions, with evidence files."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from actions.models import Evidence
from governance.models import Finding, Inspection

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings, tmp_path):
    settings.DEBUG = True
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"

    def run() -> str:
        out = io.StringIO()
        call_command("seed_demo", stdout=out)
        return out.getvalue()

    return run


@pytest.fixture
def seeded(demo, demo_seeded):
    """The demo as seeding left it (in this test's folder of private files); `seeded()` starts seeding again."""
    return demo


def test_the_demo_records_an_illustrative_inspection_linked_to_the_one_plans_actions(seeded):
    inspection = Inspection.objects.get()
    assert inspection.is_illustrative and inspection.strategy.name == "SEND and AP One Plan 2025-2028"
    findings = {f.text.split(":")[1].split(",")[0].strip(): f for f in Finding.objects.all()}
    assert len(findings) == 3 and all(f.text.startswith("Illustrative:") for f in findings.values())
    refs = {f.kind + str(f.number): set(f.actions.values_list("ref", flat=True)) for f in findings.values()}
    assert refs == {
        "priority1": {"EHC-B1", "EHC-B4", "EHC-B5", "EHC-C1"},
        "improvement1": {"QA1", "QA4", "QA5", "EHC-C2"},
        "improvement2": {"FCA3", "FCA4", "EHC-C9", "SS1"},
    }
    assert all(f.indicators.count() == 2 for f in findings.values())
    files = Evidence.objects.filter(kind=Evidence.Kind.FILE).select_related("update__action")
    assert {e.update.action.ref for e in files} == {"EHC-B1", "QA1", "FCA4"}
    assert all(e.file.read().startswith(b"ILLUSTRATIVE DEMO EVIDENCE") for e in files)


def test_seeding_again_fills_only_what_is_empty(seeded):
    inspection = Inspection.objects.get()
    finding = inspection.findings.get(kind="priority")
    finding.text = "An officer's own wording."
    finding.save()
    finding.actions.clear()
    Inspection.objects.filter(pk=inspection.pk).update(notes="Edited by an officer.")
    seeded()
    assert Inspection.objects.count() == 1 and Finding.objects.count() == 3
    finding.refresh_from_db()
    assert finding.text == "An officer's own wording." and not finding.actions.exists()
    assert Inspection.objects.get().notes == "Edited by an officer."
    assert Evidence.objects.count() == 3


def test_the_demo_tags_the_plan_to_every_strand_and_drafts_a_self_evaluation_once(seeded):
    from governance import framework
    from governance.coverage import coverage_for
    from governance.models import SelfEvaluationVersion, StrandLink
    from governance.self_evaluation import self_evaluation_save

    strategy = Inspection.objects.get().strategy
    coverage = coverage_for(strategy)
    assert all(cover.rows for cover in coverage.strands)
    assert {link.strand for link in StrandLink.objects.all()} == set(framework.STRANDS_BY_CODE)
    # The draft from the tracker, then the officers' illustrative first words on it.
    draft, words = SelfEvaluationVersion.objects.order_by("number")
    assert "Actions:" in draft.sections.get(strand="E1").draft and words.number == 2

    StrandLink.objects.filter(strand="L6").delete()
    self_evaluation_save(strategy, user=None, base=2, texts={"E1": {"strengths": "An officer's own words"}})
    seeded()
    assert not StrandLink.objects.filter(strand="L6").exists()
    assert SelfEvaluationVersion.objects.count() == 3
    assert SelfEvaluationVersion.objects.get(number=3).sections.get(strand="E1").strengths == "An officer's own words"
