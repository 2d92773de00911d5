"""The board calendar page: every member reads it; the partnership's programme officers change it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import BooleanField, ExpressionWrapper
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from actions.access import get_strategy_for_user, officer_strategy
from governance.access import get_meeting_for_user
from governance.calendar import CalendarRuleError, board_create, meeting_cancel, meeting_move, meeting_on_record, meetings_series_create
from governance.cycle import cycle_for, is_working_day
from governance.forms import BoardForm, MeetingMoveForm, MeetingSeriesForm
from governance.models import Board, Meeting
from people.access import is_officer, officer_required
from send_tracker.forms import form_written


def _boards(strategy):
    return Board.objects.filter(partnership_id=strategy.partnership_id).order_by("position", "name")


def _calendar_page(request, strategy, membership, *, board_form=None, series_form=None, status=200):
    boards = list(_boards(strategy))
    on_record = ExpressionWrapper(Meeting.on_record(), output_field=BooleanField())
    meetings = list(
        Meeting.objects.filter(strategy=strategy).select_related("board").annotate(on_record=on_record).order_by("date", "board__name")
    )
    today = timezone.localdate()
    for meeting in meetings:
        meeting.shown_status = meeting.status_label(today)
    context = {
        "strategy": strategy,
        "membership": membership,
        "officer": is_officer(membership),
        "boards": boards,
        "meetings": meetings,
        "board_form": board_form or BoardForm(),
        "series_form": series_form or MeetingSeriesForm(boards=_boards(strategy)),
        "nav_section": "strategies",
        "cycle": (cycle := cycle_for(strategy, timezone.localdate())),
        # The full inspection the cycle follows: the earliest date may be another inspection's priority action plan.
        "cycle_from": next((date.inspection for date in cycle if date.key == "full"), None),
    }
    return render(request, "governance/calendar.html", context, status=status)


@login_required
def calendar(request: HttpRequest, strategy_id: int) -> HttpResponse:
    strategy, membership = get_strategy_for_user(request.user, strategy_id)
    return _calendar_page(request, strategy, membership)


@login_required
@require_POST
def board_create_view(request: HttpRequest, strategy_id: int) -> HttpResponse:
    strategy, membership = officer_strategy(request.user, strategy_id, "set up boards")
    form = BoardForm(request.POST)
    written, board = form_written(form, lambda data: board_create(strategy=strategy, **data), CalendarRuleError)
    if written:
        messages.success(request, f"Board “{board.name}” added. Now schedule its meetings.")
        return redirect("governance:calendar", strategy_id=strategy.pk)
    return _calendar_page(request, strategy, membership, board_form=form, status=422)


@login_required
@require_POST
def meeting_series_view(request: HttpRequest, strategy_id: int) -> HttpResponse:
    strategy, membership = officer_strategy(request.user, strategy_id, "schedule meetings")
    form = MeetingSeriesForm(request.POST, boards=_boards(strategy))
    written, made = form_written(form, lambda data: meetings_series_create(strategy=strategy, **data), CalendarRuleError)
    if written:
        created, skipped = made
        note = f" {len(skipped)} date{'s were' if len(skipped) != 1 else ' was'} already booked and left as it was." if skipped else ""
        messages.success(
            request, f"{len(created)} meeting{'s' if len(created) != 1 else ''} of {form.cleaned_data['board']} scheduled.{note}"
        )
        # A month series keeps its day of the month, so some of its dates can fall at a weekend: said, to be moved.
        if weekend := [f"{meeting.date:%A %-d %B %Y}" for meeting in created if not is_working_day(meeting.date)]:
            messages.warning(
                request,
                f"At a weekend: {', '.join(weekend)}. Move {'it' if len(weekend) == 1 else 'them'} below if the board does not meet then.",
            )
        return redirect("governance:calendar", strategy_id=strategy.pk)
    return _calendar_page(request, strategy, membership, series_form=form, status=422)


def _officer_meeting(request: HttpRequest, meeting_id: int):
    meeting, membership = get_meeting_for_user(request.user, meeting_id)
    officer_required(membership, "change meetings")
    return meeting, membership


@login_required
@require_http_methods(["GET", "POST"])
def meeting_move_view(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """A page of its own: the date input and the times, with their errors beside them, one question at a time."""
    meeting, membership = _officer_meeting(request, meeting_id)
    if request.method == "POST":
        form = MeetingMoveForm(request.POST)
        if form_written(form, lambda data: meeting_move(meeting=meeting, **data), CalendarRuleError)[0]:
            messages.success(request, f"{meeting.board} now meets on {meeting.date:%-d %B %Y}.")
            return redirect("governance:calendar", strategy_id=meeting.strategy_id)
    else:
        form = MeetingMoveForm(initial=_move_initial(meeting))
    context = {"meeting": meeting, "strategy": meeting.strategy, "membership": membership, "form": form, "nav_section": "strategies"}
    context["on_record"] = meeting_on_record(meeting)
    return render(request, "governance/meeting_move.html", context, status=422 if form.errors else 200)


def _move_initial(meeting: Meeting) -> dict:
    return {
        "date": meeting.date,
        "papers_deadline": meeting.papers_deadline,
        "start_time": meeting.start_time.strftime("%H:%M"),
        "end_time": meeting.end_time.strftime("%H:%M"),
    }


@login_required
@require_POST
def meeting_cancel_view(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting, _membership = _officer_meeting(request, meeting_id)
    try:
        meeting_cancel(meeting=meeting)
    except CalendarRuleError as refused:
        messages.error(request, f"{refused}.")
    else:
        messages.success(request, f"The {meeting.board} meeting on {meeting.date:%-d %B %Y} is cancelled: nobody is reminded about it.")
    return redirect("governance:calendar", strategy_id=meeting.strategy_id)
