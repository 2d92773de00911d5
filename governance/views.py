"""Inspections and their findings, and partners' sign-off before each board."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import User
from actions.access import get_action_for_user, officer_strategy
from actions.models import Action, Strategy
from governance.access import get_meeting_for_user
from governance.forms import FindingForm, InspectionForm, LinkedFindingsForm
from governance.models import Finding, Inspection, Meeting, SignOff
from governance.signoff import (
    SignOffError,
    SignOffReasonMissingError,
    sign_off_board_read,
    sign_off_decide,
    signatory_nominate,
    signatory_of,
)
from kpis.access import get_indicator_for_user
from kpis.models import Indicator
from people.access import is_officer, member_object, officer_required
from people.models import Membership, Organisation

# Inspections and findings ------------------------------------------------------------------------


def _inspection_for_user(request: HttpRequest, inspection_id: int) -> tuple[Inspection, Membership]:
    found = Inspection.objects.select_related("strategy__partnership")
    return member_object(request.user, found, inspection_id, "strategy.partnership_id", "No such inspection.")


def _finding_for_user(request: HttpRequest, finding_id: int) -> tuple[Finding, Membership]:
    found = Finding.objects.select_related("inspection__strategy__partnership")
    return member_object(request.user, found, finding_id, "inspection.strategy.partnership_id", "No such finding.")


def _inspection_page(request: HttpRequest, strategy: Strategy, form: InspectionForm, inspection: Inspection | None) -> HttpResponse:
    return render(request, "governance/inspection_form.html", {"strategy": strategy, "form": form, "inspection": inspection})


def _saved_to_findings(
    request: HttpRequest, form: InspectionForm | FindingForm, said: Callable[[Inspection | Finding], str]
) -> HttpResponse | None:
    """Save an inspection's or a finding's form when it was posted valid, unless the row moved on meanwhile:
    then what `said` says of what was saved, and back to its place on the findings page; else None."""
    if request.method != "POST" or not form.is_valid() or not (saved := form.save_unless_changed()):
        return None
    messages.success(request, said(saved))
    strategy_id, place = (saved.strategy_id, "inspection") if isinstance(saved, Inspection) else (saved.inspection.strategy_id, "finding")
    return redirect(f"{reverse('reporting:findings', args=[strategy_id])}#{place}-{saved.pk}")


@login_required
def inspection_create(request: HttpRequest, strategy_id: int) -> HttpResponse:
    strategy, _membership = officer_strategy(request.user, strategy_id, "record inspections")
    form = InspectionForm(
        request.POST if request.method == "POST" else None, instance=Inspection(strategy=strategy, created_by=request.user)
    )
    saved = _saved_to_findings(request, form, lambda saved: f"Inspection recorded: {saved}. Now add its findings.")
    return saved or _inspection_page(request, strategy, form, None)


@login_required
def inspection_edit(request: HttpRequest, inspection_id: int) -> HttpResponse:
    inspection, membership = _inspection_for_user(request, inspection_id)
    officer_required(membership, "change inspections")
    form = InspectionForm(request.POST if request.method == "POST" else None, instance=inspection)
    saved = _saved_to_findings(request, form, lambda saved: f"Inspection saved: {saved}.")
    return saved or _inspection_page(request, inspection.strategy, form, inspection)


def _finding_page(request: HttpRequest, inspection: Inspection, form: FindingForm, finding: Finding | None) -> HttpResponse:
    return render(
        request,
        "governance/finding_form.html",
        {"strategy": inspection.strategy, "inspection": inspection, "form": form, "finding": finding},
    )


@login_required
def finding_create(request: HttpRequest, inspection_id: int) -> HttpResponse:
    inspection, membership = _inspection_for_user(request, inspection_id)
    officer_required(membership, "record findings")
    form = FindingForm(request.POST if request.method == "POST" else None, inspection=inspection)
    saved = _saved_to_findings(request, form, lambda saved: f"{saved.label()} recorded.")
    return saved or _finding_page(request, inspection, form, None)


@login_required
def finding_edit(request: HttpRequest, finding_id: int) -> HttpResponse:
    finding, membership = _finding_for_user(request, finding_id)
    officer_required(membership, "change findings")
    form = FindingForm(request.POST if request.method == "POST" else None, instance=finding, inspection=finding.inspection)
    saved = _saved_to_findings(request, form, lambda saved: f"{saved.label()} saved.")
    return saved or _finding_page(request, finding.inspection, form, finding)


def _linked_findings(request: HttpRequest, subject: Action | Indicator, *, named: str, heading: str) -> HttpResponse:
    """The findings an action or a KPI answers, ticked from its side; back to its page once saved."""
    strategy, back = subject.strategy, subject.get_absolute_url()
    form = LinkedFindingsForm(
        request.POST if request.method == "POST" else None, strategy=strategy, initial={"findings": list(subject.findings.all())}
    )
    if request.method == "POST" and form.is_valid():
        subject.findings.set(form.cleaned_data["findings"])
        messages.success(request, f"Findings answered by {named} saved.")
        return redirect(back)
    context = {"strategy": strategy, "form": form, "subject": named, "back": back, "heading": heading}
    return render(request, "governance/linked_findings.html", context)


@login_required
def action_findings(request: HttpRequest, action_id: int) -> HttpResponse:
    action, membership = get_action_for_user(request.user, action_id)
    officer_required(membership, "link actions to inspection findings")
    named = f"action {action.ref}"
    return _linked_findings(request, action, named=named, heading=f"Inspection findings that {named} answers")


@login_required
def indicator_findings(request: HttpRequest, indicator_id: int) -> HttpResponse:
    indicator, membership = get_indicator_for_user(request.user, indicator_id)
    officer_required(membership, "link KPIs to inspection findings")
    named = f"KPI {indicator.code}"
    return _linked_findings(request, indicator, named=named, heading=f"Inspection findings that {named} shows progress on")


# Partner sign-off before each board ---------------------------------------------------------------


def _sign_off_page(
    request: HttpRequest,
    meeting: Meeting,
    membership: Membership,
    errors: dict | None = None,
    status: int = 200,
    *,
    field="decision",
    posted: dict | None = None,
):
    """The sign-off board; `errors` by sign-off, each about its `field`: "decision" (the signatory's choice), "reason"
    (why they decline) or "signatory". `posted` is the signatory's answer as sent, kept in the form beside its problem."""
    context = sign_off_board_read(meeting, request.user, officer=is_officer(membership), today=timezone.localdate())
    context |= {"errors": errors or {}, "error_field": field, "posted": posted}
    return render(request, "governance/sign_off_board.html", context, status=status)


@login_required
def sign_off_board(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """Each organisation owning actions, its signatory and whether it has signed off its updates for the meeting."""
    meeting, membership = get_meeting_for_user(request.user, meeting_id)
    return _sign_off_page(request, meeting, membership)


@login_required
@require_POST
def sign_off_decide_view(request: HttpRequest, sign_off_id: int) -> HttpResponse:
    sign_off = SignOff.objects.select_related("meeting", "organisation").filter(pk=sign_off_id).first()
    if sign_off is None:
        raise Http404("No such sign-off.")
    meeting, membership = get_meeting_for_user(request.user, sign_off.meeting_id)
    signatory = signatory_of(sign_off)
    if signatory is None or signatory.pk != request.user.pk:
        raise PermissionDenied(f"Only the nominated signatory of {sign_off.organisation} can sign off its updates.")
    decision, reason = request.POST.get("decision"), request.POST.get("reason", "")
    posted = {"sign_off": sign_off.pk, "decision": decision, "reason": reason}
    if decision not in ("confirm", "decline"):
        problem = {sign_off.pk: "Choose whether you sign off or decline"}
        return _sign_off_page(request, meeting, membership, problem, status=422, posted=posted)
    try:
        sign_off_decide(sign_off=sign_off, user=request.user, confirm=decision == "confirm", reason=reason)
    except SignOffError as exc:
        field = "reason" if isinstance(exc, SignOffReasonMissingError) else "decision"
        return _sign_off_page(request, meeting, membership, {sign_off.pk: str(exc)}, status=422, field=field, posted=posted)
    if decision == "confirm":
        messages.success(request, f"You have signed off {sign_off.organisation}'s updates for this meeting.")
    else:
        messages.success(request, f"You have said you cannot sign off {sign_off.organisation}'s updates yet. The officers can see why.")
    return redirect("governance:sign_off_board", meeting.pk)


@login_required
@require_POST
def signatory_nominate_view(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting, membership = get_meeting_for_user(request.user, meeting_id)
    officer_required(membership, "nominate signatories")

    def posted_id(name: str) -> int:
        value = request.POST.get(name, "")
        return int(value) if value.isascii() and value.isdigit() else 0

    organisation = Organisation.objects.filter(pk=posted_id("organisation"), partnership_id=meeting.board.partnership_id).first()
    user = User.objects.filter(pk=posted_id("user"), memberships__partnership_id=meeting.board.partnership_id).first()
    if organisation is None or user is None:
        key = posted_id("sign_off")
        problem = {key: "Choose a person of this partnership to sign for the organisation"}
        return _sign_off_page(request, meeting, membership, problem, status=422, field="signatory")
    signatory_nominate(organisation=organisation, user=user, by=request.user)
    messages.success(request, f"{user} now signs off {organisation}'s updates.")
    return redirect("governance:sign_off_board", meeting.pk)
