"""The priority action plan: for each area for priority action of the latest full inspection, the actions that answer it
(owners, due dates, where they stand) and the KPIs that measure its impact, as Word and as a tagged PDF."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.template.loader import render_to_string
from docx import Document

from actions.models import Strategy
from governance.inspections import FindingProgress, findings_for
from governance.models import Finding, Inspection
from reporting.self_evaluation_docs import clean_text


@dataclass
class PriorityActionPlan:
    strategy: Strategy
    inspection: Inspection
    findings: list[FindingProgress]


def priority_action_plan_for(strategy: Strategy) -> PriorityActionPlan | None:
    """The plan for the newest inspection with areas for priority action; None when no inspection has any."""
    for item in findings_for(strategy):
        priority = [f for f in item.findings if f.finding.kind == Finding.Kind.PRIORITY]
        if priority:
            return PriorityActionPlan(strategy=strategy, inspection=item.inspection, findings=priority)
    return None


def _intro(plan: PriorityActionPlan) -> str:
    inspection = plan.inspection
    kind = inspection.get_kind_display().lower()
    said = f"Answering the areas for priority action of the {kind} that ended on {inspection.ended_on:%-d %B %Y}."
    if inspection.is_illustrative:
        said += " Illustrative: this inspection is made up for the demo and is not a published report."
    return said


def priority_action_plan_docx(plan: PriorityActionPlan) -> bytes:
    document = Document()
    document.core_properties.title = clean_text(f"Priority action plan: {plan.strategy.name}")[:255]
    document.add_heading(clean_text(f"Priority action plan: {plan.strategy.name}"), level=0)
    document.add_paragraph(_intro(plan))
    for progress in plan.findings:
        document.add_heading(progress.finding.label(), level=1)
        document.add_paragraph(clean_text(progress.finding.text))
        document.add_heading("Actions, owners and milestones", level=2)
        if progress.rows:
            table = document.add_table(rows=1, cols=4)
            table.style = "Table Grid"
            for cell, text in zip(table.rows[0].cells, ("Action", "Owners", "Due", "Where it stands"), strict=True):
                cell.text = text
            for row in progress.rows:
                where = row.rating.label if row.rating else "Not rated"
                if row.flags:
                    where += " (" + ", ".join(row.flags).lower() + ")"
                cells = table.add_row().cells
                cells[0].text = clean_text(f"{row.ref} {row.text}")
                cells[1].text = clean_text(row.owners_text or "To be allocated")
                cells[2].text = clean_text(row.due_text or (f"{row.due_date:%B %Y}" if row.due_date else "To be determined"))
                cells[3].text = clean_text(where)
        else:
            document.add_paragraph("No action answers this area yet.")
        document.add_paragraph(progress.summary())
        document.add_heading("Measures of impact", level=2)
        if progress.kpis:
            for kpi in progress.kpis:
                latest = kpi.row.latest
                at = kpi.at_inspection
                document.add_paragraph(
                    clean_text(
                        f"{kpi.indicator.code} {kpi.indicator.name}: "
                        + (f"{kpi.indicator.format(at.value)} at the inspection ({at.period})" if at else "no value at the inspection")
                        + (f"; {kpi.indicator.format(latest.value)} now ({latest.period})" if latest else "")
                        + f"; target {kpi.indicator.target_label()}"
                    ),
                    style="List Bullet",
                )
        else:
            document.add_paragraph("No KPI measures this area yet.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def priority_action_plan_pdf(plan: PriorityActionPlan) -> bytes:
    html = render_to_string("reporting/pdf/priority_action_plan.html", {"plan": plan, "intro": _intro(plan)})
    from reporting.pdf import render_pdf  # a heavy library, loaded at the first render rather than at every start-up

    return render_pdf(html).content
