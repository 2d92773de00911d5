"""The update round: a delivery lead updates several actions at once before the board; officers see who has."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from actions.access import can_update_action, get_strategy_for_user
from actions.forms import ActionUpdateForm
from actions.services import ActionUpdateConflictError, action_update_record
from governance.round import next_meeting, round_by_organisation, round_chase, rounds_for
from people.access import membership_for, officer_required


def _form_for(action, levels, data=None) -> ActionUpdateForm:
    form = ActionUpdateForm(
        data,
        prefix=f"a{action.pk}",
        levels=levels,
        current=action.rating,
        initial={"rating": action.rating_id, "version": action.version},
    )
    form.fields["narrative"].label = "Progress narrative"
    form.fields["links"].label = "Links to evidence (optional), one on each line"
    return form


def _touched(action, data, prefix: str) -> bool:
    """Whether the person changed anything in an action's row: a row left as it was is not an update."""
    rating = data.get(f"{prefix}-rating", "")
    return bool(
        data.get(f"{prefix}-narrative", "").strip()
        or data.get(f"{prefix}-links", "").strip()
        or (rating and rating != str(action.rating_id))
    )


@login_required
def update_round(request: HttpRequest) -> HttpResponse:
    """Every action of the person's that is in the round, each with its own small form, saved in one submit.

    Each row is saved on its own with its own version check: a conflict or a
    mistake in one row keeps what was typed there and never loses the others.
    """
    today = timezone.localdate()
    rounds = rounds_for(request.user, today)
    results: dict[int, str] = {}
    status = 200
    for each in rounds:
        levels = list(each.strategy.scheme.levels.all())  # one query per strategy, shared by its rows
        for action in each.actions:
            prefix = f"a{action.pk}"
            action.form = _form_for(action, levels)
            if request.method != "POST" or not _touched(action, request.POST, prefix):
                continue
            membership = membership_for(request.user, action.strategy.partnership_id)
            if membership is None or not can_update_action(request.user, membership, action):
                continue
            form = _form_for(action, levels, request.POST)
            action.form = form
            if not form.is_valid():
                results[action.pk], status = "invalid", 422
                continue
            try:
                action_update_record(
                    action=action,
                    user=request.user,
                    rating=form.cleaned_data["rating"],
                    narrative=form.cleaned_data["narrative"],
                    links=form.cleaned_data["links"],
                    expected_version=form.cleaned_data["version"],
                )
            except ActionUpdateConflictError as conflict:
                action.conflict = conflict
                # What they typed stays, now against the version they are shown, so a second submit is deliberate.
                action.version, action.rating = conflict.latest.version, conflict.latest.rating
                typed = {k: v for k, v in request.POST.items() if k.startswith(prefix)}
                action.form = _form_for(action, levels, {**typed, f"{prefix}-version": conflict.latest.version})
                results[action.pk], status = "conflict", 409
            else:
                results[action.pk] = "saved"
                action.form = _form_for(action, levels)
    if request.method == "POST" and status == 200:
        saved = sum(1 for r in results.values() if r == "saved")
        messages.success(request, f"Saved {saved} update{'s' if saved != 1 else ''}.")
        return redirect("governance:update_round")
    if request.method == "POST":
        rounds = _recount(rounds, request.user, today)
    for each in rounds:
        for action in each.actions:
            action.result = results.get(action.pk, "")
    problems = [action for each in rounds for action in each.actions if results.get(action.pk) in ("invalid", "conflict")]
    context = {
        "rounds": rounds,
        "results": results,
        "problems": problems,
        "saved": sum(1 for r in results.values() if r == "saved"),
        "nav_section": "my_actions",
    }
    return render(request, "governance/update_round.html", context, status=status)


def _recount(rounds, user, today):
    """After a partly saved submit: the counts as they are now, with the rows' forms as typed."""
    fresh = {each.strategy.pk: each for each in rounds_for(user, today)}
    for each in rounds:
        statuses = {a.pk: a.status for a in fresh[each.strategy.pk].actions} if each.strategy.pk in fresh else {}
        for action in each.actions:
            action.status = statuses.get(action.pk, action.status)
    return rounds


@login_required
def round_progress(request: HttpRequest, strategy_id: int) -> HttpResponse:
    strategy, membership = get_strategy_for_user(request.user, strategy_id)
    officer_required(membership, "see the update round by organisation")
    today = timezone.localdate()
    progress = round_by_organisation(strategy, today)
    context = {
        "strategy": strategy,
        "meeting": next_meeting(strategy, today),
        "progress": progress,
        "total": sum(p.total for p in progress),
        "nav_section": "strategies",
    }
    return render(request, "governance/round_progress.html", context)


@login_required
@require_POST
def round_chase_view(request: HttpRequest, strategy_id: int) -> HttpResponse:
    strategy, membership = get_strategy_for_user(request.user, strategy_id)
    officer_required(membership, "chase updates")
    meeting = next_meeting(strategy, timezone.localdate())
    if meeting is None:
        messages.error(request, "There is no meeting scheduled: add one to the board calendar first.")
    else:
        queued = round_chase(strategy, meeting)
        messages.success(request, f"{queued} reminder{'s' if queued != 1 else ''} queued: they go in each owner's next email digest.")
    return redirect("governance:round_progress", strategy_id=strategy.pk)
