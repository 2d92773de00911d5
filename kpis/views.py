from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from actions.access import get_strategy_for_user
from kpis.access import can_enter_values, get_indicator_for_user, get_kpi_value_for_user
from kpis.charts import kpi_chart_svg
from kpis.forms import BenchmarkFileForm, BenchmarkingSettingsForm, IndicatorForm, KpiUploadForm, KpiValueForm, LibraryMeasureForm
from kpis.importers import kpi_values_import
from kpis.library import AlreadyOnScorecardError, library_measure_add, measures
from kpis.models import Benchmark, BenchmarkImport, Indicator, KpiValue, KpiValueImport, Rag
from kpis.open_data import benchmarks_apply, benchmarks_read
from kpis.scorecard import ScorecardRow, indicators_with_values, strategy_scorecard
from kpis.services import kpi_value_correct, kpi_value_enter
from people.access import officer_required
from people.models import Partnership
from send_tracker.security import rate_limited, security_event


@login_required
def scorecard(request: HttpRequest, strategy_id: int) -> HttpResponse:
    strategy, membership = get_strategy_for_user(request.user, strategy_id)
    rag = request.GET.get("rag", "")
    if rag not in Rag.values:
        rag = ""
    sections, counts, total = strategy_scorecard(strategy, rag)
    filters = [("", "All KPIs", total)] + [(choice.value, choice.label, counts[choice.value]) for choice in Rag]
    return render(
        request,
        "kpis/scorecard.html",
        {"strategy": strategy, "membership": membership, "sections": sections, "rag": rag, "filters": filters, "total": total},
    )


def _detail_context(request: HttpRequest, indicator: Indicator, membership, form: KpiValueForm | None = None) -> dict:
    indicator = indicators_with_values(Indicator.objects.filter(pk=indicator.pk)).select_related("strategy__partnership").get()
    row = ScorecardRow(indicator, list(indicator.current_values), list(indicator.benchmark_rows))
    may_enter = can_enter_values(request.user, membership, indicator)
    corrections = KpiValue.objects.filter(indicator=indicator, corrects__isnull=False).select_related("entered_by", "corrects__entered_by")
    return {
        "indicator": indicator,
        "strategy": indicator.strategy,
        "membership": membership,
        "row": row,
        "chart": mark_safe(kpi_chart_svg(indicator, row.values, region_name=row.region_name)),  # the chart escapes all text itself
        "corrections": corrections.order_by("-period_start", "-entered_at"),
        "may_enter": may_enter,
        "form": form if form is not None else (KpiValueForm(indicator=indicator) if may_enter else None),
    }


@login_required
def indicator_detail(request: HttpRequest, indicator_id: int) -> HttpResponse:
    indicator, membership = get_indicator_for_user(request.user, indicator_id)
    return render(request, "kpis/indicator_detail.html", _detail_context(request, indicator, membership))


