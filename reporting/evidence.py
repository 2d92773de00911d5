"""The evidence pack: for each finding, what was done, by whom and when, with the evidence behind it.

Two files: a tagged PDF (findings, their actions with every update, KPI
charts, and an index of evidence) and a ZIP of the evidence files and links
attached to the linked actions' updates. Files are read from private storage
by their stored name, never fetched by URL; the archive is written entry by
entry in chunks and stops adding files at `EVIDENCE_PACK_MAX_BYTES`.
"""

from __future__ import annotations

import re
import shutil
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from actions.models import ActionUpdate, Evidence, Strategy
from governance.inspections import InspectionFindings, findings_for
from intake.tables import cell_escape, csv_bytes
from kpis.charts import kpi_chart_svg
from reporting.report import pack_stylesheet

# Windows refuses these names for a file whatever its extension.
WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
NAME_LIMIT = 80  # characters per path component: well inside Windows' 260 for the whole path
CHUNK = 1024 * 1024


def safe_component(text: str, fallback: str = "file") -> str:
    """One path component that Windows, macOS and Linux all accept and show the same.

    ASCII letters, digits, dot, dash and underscore only (accents folded), no
    leading or trailing dots or spaces, no reserved device names, bounded length.
    """
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", folded)
    cleaned = re.sub(r"-{2,}", "-", cleaned).strip(".- _")
    stem, dot, suffix = cleaned.rpartition(".")
    if not dot:
        stem, suffix = cleaned, ""
    if stem.split(".")[0].upper() in WINDOWS_RESERVED:
        stem = f"_{stem}"
    suffix = suffix[:10]
    stem = stem[: NAME_LIMIT - len(suffix) - 1].rstrip(".- _") if suffix else stem[:NAME_LIMIT].rstrip(".- _")
    if not stem:
        stem = fallback
    return f"{stem}.{suffix}" if suffix else stem


@dataclass
class EvidenceEntry:
    """One piece of evidence as the index lists it."""

    evidence: Evidence
    update: ActionUpdate
    ref: str
    findings: list[str]
    archive_name: str = ""  # the file's name inside the ZIP ("" for a link or a file left out)
    left_out: str = ""  # why a file is not in the ZIP

    @property
    def is_link(self) -> bool:
        return self.evidence.kind == Evidence.Kind.LINK


def _author(update: ActionUpdate) -> str:
    if update.author is None:
        return "Imported from the plan"
    return update.author.get_full_name() or update.author.email


def evidence_pack_context(strategy: Strategy, finding_ids: list[int] | None) -> dict:
    """Everything the PDF and the ZIP need, read in a fixed number of queries."""
    # Only the inspections with findings in the pack: another inspection would be a page of its details and nothing else.
    inspections: list[InspectionFindings] = [item for item in findings_for(strategy, finding_ids) if item.findings]
    progress = [fp for item in inspections for fp in item.findings]
    action_ids = {row.action_id for fp in progress for row in fp.rows}
    updates = list(
        ActionUpdate.objects.filter(action_id__in=action_ids, action__strategy=strategy)
        .select_related("author", "rating_before", "rating_after", "action")
        .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.order_by("id"), to_attr="evidence_list"))
        .order_by("created_at", "id")
    )
    work: dict[int, list[ActionUpdate]] = {}
    for update in updates:
        update.author_label = _author(update)
        work.setdefault(update.action_id, []).append(update)
    findings_of_action: dict[int, list[str]] = {}
    for fp in progress:
        for row in fp.rows:
            findings_of_action.setdefault(row.action_id, []).append(fp.finding.label())
    entries = [
        EvidenceEntry(evidence=e, update=u, ref=u.action.ref, findings=findings_of_action.get(u.action_id, []))
        for u in updates
        for e in u.evidence_list
    ]
    _name_entries(entries)
    for fp in progress:
        fp.work = [(row, work.get(row.action_id, [])) for row in fp.rows]
        for kpi in fp.kpis:
            # kpi_chart_svg escapes every piece of text it writes.
            kpi.chart = mark_safe(kpi_chart_svg(kpi.indicator, kpi.row.values)) if kpi.row.values else ""
    return {
        "strategy": strategy,
        "partnership": strategy.partnership,
        "inspections": inspections,
        "finding_count": len(progress),
        "entries": entries,
        "generated_at": timezone.now(),
        "max_bytes": settings.EVIDENCE_PACK_MAX_BYTES,
    }


def _name_entries(entries: list[EvidenceEntry]) -> None:
    """Give every file its name in the archive: `<ref>/<ref>_<date>_<original name>`, unique, safe everywhere."""
    used: set[str] = set()
    for entry in entries:
        if entry.is_link:
            continue
        ref = safe_component(entry.ref, "action")
        day = timezone.localtime(entry.update.created_at).date().isoformat()
        name = safe_component(f"{ref}_{day}_{entry.evidence.original_name or Path(entry.evidence.file.name).name}")
        stem, dot, suffix = name.rpartition(".")
        if not dot:
            stem, suffix = name, ""
        candidate, n = f"{ref}/{name}", 2
        while candidate.casefold() in used:  # Windows and macOS compare names without case
            candidate = f"{ref}/{stem}-{n}{dot}{suffix}"
            n += 1
        used.add(candidate.casefold())
        entry.archive_name = candidate


def evidence_pack_html(context: dict) -> str:
    return render_to_string("reporting/pdf/evidence_pack.html", {**context, "pack_css": pack_stylesheet()})


def _index_table(entries: list[EvidenceEntry]) -> list[list[str]]:
    table = [["Action ref", "Findings", "Update date", "Recorded by", "Kind", "File in this archive or link", "Original name", "Note"]]
    for e in entries:
        table.append(
            [
                e.ref,
                "; ".join(e.findings),
                timezone.localtime(e.update.created_at).date().isoformat(),
                e.update.author_label,
                e.evidence.get_kind_display(),
                e.evidence.url if e.is_link else e.archive_name,
                e.evidence.original_name,
                e.left_out,
            ]
        )
    return table


def evidence_zip_write(entries: list[EvidenceEntry], path: Path) -> tuple[int, int]:
    """Write the archive to `path`: each file copied in chunks from private storage, within the size limit.

    Returns (files included, files left out). Files that would take the
    archive past the limit, or that are no longer stored, are left out and
    say so in the index.
    """
    limit = settings.EVIDENCE_PACK_MAX_BYTES
    included = left_out = 0
    total = 0
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        for entry in entries:
            if entry.is_link:
                continue
            size = entry.evidence.size or 0
            if total + size > limit:
                entry.left_out, entry.archive_name = "Left out: the archive would be over its size limit", ""
                left_out += 1
                continue
            try:
                source = entry.evidence.file.storage.open(entry.evidence.file.name, "rb")
            except FileNotFoundError:
                entry.left_out, entry.archive_name = "Left out: the file is no longer stored", ""
                left_out += 1
                continue
            info = zipfile.ZipInfo(entry.archive_name, date_time=_zip_time(entry))
            info.compress_type = zipfile.ZIP_DEFLATED
            with source, archive.open(info, "w", force_zip64=True) as target:
                shutil.copyfileobj(source, target, CHUNK)
            total += size
            included += 1
        index = [[cell_escape(cell) for cell in row] for row in _index_table(entries)]
        archive.writestr("index-of-evidence.csv", csv_bytes(index))
    return included, left_out


def _zip_time(entry: EvidenceEntry) -> tuple[int, int, int, int, int, int]:
    when = timezone.localtime(entry.update.created_at)
    return (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)
