"""The priority action plan: for each area for priority action of the latest full inspection, the actions that answer it
(owners, due dates, where they stand) and the KPIs that measure its impact, as Word and as a tagged PDF."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils import timezone

from actions.models import Milestone, Strategy
from actions.rows import ActionRow
from governance.cycle import PlanDue, priority_action_plan_due
from governance.inspections import FindingProgress, findings_for
from governance.models import Finding, Inspection
from reporting.word import clean_text, word_document

# A document stays readable (and is written in bounded time) however many actions answer an area: it lists the
# most urgent this many, and says how many more the findings page lists.
PLAN_ROWS_PER_AREA = 150
TEXT_MAX_CHARS = 600


@dataclass
class PriorityActionPlan:
    strategy: Strategy
    inspection: Inspection
    findings: list[FindingProgress]
    due: PlanDue | None = None
    milestones: dict[int, list[Milestone]] = field(default_factory=dict)  # each listed action's, in its order

    def areas(self) -> list[tuple[FindingProgress, list[tuple[ActionRow, list[str], str]], int]]:
        """Each area with the actions the document lists (the first PLAN_ROWS_PER_AREA), each with its milestones as the
        plan words them (`milestone_line`) and where it stands (`where_it_stands`), and how many it leaves out."""
        return [
            (
                p,
                [
                    (row, [milestone_line(m) for m in self.milestones.get(row.action_id, [])], where_it_stands(row))
                    for row in p.rows[:PLAN_ROWS_PER_AREA]
                ],
                len(p.rows[PLAN_ROWS_PER_AREA:]),
            )
            for p in self.findings
        ]


def where_it_stands(row: ActionRow) -> str:
    """An action's rating and its flags, as the plan's PDF and Word copy both say it: "Amber, on track but overdue"."""
    return ", ".join([row.rating.label if row.rating else "Not rated", *(flag.lower() for flag in row.flags)])


def milestone_line(milestone: Milestone) -> str:
    """A milestone as the plan lists it: "Pilot in two schools – due June 2026, done"."""
    return clean_text(f"{milestone.title} – due {milestone.due_label()}" + (", done" if milestone.done_at else ""))


def _short(text: str) -> str:
    text = clean_text(text)
    return text if len(text) <= TEXT_MAX_CHARS else text[: TEXT_MAX_CHARS - 1].rstrip() + "…"


def priority_action_plan_for(strategy: Strategy) -> PriorityActionPlan | None:
    """The plan for the newest inspection with areas for priority action; None when no inspection has any."""
    for item in findings_for(strategy):
        priority = [f for f in item.findings if f.finding.kind == Finding.Kind.PRIORITY]
        if priority:
            due = priority_action_plan_due(strategy, timezone.localdate())
            listed = {row.action_id for progress in priority for row in progress.rows[:PLAN_ROWS_PER_AREA]}
            milestones: dict[int, list[Milestone]] = {}
            for milestone in Milestone.objects.filter(action_id__in=listed).order_by("action_id", "position", "id"):
                milestones.setdefault(milestone.action_id, []).append(milestone)
            return PriorityActionPlan(
                strategy=strategy,
                inspection=item.inspection,
                findings=priority,
                due=due if due and due.inspection == item.inspection else None,
                milestones=milestones,
            )
    return None


def _intro(plan: PriorityActionPlan) -> str:
    inspection = plan.inspection
    kind = inspection.get_kind_display().lower()
    said = f"Answering the areas for priority action of the {kind} that ended on {inspection.ended_on:%-d %B %Y}."
    if plan.due and plan.due.submitted_on:
        said += f" Submitted on {plan.due.submitted_on:%-d %B %Y} (due by {plan.due.due:%-d %B %Y})."
    elif plan.due:
        said += f" Due by {plan.due.due:%-d %B %Y}. {plan.due.note}"
    if inspection.is_illustrative:
        said += " Illustrative: this inspection is made up for the demo and is not a published report."
    return said


def priority_action_plan_docx(plan: PriorityActionPlan) -> bytes:
    document = word_document(f"Priority action plan: {plan.strategy.name}", plan.strategy.partnership.name)
    document.add_heading(clean_text(f"Priority action plan: {plan.strategy.name}"), level=0)
    document.add_paragraph(clean_text(f"{plan.strategy.partnership.name}. {_intro(plan)}"))  # as the PDF opens
    for progress, rows, left_out in plan.areas():
        document.add_heading(progress.finding.label(), level=1)
        document.add_paragraph(clean_text(progress.finding.text))
        document.add_heading("Actions, owners and milestones", level=2)
        if rows:
            table = _docx_table(document, ("Action", "Owners", "Due", "Where it stands"))
            for row, milestones, where in rows:
                cells = table.add_row().cells
                cells[0].text = _short(f"{row.ref} {row.text}")
                if milestones:
                    cells[0].add_paragraph("Milestones:")
                    for line in milestones:
                        cells[0].add_paragraph(line, style="List Bullet")
                cells[1].text = clean_text(row.owners_text or "To be allocated")
                cells[2].text = clean_text(row.due_text or (f"{row.due_date:%B %Y}" if row.due_date else "To be determined"))
                cells[3].text = clean_text(where)
                _laid_out(table.rows[-1])
            if left_out:
                document.add_paragraph(f"And {left_out:,} more actions: the tracker's findings page lists every one.")
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
                        + (
                            f"{kpi.indicator.format(at.value)} at the inspection ({at.period_label})"
                            if at
                            else "no value at the inspection"
                        )
                        + (f"; {kpi.indicator.format(latest.value)} now ({latest.period_label})" if latest else "")
                        + f"; target {kpi.indicator.target_label()}"
                    ),
                    style="List Bullet",
                )
        else:
            document.add_paragraph("No KPI measures this area yet.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# The table's columns on the page (6.27 inches between an A4 page's margins): the action's words take about half, as in
# the PDF, and a due month ("December 2026") fits on one line.
COLUMN_INCHES = (3.0, 1.2, 1.0, 1.05)


def _laid_out(row) -> None:
    """A body row at the plan's column widths, kept whole: Word moves it to the next page rather than split it there."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Inches

    for cell, inches in zip(row.cells, COLUMN_INCHES, strict=True):
        cell.width = Inches(inches)
    whole = OxmlElement("w:cantSplit")
    whole.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(whole)


def _docx_table(document, headings: tuple[str, ...]):
    """A table with the plan's column widths and a bold header row that Word repeats at the top of each page."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Inches

    table = document.add_table(rows=1, cols=len(headings))
    table.style = "Table Grid"
    table.autofit = False
    for column, inches in zip(table.columns, COLUMN_INCHES, strict=True):
        column.width = Inches(inches)
    header = table.rows[0]
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header._tr.get_or_add_trPr().append(repeat)
    for cell, text in zip(header.cells, headings, strict=True):
        cell.paragraphs[0].add_run(text).bold = True
    _laid_out(header)
    return table


def priority_action_plan_pdf(plan: PriorityActionPlan) -> bytes:
    html = render_to_string("reporting/pdf/priority_action_plan.html", {"plan": plan, "intro": _intro(plan)})
    from reporting.pdf import render_pdf  # a heavy library, loaded at the first render rather than at every start-up

    return render_pdf(html).content
