"""A meeting's page: its decisions and actions arising, recorded by officers during or after it; and each person's calendar address."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from governance.access import get_meeting_for_user
from governance.decisions import DecisionRuleError, action_arising_record, decision_record
from governance.forms import ActionArisingForm, DecisionForm
from governance.ical import calendar_feed_issue, calendar_feed_reader, calendar_feed_stop, calendar_ics
from governance.models import CalendarFeed
from governance.reads import actions_arising_for, decisions_for, meeting_pack_pdf
from governance.signoff import sign_off_changes_since
from people.access import is_officer, officer_required
from send_tracker.forms import form_written


def _meeting_page(request, meeting, membership, *, decision_form=None, arising_form=None, status=200) -> HttpResponse:
    officer = is_officer(membership)
    pack = meeting_pack_pdf(meeting)
    context = {
        "meeting": meeting,
        "meeting_status": meeting.status_label(timezone.localdate()),
        "strategy": meeting.strategy,
        "membership": membership,
        "officer": officer,
        "decisions": decisions_for(meeting),
        "pack": pack,
        # For officers: the sign-off changes since the pack was asked for, which producing it again would show.
        "pack_sign_off_changes": sign_off_changes_since({meeting.pk: pack.requested_at}).get(meeting.pk, []) if officer and pack else [],
        "arising": actions_arising_for(meeting),
        "decision_form": (decision_form or DecisionForm(prefix="decision")) if officer else None,
        "arising_form": (arising_form or ActionArisingForm(partnership_id=meeting.board.partnership_id, prefix="arising"))
        if officer
        else None,
        "nav_section": "strategies",
    }
    return render(request, "governance/meeting_detail.html", context, status=status)


@login_required
def meeting_detail(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting, membership = get_meeting_for_user(request.user, meeting_id)
    return _meeting_page(request, meeting, membership)


@login_required
@require_POST
def decision_create(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting, membership = get_meeting_for_user(request.user, meeting_id)
    officer_required(membership, "record the board's decisions")
    form = DecisionForm(request.POST, prefix="decision")
    if form_written(form, lambda data: decision_record(meeting=meeting, text=data["text"], by=request.user), DecisionRuleError)[0]:
        messages.success(request, "Decision recorded.")
        return redirect("governance:meeting_detail", meeting_id=meeting.pk)
    return _meeting_page(request, meeting, membership, decision_form=form, status=422)


@login_required
@require_POST
def action_arising_create(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting, membership = get_meeting_for_user(request.user, meeting_id)
    officer_required(membership, "record actions arising")
    form = ActionArisingForm(request.POST, partnership_id=meeting.board.partnership_id, prefix="arising")
    written, arising = form_written(form, lambda data: action_arising_record(meeting=meeting, by=request.user, **data), DecisionRuleError)
    if written:
        messages.success(request, f"Action {arising.action.ref} added to the plan under “Board actions arising”.")
        return redirect("governance:meeting_detail", meeting_id=meeting.pk)
    return _meeting_page(request, meeting, membership, arising_form=form, status=422)


@login_required
def calendar_feed_manage(request: HttpRequest) -> HttpResponse:
    """The person's private calendar address: make one (shown once), make a new one, or stop it."""
    token = None
    if request.method == "POST":
        if request.POST.get("do") == "stop":
            if calendar_feed_stop(user=request.user):
                messages.success(request, "Your calendar address has stopped working: calendars that used it get nothing more.")
            return redirect("governance:calendar_feed_manage")
        token = calendar_feed_issue(user=request.user)
    feed = CalendarFeed.objects.filter(user=request.user).first()
    url = request.build_absolute_uri(_feed_path(token)) if token else None
    context = {"feed": feed, "url": url, "webcal": url and "webcal://" + url.split("://", 1)[1]}
    return render(request, "governance/calendar_feed.html", context)


def _feed_path(token: str) -> str:
    return reverse("governance:calendar_feed", args=[token])


# Read by calendar programs with no session: the private token in the address is the key.
@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    user = calendar_feed_reader(token)
    if user is None:
        raise Http404("No such calendar.")
    response = HttpResponse(calendar_ics(user), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="board-meetings.ics"'
    response["Cache-Control"] = "private, no-store"
    return response
