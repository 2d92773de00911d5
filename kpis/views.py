from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from actions.access import get_strategy_for_user, officer_strategy
from kpis.access import can_enter_values, get_indicator_for_user, get_kpi_value_for_user
from kpis.charts import kpi_chart_svg
from kpis.forms import BenchmarkingSettingsForm, IndicatorForm, KpiValueForm, LibraryMeasureForm
from kpis.library import AlreadyOnScorecardError, library_measure_add, measures
from kpis.models import Benchmark, BenchmarkImport, Indicator, KpiValue, Rag, period_words
from kpis.scorecard import ScorecardRow, indicators_with_values, strategy_scorecard
from kpis.services import kpi_value_correct, kpi_value_enter
from people.access import officer_required
from people.models import Partnership

CHART = "app-kpi-chart"  # the class of every trend chart on a page (static/src/components/_reflow.scss)


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
        # Each chart escapes all its text itself. A phone is given one laid out for its width: the wide one, scaled
        # down to fit, would draw its words at half their size.
        "chart": mark_safe(kpi_chart_svg(indicator, row.values, region_name=row.region_name, css_class=f"{CHART} {CHART}--wide")),
        "narrow_chart": mark_safe(
            kpi_chart_svg(indicator, row.values, region_name=row.region_name, width=320, height=300, css_class=f"{CHART} {CHART}--narrow")
        ),
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
            taken = f"There is already a value for {period_words(data['period'])}"
            form.add_error("period", f"{taken}. To change it, correct that value and give a reason")
        else:
            message = f"Value for {period_words(data['period'])} saved"
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
        messages.info(request, f"The value for {original.period_label} has already been corrected: correct the latest value instead.")
        return redirect(indicator)
    initial = {f: getattr(original, f) for f in ["value", "england", "region", "statistical_neighbours", "note"]}
    form = KpiValueForm(request.POST or None, indicator=indicator, correcting=original, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            kpi_value_correct(original=original, entered_by=request.user, **form.cleaned_data)
        except ValueError as exc:
            messages.info(request, str(exc))
        else:
            messages.success(request, f"Value for {original.period_label} corrected")
        return redirect(indicator)
    return render(
        request, "kpis/value_correct.html", {"indicator": indicator, "strategy": indicator.strategy, "original": original, "form": form}
    )


@login_required
def library(request: HttpRequest, strategy_id: int) -> HttpResponse:
    """The KPI library: officers add a standard measure to the scorecard, with its target, in one step."""
    strategy, _membership = officer_strategy(request.user, strategy_id, "add library measures and read benchmarks")
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
def benchmarking_settings(request: HttpRequest, strategy_id: int) -> HttpResponse:
    """The partnership's local authority and statistical neighbours, chosen from the latest uploaded file's names."""
    strategy, _membership = officer_strategy(request.user, strategy_id, "add library measures and read benchmarks")
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
    strategy, _membership = officer_strategy(request.user, strategy_id, "define KPIs")
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
