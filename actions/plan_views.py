"""Officers change the plan in the browser: strategies, delivery groups and actions.

Every view here is for the partnership's programme officers alone (404
outside the partnership, 403 for its other members); every change is recorded.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from actions.access import get_action_for_user, get_group_for_user, officer_strategy
from actions.forms import PlanImportForm
from actions.models import Action
from actions.plan import (
    PlanRuleError,
    action_create,
    action_edit,
    action_retire,
    group_move,
    group_save,
    strategy_create,
    strategy_discard,
)
from actions.plan_forms import ActionForm, GroupForm, RetireForm, StrategyForm
from actions.services import ActionUpdateConflictError
from intake.readers import reader_named
from intake.services import upload_keep
from intake.tables import upload_filename
from people.access import officer_partnership, officer_required
from send_tracker.forms import form_written


def _add_rule_error(form, problem: PlanRuleError) -> None:
    form.add_error(problem.field if problem.field in form.fields else None, str(problem))


@login_required
def strategy_create_view(request: HttpRequest, partnership_id: int) -> HttpResponse:
    """A new strategy, empty or from a plan file (which then goes through the import's preview and confirm)."""
    partnership, _mine = officer_partnership(request.user, partnership_id, "create a strategy")
    form = StrategyForm(request.POST or None, request.FILES or None, partnership=partnership)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload is not None:
            checked = PlanImportForm(files={"file": upload})
            if not checked.is_valid():
                form.add_error("file", checked.errors["file"])
        if not form.errors:
            try:
                strategy = strategy_create(partnership=partnership, **{k: v for k, v in form.cleaned_data.items() if k != "file"})
            except PlanRuleError as problem:
                _add_rule_error(form, problem)
            else:
                if upload is None:
                    messages.success(request, f"Strategy “{strategy.name}” created. Add its delivery groups and actions.")
                    return redirect(strategy.get_absolute_url())
                # The same journey as "Import an updated plan": a tracker goes on to have its columns matched.
                upload.seek(0)
                reader = reader_named("plan")
                content, filename = upload.read(), upload_filename(upload.name)
                kept = upload_keep(reader=reader, strategy=strategy, user=request.user, filename=filename, content=content)
                return redirect(reader.next_url(kept))
    status = 422 if form.errors else 200
    return render(
        request, "actions/strategy_form.html", {"partnership": partnership, "form": form, "nav_section": "strategies"}, status=status
    )


@login_required
@require_POST
def strategy_discard_view(request: HttpRequest, strategy_id: int) -> HttpResponse:
    """Discard a strategy left empty, such as one made to import a plan file that was then abandoned."""
    strategy, _membership = officer_strategy(request.user, strategy_id, "discard a strategy")
    try:
        strategy_discard(strategy=strategy)
    except PlanRuleError as problem:
        messages.error(request, str(problem))
        return redirect(strategy.get_absolute_url())
    messages.success(request, f"Strategy “{strategy.name}” discarded: it had nothing in it yet.")
    return redirect("actions:strategy_list")


def _action_form_page(request, strategy, form, action=None, conflict=None, status=200):
    context = {"strategy": strategy, "form": form, "action": action, "conflict": conflict, "nav_section": "strategies"}
    return render(request, "actions/action_form.html", context, status=status)


@login_required
def action_create_view(request: HttpRequest, strategy_id: int) -> HttpResponse:
    strategy, _membership = officer_strategy(request.user, strategy_id, "add actions")
    initial = {"rating": strategy.scheme.not_started_level().pk, "group": request.GET.get("group")}
    form = ActionForm(request.POST or None, strategy=strategy, initial=initial)
    written, action = form_written(
        form,
        lambda data: action_create(actor=request.user, strategy=strategy, ref=data["ref"], rating=data["rating"], **form.plan_fields()),
        PlanRuleError,
    )
    if written:
        messages.success(request, f"Action {action.ref} added to {action.group}.")
        return redirect(action.get_absolute_url())
    return _action_form_page(request, strategy, form, status=422 if form.errors else 200)


def _officer_action(request: HttpRequest, action_id: int, what: str) -> Action:
    action, membership = get_action_for_user(request.user, action_id)
    officer_required(membership, what)
    if action.retired_at:
        raise PermissionDenied("This action has been retired: it can no longer be changed.")
    return action


@login_required
def action_edit_view(request: HttpRequest, action_id: int) -> HttpResponse:
    action = _officer_action(request, action_id, "change the plan's actions")
    form = ActionForm.for_action(request.POST or None, action)
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data["version"]
        try:
            changes = action_edit(
                actor=request.user,
                action=action,
                expected_version=version if version is not None else -1,
                reason=form.cleaned_data["reason"],
                **form.plan_fields(),
            )
        except PlanRuleError as problem:
            _add_rule_error(form, problem)
        except ActionUpdateConflictError as conflict:
            # Nothing saved: show what changed, keep what they typed, against the version they have now seen.
            kept = form.kept_at(conflict.latest.version)
            return _action_form_page(request, action.strategy, kept, action=action, conflict=conflict, status=409)
        else:
            if changes:
                messages.success(request, f"Saved {len(changes)} change{'s' if len(changes) != 1 else ''} to action {action.ref}.")
            return redirect(f"{action.get_absolute_url()}#history")
    return _action_form_page(request, action.strategy, form, action=action, status=422 if form.errors else 200)


@login_required
def action_retire_view(request: HttpRequest, action_id: int) -> HttpResponse:
    action = _officer_action(request, action_id, "retire actions")
    form = RetireForm(request.POST or None, action=action)
    if form_written(form, lambda data: action_retire(actor=request.user, action=action, **data), PlanRuleError)[0]:
        messages.success(request, f"Action {action.ref} has been retired. Its history stays on this page.")
        return redirect(action.get_absolute_url())
    return render(
        request,
        "actions/action_retire.html",
        {"action": action, "strategy": action.strategy, "form": form, "nav_section": "strategies"},
        status=422 if form.errors else 200,
    )


def _group_form_page(request, strategy, form, group=None, status=200):
    return render(
        request, "actions/group_form.html", {"strategy": strategy, "group": group, "form": form, "nav_section": "strategies"}, status=status
    )


def _group_saved(request, strategy, form, group=None):
    """The redirect once the group is saved; None while the form or the plan's rules refuse it."""
    written, saved = form_written(form, lambda data: group_save(strategy=strategy, group=group, **data), PlanRuleError)
    if not written:
        return None
    messages.success(request, f"Delivery group “{saved}” saved.")
    return redirect(f"{strategy.get_absolute_url()}#group-{saved.pk}")


@login_required
def group_create_view(request: HttpRequest, strategy_id: int) -> HttpResponse:
    strategy, _membership = officer_strategy(request.user, strategy_id, "add delivery groups")
    form = GroupForm(request.POST or None, strategy=strategy, initial={"parent": request.GET.get("parent")})
    if response := _group_saved(request, strategy, form):
        return response
    return _group_form_page(request, strategy, form, status=422 if form.errors else 200)


@login_required
def group_edit_view(request: HttpRequest, group_id: int) -> HttpResponse:
    group, membership = get_group_for_user(request.user, group_id)
    officer_required(membership, "change delivery groups")
    strategy = group.strategy
    initial = {
        "priority_name": group.priority.name,
        "parent": group.parent_id,
        "name": group.name,
        "lead": group.lead_id,
        "what_needs_to_improve": group.what_needs_to_improve,
        "how_we_will_assess": "\n".join(group.how_we_will_assess),
        "what_we_will_see": "\n".join(group.what_we_will_see),
    }
    form = GroupForm(request.POST or None, strategy=strategy, group=group, initial=initial)
    if response := _group_saved(request, strategy, form, group):
        return response
    return _group_form_page(request, strategy, form, group=group, status=422 if form.errors else 200)


@login_required
@require_POST
def group_move_view(request: HttpRequest, group_id: int) -> HttpResponse:
    group, membership = get_group_for_user(request.user, group_id)
    officer_required(membership, "reorder delivery groups")
    group_move(group=group, up=request.POST.get("direction") != "down")
    return redirect(f"{group.strategy.get_absolute_url()}#group-{group.pk}")
