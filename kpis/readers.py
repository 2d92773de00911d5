"""The KPI sources the intake pipeline reads: values, definitions and open-data benchmarks."""

from __future__ import annotations

from typing import Any

from intake.readers import Applied, Reader, register
from kpis.forms import BenchmarkFileForm, KpiUploadForm
from kpis.importers import Loaded, indicators_apply, indicators_read, kpi_values_apply, kpi_values_read
from kpis.models import BenchmarkImport, KpiValueImport
from kpis.open_data import BenchmarkChanges, benchmarks_apply, benchmarks_read


class _KpiReader(Reader):
    done_url_name = "kpis:scorecard"
    done_label = "KPI scorecard"


@register
class KpiValuesReader(_KpiReader):
    name = "kpi-values"
    title = "Upload KPI values"
    what = "KPI values"
    done_verb = "added"
    record = KpiValueImport
    form_class = KpiUploadForm
    officer_does = "upload KPI values"
    preview_heading = "Check the KPI values"
    applied_heading = "Added"
    confirm_label = "Add these values"
    intro_template = "kpis/intake.html#values-intro"
    changes_template = "kpis/intake.html#values-changes"
    event = "kpi_value_import"
    upload_url_name = "kpis:kpi_upload"
    preview_url_name = "kpis:kpi_upload_preview"
    confirm_url_name = "kpis:kpi_upload_confirm"
    reads = staticmethod(kpi_values_read)

    def apply(self, changes: Loaded, *, user: Any, strategy: Any, upload: Any, choices: dict) -> Applied:
        kpi_values_apply(changes)
        message = f"Added {changes.created} KPI value{'s' if changes.created != 1 else ''} from {upload.filename}."
        return Applied(message, changes.summary(), {"created": changes.created})


@register
class KpiDefinitionsReader(_KpiReader):
    name = "kpi-definitions"
    title = "Load KPI definitions"
    what = "KPI definitions"
    done_verb = "loaded"
    form_hint = (
        "A CSV (UTF-8) or Excel (.xlsx) file with one row per KPI: code, name, unit, direction and frequency, and optionally "
        "description, delivery_groups, source, source_detail, baseline_value, baseline_period, target, tolerance, stretch_aim and notes."
    )
    officer_does = "define KPIs"
    preview_heading = "Check the KPI definitions"
    applied_heading = "Loaded"
    confirm_label = "Load these KPIs"
    changes_template = "kpis/intake.html#definitions-changes"
    reads = staticmethod(indicators_read)

    def apply(self, changes: Loaded, *, user: Any, strategy: Any, upload: Any, choices: dict) -> Applied:
        indicators_apply(changes, strategy)
        message = f"Loaded KPIs from {upload.filename}: {changes.created} new, {changes.updated} changed, {changes.unchanged} unchanged."
        return Applied(message, changes.summary())


@register
class OpenDataReader(_KpiReader):
    name = "open-data"
    title = "Read benchmarks"
    heading = "Read benchmarks from Explore Education Statistics"
    what = "figures"
    record = BenchmarkImport
    form_class = BenchmarkFileForm
    accept = (".csv",)
    max_bytes_setting = "BENCHMARK_IMPORT_MAX_BYTES"
    officer_does = "add library measures and read benchmarks"
    preview_heading = "Check what will be added"
    confirm_label = "Add these figures"
    intro_template = "kpis/intake.html#open-data-intro"
    problems_help_template = "kpis/intake.html#open-data-help"
    changes_template = "kpis/intake.html#open-data-changes"
    conflict = "Someone else imported figures for these periods at the same moment: upload the file again to see what is left."
    event = "benchmark_import"
    upload_url_name = "kpis:benchmarks_upload"
    preview_url_name = "kpis:benchmarks_preview"
    confirm_url_name = "kpis:benchmarks_confirm"
    reads = staticmethod(benchmarks_read)

    def keep_fields(self, changes: BenchmarkChanges) -> dict:
        return {"authorities": changes.authorities}

    def apply(self, changes: BenchmarkChanges, *, user: Any, strategy: Any, upload: Any, choices: dict) -> Applied:
        benchmarks_apply(changes, user=user, strategy=strategy)
        summary = changes.summary()
        message = f"Imported {upload.filename}: {summary['new_values']} new values and {summary['new_benchmarks']} new benchmarks."
        return Applied(message, summary, {"values": summary["new_values"]})
