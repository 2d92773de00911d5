"""Board packs and evidence packs: each row is a background job (jobs.models.Job) and, once produced, its files."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from actions.models import Snapshot, Strategy
from governance.models import Finding, Meeting
from jobs.models import Job


class BoardReport(Job):
    """A request for a board pack and, once rendered, the pack itself."""

    task_name = "reporting.tasks.render_board_report"
    time_limit = settings.CELERY_TASK_TIME_LIMIT
    noun = "The pack"

    class Stage(models.TextChoices):
        """Where a render has got to, for the page that watches it."""

        WAITING = "", "Waiting to start"
        READING = "reading", "Reading the snapshot"
        LAYING_OUT = "laying_out", "Laying out the pages"
        WRITING = "writing", "Writing and tagging the PDF"

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="board_reports")
    snapshot = models.ForeignKey(Snapshot, on_delete=models.PROTECT, related_name="board_reports")
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="board_reports")
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.WAITING, blank=True)
    file_name = models.CharField(max_length=200, blank=True, help_text="Under PRIVATE_MEDIA_ROOT/board-reports/.")
    page_count = models.PositiveIntegerField(null=True, blank=True)
    render_seconds = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    for_decision = models.TextField(blank=True, help_text="What the officer asks the board to decide, one item a line.")

    class Meta:
        db_table = "governance_boardreport"  # made when packs belonged to governance; the table kept its name
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"Board pack for {self.snapshot} ({self.get_status_display()})"

    def download_name(self) -> str:
        """A filename made by the server alone: no user text reaches the header."""
        return f"board-pack-{self.snapshot.as_at:%Y-%m-%d}-{self.pk}.pdf"


class EvidencePack(Job):
    """A request for an evidence pack (one finding, or all of a strategy's) and, once produced, its PDF and ZIP."""

    task_name = "reporting.tasks.produce_evidence_pack"
    time_limit = 600
    noun = "The evidence pack"

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="evidence_packs")
    finding = models.ForeignKey(Finding, null=True, blank=True, on_delete=models.SET_NULL, related_name="evidence_packs")
    pdf_name = models.CharField(max_length=200, blank=True, help_text="Under PRIVATE_MEDIA_ROOT/evidence-packs/.")
    zip_name = models.CharField(max_length=200, blank=True, help_text="Under PRIVATE_MEDIA_ROOT/evidence-packs/.")
    page_count = models.PositiveIntegerField(null=True, blank=True)
    file_count = models.PositiveIntegerField(null=True, blank=True)
    left_out_count = models.PositiveIntegerField(null=True, blank=True, help_text="Files left out to keep the archive within its size.")
    zip_bytes = models.PositiveBigIntegerField(null=True, blank=True)
    render_seconds = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)

    class Meta:
        db_table = "governance_evidencepack"  # made when packs belonged to governance; the table kept its name
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"Evidence pack {self.pk} ({self.get_status_display()})"

    def scope_label(self) -> str:
        return self.finding.label() if self.finding_id else "All findings"

    def download_name(self, extension: str) -> str:
        """A filename made by the server alone: no user text reaches the header."""
        produced = timezone.localtime(self.finished_at or self.requested_at)
        scope = f"finding-{self.finding_id}" if self.finding_id else "all-findings"
        return f"evidence-pack-{scope}-{produced:%Y-%m-%d}-{self.pk}.{extension}"


class DocumentExport(Job):
    """A request for a self-evaluation or priority action plan document (Word or PDF) and, once written, the file."""

    task_name = "reporting.tasks.produce_document"
    time_limit = 600
    noun = "The document"

    class Kind(models.TextChoices):
        SELF_EVALUATION = "self_evaluation", "Self-evaluation"
        PRIORITY_ACTION_PLAN = "priority_action_plan", "Priority action plan"

    class Format(models.TextChoices):
        DOCX = "docx", "Word"
        PDF = "pdf", "PDF"

    class Stage(models.TextChoices):
        """Where the writing has got to, for the page that watches it."""

        WAITING = "", "Waiting to start"
        READING = "reading", "Reading the tracker's figures"
        WRITING = "writing", "Writing the document"

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="document_exports")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    file_format = models.CharField(max_length=4, choices=Format.choices)
    version_number = models.PositiveIntegerField(null=True, blank=True, help_text="The self-evaluation's version.")
    stage = models.CharField(max_length=10, choices=Stage.choices, default=Stage.WAITING, blank=True)
    file_name = models.CharField(max_length=200, blank=True, help_text="Under PRIVATE_MEDIA_ROOT/documents/.")
    byte_size = models.PositiveBigIntegerField(null=True, blank=True)
    render_seconds = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"{self.title()} ({self.get_status_display()})"

    def title(self) -> str:
        version = f", version {self.version_number}" if self.version_number else ""
        return f"{self.get_kind_display()}{version} as {self.get_file_format_display()}"

    def content_type(self) -> str:
        if self.file_format == self.Format.PDF:
            return "application/pdf"
        return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

    def download_name(self) -> str:
        """A filename made by the server alone: no user text reaches the header."""
        name = self.kind.replace("_", "-")
        version = f"-v{self.version_number}" if self.version_number else ""
        return f"{name}-{self.strategy_id}{version}-{self.pk}.{self.file_format}"
