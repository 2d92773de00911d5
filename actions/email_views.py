"""How a person's emails reach them: how often, one-click unsubscribe, and the partnership's chasing schedule."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from accounts.models import User
from actions.chasing import UNSUBSCRIBE_SALT
from actions.forms import ChasingScheduleForm, EmailPreferenceForm
from actions.models import EmailPreference
from actions.services import email_frequency_set
from people.access import is_officer, officer_partnership


@login_required
def email_preferences(request: HttpRequest) -> HttpResponse:
    current = EmailPreference.objects.filter(user=request.user).values_list("frequency", flat=True).first()
    form = EmailPreferenceForm(request.POST or None, initial={"frequency": current or EmailPreference.Frequency.DAILY})
    if request.method == "POST" and form.is_valid():
        preference = email_frequency_set(user=request.user, frequency=form.cleaned_data["frequency"])
        messages.success(request, f"Saved. {preference.get_frequency_display()}.")
        return redirect("actions:email_preferences")
    officer_of = [m.partnership for m in request.user.memberships.select_related("partnership") if is_officer(m)]
    context = {"form": form, "officer_of": officer_of}
    return render(request, "actions/email_preferences.html", context, status=422 if form.errors else 200)


def _unsubscribing(token: str) -> User:
    """The person a one-click unsubscribe link was made for: 404 for a link that was not, or is for an old address."""
    try:
        claim = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        raise Http404("This link is not valid.") from None
    user = User.objects.filter(pk=claim.get("u"), email=claim.get("e"), is_active=True).first()
    if user is None:
        raise Http404("This link is not valid.")
    return user


# One-click unsubscribe (RFC 8058): a mail program POSTs here with no session and no CSRF token.
# It is safe without them: the token is signed for this one purpose, and all it can do is turn
# the person's digest down to escalations only.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def email_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    user = _unsubscribing(token)
    if request.method == "POST":
        email_frequency_set(user=user, frequency=EmailPreference.Frequency.ESCALATIONS)
        return render(request, "actions/email_unsubscribe.html", {"done": True, "email": user.email})
    return render(request, "actions/email_unsubscribe.html", {"done": False, "email": user.email, "token": token})


@login_required
def chasing_schedule(request: HttpRequest, partnership_id: int) -> HttpResponse:
    partnership, _membership = officer_partnership(request.user, partnership_id, "set the chasing schedule")
    form = ChasingScheduleForm(request.POST or None, instance=partnership)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Chasing schedule saved: the next daily sweep follows it.")
        return redirect("actions:chasing_schedule", partnership_id=partnership.pk)
    return render(request, "actions/chasing_schedule.html", {"partnership": partnership, "form": form}, status=422 if form.errors else 200)