@login_required
def indicator_chart(request: HttpRequest, indicator_id: int) -> HttpResponse:
    """The KPI's trend chart as a standalone SVG file."""
    indicator, _membership = get_indicator_for_user(request.user, indicator_id)
    values = list(KpiValue.objects.current().filter(indicator=indicator).order_by("period_start", "id"))
    row = ScorecardRow(indicator, values, list(Benchmark.objects.filter(indicator=indicator).order_by("period_start")))
    response = HttpResponse(kpi_chart_svg(indicator, values, region_name=row.region_name), content_type="image/svg+xml; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{indicator.pk}-trend.svg"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def value_add(request: HttpRequest, indicator_id: int) -> HttpResponse:
    indicator, membership = get_indicator_for_user(request.user, indicator_id)
    if not can_enter_values(request.user, membership, indicator):
        raise PermissionDenied("Only programme officers and the KPI's owners enter its values.")
    form = KpiValueForm(request.POST, indicator=indicator)
    if form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                kpi_value_enter(indicator=indicator, entered_by=request.user, **data)
        except IntegrityError:
            # Someone else entered the same period between the check and the save.
            form.add_error("period", f"There is already a value for {data['period']}. To change it, correct that value and give a reason")
        else:
            message = f"Value for {data['period']} saved"
            if not request.htmx:
                messages.success(request, message)
                return redirect(indicator)
            context = _detail_context(request, indicator, membership)
            context["saved"] = message
            return render(request, "kpis/indicator_detail.html#values-panel", context)
    template = "kpis/indicator_detail.html#values-panel" if request.htmx else "kpis/indicator_detail.html"
    return render(request, template, _detail_context(request, indicator, membership, form))


@login_required
def value_correct(request: HttpRequest, value_id: int) -> HttpResponse:
    original, membership = get_kpi_value_for_user(request.user, value_id)
    indicator = original.indicator
    if not can_enter_values(request.user, membership, indicator):
        raise PermissionDenied("Only programme officers and the KPI's owners correct its values.")
    if original.is_superseded:
        messages.info(request, f"The value for {original.period} has already been corrected: correct the latest value instead.")
        return redirect(indicator)
    initial = {f: getattr(original, f) for f in ["value", "england", "region", "statistical_neighbours", "note"]}
    form = KpiValueForm(request.POST or None, indicator=indicator, correcting=original, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            kpi_value_correct(original=original, entered_by=request.user, **form.cleaned_data)
        except ValueError as exc:
            messages.info(request, str(exc))
        else:
            messages.success(request, f"Value for {original.period} corrected")
        return redirect(indicator)
    return render(
        request, "kpis/value_correct.html", {"indicator": indicator, "strategy": indicator.strategy, "original": original, "form": form}
    )


def _officer_strategy(request: HttpRequest, strategy_id: int, what: str = "add library measures and read benchmarks"):
    """A strategy whose KPIs the signed-in officer maintains: 404 outside the partnership, 403 for other roles."""
    strategy, membership = get_strategy_for_user(request.user, strategy_id)
    officer_required(membership, what)
    return strategy


def _officer_benchmark_import(request: HttpRequest, import_id: int) -> BenchmarkImport:
    kept = BenchmarkImport.objects.select_related("strategy__partnership", "uploaded_by").filter(pk=import_id).first()
    if kept is None:
        raise Http404("No such import.")
    _officer_strategy(request, kept.strategy_id)
    return kept


@login_required
def library(request: HttpRequest, strategy_id: int) -> HttpResponse:
    """The KPI library: officers add a standard measure to the scorecard, with its target, in one step."""
    strategy = _officer_strategy(request, strategy_id)
    form = LibraryMeasureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            indicator = library_measure_add(
                strategy=strategy, measure=form.measure, target=form.cleaned_data["target"], tolerance=form.cleaned_data["tolerance"]
            )
        except AlreadyOnScorecardError as exc:
            form.add_error("measure", str(exc))
        else:
            messages.success(request, f"{indicator.name} added to the scorecard with the target {indicator.target_label()}")
            return redirect(indicator)
    taken = set(strategy.indicators.exclude(library_code="").values_list("library_code", flat=True))
    status = 422 if form.errors else 200
    return render(
        request,
        "kpis/library.html",
        {"strategy": strategy, "measures": measures(), "taken": taken, "form": form, "failed": form.data.get("measure", "")},
        status=status,
    )


@login_required
@rate_limited("import", what="file imports")
def benchmarks_upload(request: HttpRequest, strategy_id: int) -> HttpResponse:
    """Officers upload an Explore Education Statistics file; nothing changes until they confirm the preview."""
    strategy = _officer_strategy(request, strategy_id)
    form = BenchmarkFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            content = upload.read()
            changes = benchmarks_read(content, upload.name, strategy)
            kept = BenchmarkImport.objects.create(
                strategy=strategy,
                uploaded_by=request.user,
                filename=upload.name[:255],
                content=content,
                status=BenchmarkImport.Status.PREVIEWED if changes.ok else BenchmarkImport.Status.REJECTED,
                summary=changes.summary(),
                authorities=changes.authorities,
            )
            return redirect("kpis:benchmarks_preview", import_id=kept.pk)
    context = {"strategy": strategy, "form": form, "partnership": strategy.partnership}
    return render(request, "kpis/benchmarks_upload.html", context, status=422 if form.errors else 200)


@login_required
def benchmarks_preview(request: HttpRequest, import_id: int) -> HttpResponse:
    kept = _officer_benchmark_import(request, import_id)
    return render(request, "kpis/benchmarks_preview.html", {"kept": kept, "strategy": kept.strategy, "summary": kept.summary})


@login_required
@require_POST
@rate_limited("import", what="file imports")
def benchmarks_confirm(request: HttpRequest, import_id: int) -> HttpResponse:
    kept = _officer_benchmark_import(request, import_id)
    if kept.status != BenchmarkImport.Status.PREVIEWED:
        messages.error(request, "This file has already been imported, or had problems: upload it again.")
        return redirect("kpis:benchmarks_preview", import_id=kept.pk)
    strategy = kept.strategy
    # Read the same bytes again: values or settings may have changed since the preview.
    changes = benchmarks_read(bytes(kept.content), kept.filename, strategy)
    if not changes.ok:
        BenchmarkImport.objects.filter(pk=kept.pk).update(status=BenchmarkImport.Status.REJECTED, summary=changes.summary())
        return redirect("kpis:benchmarks_preview", import_id=kept.pk)
    try:
        with transaction.atomic():
            benchmarks_apply(changes, user=request.user, strategy=strategy)
            BenchmarkImport.objects.filter(pk=kept.pk).update(status=BenchmarkImport.Status.APPLIED, summary=changes.summary())
    except IntegrityError:
        messages.error(
            request, "Someone else imported figures for these periods at the same moment: upload the file again to see what is left."
        )
        return redirect("kpis:benchmarks_preview", import_id=kept.pk)
    summary = changes.summary()
    security_event("benchmark_import", request, strategy_id=strategy.pk, file=kept.filename, values=summary["new_values"])
    messages.success(
        request, f"Imported {kept.filename}: {summary['new_values']} new values and {summary['new_benchmarks']} new benchmarks."
    )
    return redirect("kpis:scorecard", strategy_id=strategy.pk)


@login_required
def benchmarking_settings(request: HttpRequest, strategy_id: int) -> HttpResponse:
    """The partnership's local authority and statistical neighbours, chosen from the latest uploaded file's names."""
    strategy = _officer_strategy(request, strategy_id)
    partnership = strategy.partnership
    latest = BenchmarkImport.objects.filter(strategy__partnership=partnership).exclude(authorities={}).order_by("-uploaded_at").first()
    authorities = latest.authorities if latest else {}
    initial = {"la_code": partnership.la_code, "statistical_neighbours": partnership.statistical_neighbours}
    form = BenchmarkingSettingsForm(request.POST or None, authorities=authorities, initial=initial)
    if request.method == "POST" and form.is_valid():
        Partnership.objects.filter(pk=partnership.pk).update(
            la_code=form.cleaned_data["la_code"], statistical_neighbours=sorted(form.cleaned_data["statistical_neighbours"])
        )
        messages.success(request, "Benchmarking settings saved: upload the file again to read it with them")
        return redirect("kpis:benchmarks_upload", strategy_id=strategy.pk)
    context = {"strategy": strategy, "partnership": partnership, "form": form, "latest": latest}
    return render(request, "kpis/benchmarking_settings.html", context, status=422 if form.errors else 200)


@login_required
def indicator_create(request: HttpRequest, strategy_id: int) -> HttpResponse:
    strategy = _officer_strategy(request, strategy_id, "define KPIs")
    form = IndicatorForm(request.POST or None, strategy=strategy, instance=Indicator(strategy=strategy))
    if request.method == "POST" and form.is_valid():
        indicator = form.save()
        messages.success(request, f"KPI {indicator.code} defined.")
        return redirect(indicator.get_absolute_url())
    return render(request, "kpis/indicator_form.html", {"strategy": strategy, "form": form}, status=422 if form.errors else 200)


@login_required
def indicator_edit(request: HttpRequest, indicator_id: int) -> HttpResponse:
    indicator, membership = get_indicator_for_user(request.user, indicator_id)
    officer_required(membership, "change KPI definitions")
    form = IndicatorForm(request.POST or None, strategy=indicator.strategy, instance=indicator)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"KPI {indicator.code} saved.")
        return redirect(indicator.get_absolute_url())
    context = {"strategy": indicator.strategy, "form": form, "indicator": indicator}
    return render(request, "kpis/indicator_form.html", context, status=422 if form.errors else 200)


@login_required
def kpi_upload(request: HttpRequest, strategy_id: int) -> HttpResponse:
    """Upload KPI values; nothing is added until the officer has seen the preview and confirmed."""
    strategy = _officer_strategy(request, strategy_id, "upload KPI values")
    form = KpiUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read()
        loaded = kpi_values_import(content, upload.name, strategy, apply=False)
        kept = KpiValueImport.objects.create(
            strategy=strategy,
            uploaded_by=request.user,
            filename=upload.name[:255],
            content=content,
            status=KpiValueImport.Status.REJECTED if loaded.problems else KpiValueImport.Status.PREVIEWED,
            summary=_summary(loaded),
        )
        return redirect("kpis:kpi_upload_preview", import_id=kept.pk)
    return render(request, "kpis/kpi_upload.html", {"strategy": strategy, "form": form}, status=422 if form.errors else 200)


def _summary(loaded) -> dict:
    return {
        "created": loaded.created,
        "unchanged": loaded.unchanged,
        "planned": loaded.planned[:500],
        "problems": [{"row": p.row, "column": p.column, "value": p.value, "message": p.message} for p in loaded.problems],
    }


def _officer_kpi_import(request: HttpRequest, import_id: int) -> KpiValueImport:
    kept = KpiValueImport.objects.select_related("strategy").filter(pk=import_id).first()
    if kept is None:
        raise Http404("No such upload.")
    _officer_strategy(request, kept.strategy_id, "upload KPI values")
    return kept


@login_required
def kpi_upload_preview(request: HttpRequest, import_id: int) -> HttpResponse:
    kept = _officer_kpi_import(request, import_id)
    return render(request, "kpis/kpi_upload_preview.html", {"kept": kept, "strategy": kept.strategy})


@login_required
@require_POST
def kpi_upload_confirm(request: HttpRequest, import_id: int) -> HttpResponse:
    kept = _officer_kpi_import(request, import_id)
    with transaction.atomic():
        locked = KpiValueImport.objects.select_for_update().get(pk=kept.pk)
        if locked.status != KpiValueImport.Status.PREVIEWED:
            messages.error(request, "This file has already been added, or had problems: upload it again.")
            return redirect("kpis:kpi_upload_preview", import_id=kept.pk)
        # The same bytes again: values may have been entered since the preview.
        loaded = kpi_values_import(bytes(locked.content), locked.filename, locked.strategy)
        locked.status = KpiValueImport.Status.REJECTED if loaded.problems else KpiValueImport.Status.APPLIED
        locked.summary = _summary(loaded)
        locked.save(update_fields=["status", "summary"])
    if loaded.problems:
        return redirect("kpis:kpi_upload_preview", import_id=kept.pk)
    messages.success(request, f"Added {loaded.created} KPI value{'s' if loaded.created != 1 else ''} from {kept.filename}.")
    return redirect("kpis:scorecard", strategy_id=kept.strategy_id)
