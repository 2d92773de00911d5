"""A partnership's rating schemes in the browser, and moving a strategy to another scheme.

The partnership's programme officers alone (404 outside the partnership, 403
for its other members). Shipped schemes are shown to every partnership and
can be copied, never changed; a partnership's own are seen by it alone.
"""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from actions.access import officer_strategy
from actions.models import RatingScheme
from actions.scheme_forms import SchemeChoiceForm, SchemeForm, SchemeMappingForm
from actions.schemes import SchemeRuleError, levels_in_use, scheme_create, strategy_scheme_change
from people.access import not_found, officer_partnership
from people.models import Partnership
from send_tracker.forms import form_written


def _scheme_for(partnership: Partnership, scheme_id: int | str | None) -> RatingScheme:
    """A scheme the partnership may see (shipped, or its own), or 404."""
    scheme = RatingScheme.objects.filter(pk=scheme_id).first() if re.fullmatch(r"[0-9]{1,9}", str(scheme_id or "")) else None
    if scheme is None or (scheme.partnership_id is not None and scheme.partnership_id != partnership.pk):
        raise not_found(scheme, "No such rating scheme.")
    return scheme


@login_required
def scheme_list(request: HttpRequest, partnership_id: int) -> HttpResponse:
    partnership, _mine = officer_partnership(request.user, partnership_id, "manage rating schemes")
    schemes = RatingScheme.objects.available_to(partnership).prefetch_related("levels").order_by("partnership_id", "name")
    context = {
        "partnership": partnership,
        "shipped": [s for s in schemes if s.is_shipped],
        "own": [s for s in schemes if not s.is_shipped],
        "nav_section": "strategies",
    }
    return render(request, "actions/scheme_list.html", context)


@login_required
def scheme_detail(request: HttpRequest, partnership_id: int, scheme_id: int) -> HttpResponse:
    partnership, _mine = officer_partnership(request.user, partnership_id, "manage rating schemes")
    scheme = _scheme_for(partnership, scheme_id)
    context = {
        "partnership": partnership,
        "scheme": scheme,
        "levels": scheme.levels.order_by("position"),
        "strategies": scheme.strategies.filter(partnership=partnership).order_by("name"),
        "nav_section": "strategies",
    }
    return render(request, "actions/scheme_detail.html", context)


@login_required
def scheme_create_view(request: HttpRequest, partnership_id: int) -> HttpResponse:
    """A new scheme, empty or a copy of one the partnership can see (`?copy=<id>`)."""
    partnership, _mine = officer_partnership(request.user, partnership_id, "manage rating schemes")
    copy_of = _scheme_for(partnership, request.GET["copy"]) if request.GET.get("copy") else None
    form = SchemeForm(request.POST or None, copy_of=copy_of)
    written, scheme = form_written(
        form,
        lambda data: scheme_create(
            partnership=partnership, user=request.user, name=data["name"], description=data["description"], levels=data["levels"]
        ),
        SchemeRuleError,
    )
    if written:
        messages.success(request, f"Rating scheme “{scheme.name}” created. Choose it when you create a strategy.")
        return redirect("actions:scheme_detail", partnership_id=partnership.pk, scheme_id=scheme.pk)
    context = {"partnership": partnership, "form": form, "copy_of": copy_of, "nav_section": "strategies"}
    return render(request, "actions/scheme_form.html", context, status=422 if form.errors else 200)


@login_required
def strategy_scheme_change_view(request: HttpRequest, strategy_id: int) -> HttpResponse:
    """Choose another scheme, map every level in use to one of its levels, preview, then confirm."""
    strategy, _membership = officer_strategy(request.user, strategy_id, "change a strategy's rating scheme")
    schemes = RatingScheme.objects.available_to(strategy.partnership_id).exclude(pk=strategy.scheme_id).order_by("partnership_id", "name")
    choice = SchemeChoiceForm(request.GET if "scheme" in request.GET else None, schemes=schemes)
    context = {"strategy": strategy, "choice": choice, "in_use": levels_in_use(strategy), "nav_section": "strategies"}
    if not choice.is_bound or not choice.is_valid():
        return render(request, "actions/strategy_scheme.html", context, status=422 if choice.errors else 200)

    scheme = choice.cleaned_data["scheme"]
    form = SchemeMappingForm(request.POST or None, in_use=context["in_use"], scheme=scheme)
    context.update(scheme=scheme, form=form, new_levels=scheme.levels.order_by("position"))
    if request.method == "POST" and form.is_valid():
        if request.POST.get("step") != "confirm":
            return render(request, "actions/strategy_scheme.html", {**context, "preview": form.moves()})
        try:
            moved = strategy_scheme_change(
                strategy=strategy, user=request.user, scheme=scheme, mapping=form.mapping(), reason=form.cleaned_data["reason"]
            )
        except SchemeRuleError as problem:
            # Ratings changed since the preview: map again, with every level now in use.
            context["in_use"] = levels_in_use(strategy)
            context["form"] = form.remapped(context["in_use"], problem)
        else:
            messages.success(request, f"{strategy.name} now uses {scheme.name}: {moved} action{'s' if moved != 1 else ''} moved.")
            return redirect(reverse("actions:strategy_detail", args=[strategy.pk]))
    return render(request, "actions/strategy_scheme.html", context, status=422 if request.method == "POST" else 200)
