"""The update round: a delivery lead updates several actions at once before the board; officers see who has."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from actions.access import can_update_action, officer_strategy
from actions.forms import ActionUpdateForm
from actions.models import Action
from actions.round import Round, round_by_organisation, round_chase, rounds_for
from actions.services import ActionUpdateConflictError, action_update_form_kept, action_update_from_form
from actions.signals import next_meeting
from people.access import membership_for


def _labelled(form: ActionUpdateForm) -> ActionUpdateForm:
    form.fields["narrative"].label = "Progress narrative"
    form.fields["links"].label = "Links to evidence"
    form.fields["links"].help_text = "One on each line."
    return form


def _form_for(action: Action, levels, data=None) -> ActionUpdateForm:
    initial = {"rating": action.rating_id, "version": action.version}
    return _labelled(ActionUpdateForm(data, prefix=f"a{action.pk}", levels=levels, current=action.rating, initial=initial))


def _touched(action: Action, data, prefix: str) -> bool:
    """Whether the person changed anything in an action's row: a row left as it was is not an update."""
    rating = data.get(f"{prefix}-rating", "")
    return bool(
        data.get(f"{prefix}-narrative", "").strip()
        or data.get(f"{prefix}-links", "").strip()
        or (rating and rating != str(action.rating_id))
    )


def _submit_row(request: HttpRequest, action: Action, levels) -> str:
    """Save one row of the round through the action page's own path; "" when the row was left alone.

    Each row is saved on its own with its own version check: a conflict or a
    mistake in one row keeps what was typed there and never loses the others.
    """
    action.form = _form_for(action, levels)
    if request.method != "POST" or not _touched(action, request.POST, action.form.prefix):
        return ""
    membership = membership_for(request.user, action.strategy.partnership_id)
    if membership is None or not can_update_action(request.user, membership, action):
        return ""
    form = action.form = _form_for(action, levels, request.POST)
    if not form.is_valid():
        return "invalid"
    try:
        update = action_update_from_form(action=action, user=request.user, form=form)
    except ActionUpdateConflictError as conflict:
        action.conflict = conflict
        action.version, action.rating = conflict.latest.version, conflict.latest.rating
        action.form = _labelled(action_update_form_kept(form, conflict))
        return "conflict"
    action.last_updated_at = update.created_at  # the row is shown again beside a row still to put right
    action.form = _form_for(action, levels)
    return "saved"


def _submit(request: HttpRequest, rounds: list[Round]) -> dict[int, str]:
    """Each action's result ("saved", "invalid", "conflict"), for the rows the person changed."""
    results = {}
    for each in rounds:
        levels = list(each.strategy.scheme.levels.all())  # one query per strategy, shared by its rows
        for action in each.actions:
            if result := _submit_row(request, action, levels):
                results[action.pk] = result
    return results


def _recount(rounds: list[Round], user, today) -> list[Round]:
    """After a partly saved submit: the counts as they are now, with the rows' forms as typed."""
    fresh = {each.strategy.pk: each for each in rounds_for(user, today)}
    for each in rounds:
        statuses = {a.pk: a.status for a in fresh[each.strategy.pk].actions} if each.strategy.pk in fresh else {}
        for action in each.actions:
            action.status = statuses.get(action.pk, action.status)
    return rounds


@login_required
def update_round(request: HttpRequest) -> HttpResponse:
    """Every action of the person's that is in the round, each with its own small form, saved in one submit."""
    today = timezone.localdate()
    rounds = rounds_for(request.user, today)
    results = _submit(request, rounds)
    saved = sum(1 for r in results.values() if r == "saved")
    problems = [a for each in rounds for a in each.actions if results.get(a.pk) in ("invalid", "conflict")]
    if request.method == "POST" and not problems:
        messages.success(request, f"Saved {saved} update{'s' if saved != 1 else ''}.")
        return redirect("actions:update_round")
    if request.method == "POST":
        rounds = _recount(rounds, request.user, today)
    for action in (a for each in rounds for a in each.actions):
        action.result = results.get(action.pk, "")
    status = 409 if "conflict" in results.values() else 422 if problems else 200
    context = {"rounds": rounds, "results": results, "problems": problems, "saved": saved, "nav_section": "my_actions"}
    return render(request, "actions/update_round.html", context, status=status)


@login_required
def round_progress(request: HttpRequest, strategy_id: int) -> HttpResponse:
    strategy, _membership = officer_strategy(request.user, strategy_id, "see the update round by organisation")
    today = timezone.localdate()
    context = {
        "strategy": strategy,
        "meeting": next_meeting(strategy, today),
        "round": round_by_organisation(strategy, today),
        "nav_section": "strategies",
    }
    return render(request, "actions/round_progress.html", context)


@login_required
@require_POST
def round_chase_view(request: HttpRequest, strategy_id: int) -> HttpResponse:
    strategy, _membership = officer_strategy(request.user, strategy_id, "chase updates")
    meeting = next_meeting(strategy, timezone.localdate())
    if meeting is None:
        messages.error(request, "There is no meeting scheduled: add one to the board calendar first.")
    else:
        chased = round_chase(strategy, meeting)
        messages.add_message(request, messages.SUCCESS if chased.queued else messages.INFO, chased.message())
    return redirect("actions:round_progress", strategy_id=strategy.pk)
