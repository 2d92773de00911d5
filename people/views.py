"""Officers run their partnership's people and posts; invited people accept through an emailed link.

Every page but the invitation link is for the partnership's programme
officers alone: 404 outside the partnership, 403 for its other members.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from people.access import officer_membership, officer_object, officer_partnership
from people.backends import MEMBERS_BACKEND
from people.forms import AcceptForm, HandOverForm, InvitationForm, MergeForm, PeopleFilterForm, PersonForm, PostForm
from people.models import Invitation, Membership, PersonChange, Post
from people.reads import invitation_initial, invitations_open, members_of, posts_of
from people.services import (
    PeopleRuleError,
    invitation_accept,
    invitation_create,
    invitation_for_token,
    invitation_resend,
    invitation_withdraw,
    person_change,
    person_deactivate,
    person_reactivate,
    post_change,
    post_create,
    post_hand_over,
    post_merge,
)
from send_tracker.forms import form_written
from send_tracker.security import rate_limited, security_event


def _tried(request: HttpRequest, write: Callable[[], object], success: str) -> None:
    """Run a change that takes no form: its success, or the rule that stopped it, as a message on the next page."""
    try:
        write()
    except PeopleRuleError as problem:
        messages.error(request, str(problem))
    else:
        messages.success(request, success)


@login_required
def people_list(request: HttpRequest, partnership_id: int) -> HttpResponse:
    partnership, _mine = officer_partnership(request.user, partnership_id)
    filters = PeopleFilterForm(request.GET, partnership=partnership)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    context = {
        "partnership": partnership,
        "filters": filters,
        "members": members_of(partnership, organisation=chosen.get("organisation"), role=chosen.get("role", "")),
        "invitations": invitations_open(partnership),
        "nav_section": "people",
    }
    return render(request, "people/people_list.html", context)


def _invite_page(request, partnership, form, status=200):
    return render(request, "people/invite.html", {"partnership": partnership, "form": form, "nav_section": "people"}, status=status)


@login_required
def invite(request: HttpRequest, partnership_id: int) -> HttpResponse:
    partnership, _mine = officer_partnership(request.user, partnership_id)
    if request.method != "POST":
        initial = invitation_initial(partnership, request.GET.getlist("post"))
        return _invite_page(request, partnership, InvitationForm(partnership=partnership, initial=initial))
    form = InvitationForm(request.POST, partnership=partnership)
    written, invitation = form_written(
        form,
        lambda data: invitation_create(actor=request.user, partnership=partnership, **{**data, "posts": list(data["posts"])}),
        PeopleRuleError,
        "email",
    )
    if written:
        security_event("invitation_sent", request, partnership_id=partnership.pk, invitation_id=invitation.pk)
        messages.success(request, f"Invitation sent to {invitation.email}. The link works once, for the next few days.")
        return redirect("people:people_list", partnership_id=partnership.pk)
    return _invite_page(request, partnership, form, status=422)


@login_required
@require_POST
@rate_limited("invitation", what="invitations")
def invitation_resend_view(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = officer_object(request.user, Invitation, invitation_id)
    success = f"A new link has been sent to {invitation.email}. The link sent before no longer works."
    _tried(request, lambda: invitation_resend(actor=request.user, invitation=invitation), success)
    return redirect("people:people_list", partnership_id=invitation.partnership_id)


@login_required
@require_POST
def invitation_withdraw_view(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = officer_object(request.user, Invitation, invitation_id)
    success = f"The invitation to {invitation.email} has been withdrawn: its link no longer works."
    _tried(request, lambda: invitation_withdraw(actor=request.user, invitation=invitation), success)
    return redirect("people:people_list", partnership_id=invitation.partnership_id)


def _invitation_accepted(request: HttpRequest, invitation: Invitation, user: User, *, existing: bool) -> HttpResponse:
    """After the link is used: someone with an account signs in with it; a new account is signed in to set up two-factor."""
    security_event("invitation_accepted", request, user=user, invitation_id=invitation.pk)
    if existing:
        if request.user.is_authenticated and request.user != user:
            logout(request)
        messages.success(request, f"You have joined {invitation.partnership.name}. Sign in with your account to continue.")
        return redirect("login")
    if request.user.is_authenticated:
        logout(request)
    login(request, user, backend=MEMBERS_BACKEND)
    # The two-factor middleware sends a new account to set up its app before this opens;
    # then they land where their role starts, as on every sign-in (a board member on the dashboard).
    return redirect("home")


@never_cache
def invitation_accept_view(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link: choose a password (or use single sign-on), then two-factor set-up before anything opens."""
    invitation = invitation_for_token(token)
    if invitation is None or not invitation.is_open():
        context = {"invitation": invitation, "state": invitation.status if invitation else "unknown"}
        return render(request, "people/invitation_closed.html", context, status=410 if invitation else 404)
    existing = User.objects.filter(email__iexact=invitation.email).first()
    form = AcceptForm.for_invitation(request.POST or None, invitation) if existing is None else None
    if request.method == "POST" and (existing is not None or form.is_valid()):
        try:
            user = invitation_accept(invitation=invitation, password=form.cleaned_data["password1"] if form else None)
        except PeopleRuleError:
            return redirect(request.path)
        return _invitation_accepted(request, invitation, user, existing=existing is not None)
    context = {"invitation": invitation, "form": form, "existing": existing}
    return render(request, "people/invitation_accept.html", context, status=422 if form is not None and form.errors else 200)


def _person_page(request, member, mine, form=None, status=200):
    partnership = member.partnership
    person = member.user
    if form is None:
        form = PersonForm(
            partnership=partnership,
            initial={
                "role": member.role,
                "job_title": person.job_title,
                "organisation": person.organisation_id,
                "posts": [p.pk for p in person.posts.filter(partnership=partnership)],
            },
        )
    changes = PersonChange.objects.filter(partnership=partnership, person=person).select_related("actor").order_by("-at", "-id")
    context = {
        "partnership": partnership,
        "member": member,
        "person": person,
        "form": form,
        "is_me": person.pk == request.user.pk,
        "two_factor": TOTPDevice.objects.filter(user=person, confirmed=True).exists(),
        "posts": list(person.posts.filter(partnership=partnership).order_by("title")),
        "changes": list(changes),
        "nav_section": "people",
    }
    return render(request, "people/person_detail.html", context, status=status)


@login_required
def person_detail(request: HttpRequest, membership_id: int) -> HttpResponse:
    member, mine = officer_membership(request.user, membership_id)
    return _person_page(request, member, mine)


@login_required
@require_POST
def person_edit(request: HttpRequest, membership_id: int) -> HttpResponse:
    member, mine = officer_membership(request.user, membership_id)
    form = PersonForm(request.POST, partnership=member.partnership)
    written, changes = form_written(
        form,
        lambda data: person_change(actor=request.user, membership=member, **{**data, "posts": list(data["posts"])}),
        PeopleRuleError,
        "role",
    )
    if written:
        messages.success(request, f"Saved {len(changes)} change{'s' if len(changes) != 1 else ''} to {member.user}.")
        return redirect("people:person_detail", membership_id=member.pk)
    return _person_page(request, member, mine, form=form, status=422)


@login_required
@require_POST
def person_deactivate_view(request: HttpRequest, membership_id: int) -> HttpResponse:
    member, _mine = officer_membership(request.user, membership_id)
    partnership_id = member.partnership_id
    try:
        person_deactivate(actor=request.user, membership=member)
    except PeopleRuleError as problem:
        messages.error(request, str(problem))
        return redirect("people:person_detail", membership_id=member.pk)
    security_event("person_deactivated", request, person_id=member.user_id, partnership_id=partnership_id)
    messages.success(request, f"{member.user} can no longer use {member.partnership.name}: they have been signed out.")
    if Membership.objects.filter(pk=member.pk).exists():
        return redirect("people:person_detail", membership_id=member.pk)
    return redirect("people:people_list", partnership_id=partnership_id)


@login_required
@require_POST
def person_reactivate_view(request: HttpRequest, membership_id: int) -> HttpResponse:
    member, _mine = officer_membership(request.user, membership_id)
    _tried(request, lambda: person_reactivate(actor=request.user, membership=member), f"{member.user} can sign in again.")
    return redirect("people:person_detail", membership_id=member.pk)


@login_required
def post_list(request: HttpRequest, partnership_id: int) -> HttpResponse:
    partnership, _mine = officer_partnership(request.user, partnership_id)
    form = PostForm(request.POST or None, partnership=partnership)
    if request.method == "POST":
        written, post = form_written(
            form,
            lambda data: post_create(actor=request.user, partnership=partnership, title=data["title"], organisation=data["organisation"]),
            PeopleRuleError,
            "title",
        )
        if written:
            messages.success(request, f"Post “{post.title}” created.")
            return redirect("people:post_list", partnership_id=partnership.pk)
    context = {"partnership": partnership, "posts": posts_of(partnership), "form": form, "nav_section": "people"}
    return render(request, "people/post_list.html", context, status=422 if request.method == "POST" else 200)


def _post_page(request, post, *, form=None, hand_over=None, merge=None, status=200):
    partnership = post.partnership
    context = {
        "partnership": partnership,
        "post": post,
        "holders": list(post.holders.order_by("first_name", "last_name")),
        "form": form
        or PostForm(
            partnership=partnership,
            initial={"title": post.title, "organisation": post.organisation_id, "to_be_allocated": post.to_be_allocated},
        ),
        "hand_over": hand_over or HandOverForm(partnership=partnership),
        "merge": merge or MergeForm(post=post),
        "changes": list(PersonChange.objects.filter(post=post).select_related("actor", "person").order_by("-at", "-id")),
        "nav_section": "people",
    }
    return render(request, "people/post_detail.html", context, status=status)


@login_required
def post_detail(request: HttpRequest, post_id: int) -> HttpResponse:
    return _post_page(request, officer_object(request.user, Post, post_id))


@login_required
@require_POST
def post_edit(request: HttpRequest, post_id: int) -> HttpResponse:
    post = officer_object(request.user, Post, post_id)
    form = PostForm(request.POST, partnership=post.partnership)
    if form_written(form, lambda data: post_change(actor=request.user, post=post, **data), PeopleRuleError, "title")[0]:
        messages.success(request, f"Post “{post.title}” saved.")
        return redirect("people:post_detail", post_id=post.pk)
    return _post_page(request, post, form=form, status=422)


@login_required
@require_POST
def post_hand_over_view(request: HttpRequest, post_id: int) -> HttpResponse:
    post = officer_object(request.user, Post, post_id)
    form = HandOverForm(request.POST, partnership=post.partnership)
    if form_written(form, lambda data: post_hand_over(actor=request.user, post=post, **data), PeopleRuleError, "successor")[0]:
        messages.success(request, f"{form.cleaned_data['successor']} now holds “{post.title}” and its actions.")
        return redirect("people:post_detail", post_id=post.pk)
    return _post_page(request, post, hand_over=form, status=422)


@login_required
@require_POST
def post_merge_view(request: HttpRequest, post_id: int) -> HttpResponse:
    post = officer_object(request.user, Post, post_id)
    form = MergeForm(request.POST, post=post)
    if form_written(form, lambda data: post_merge(actor=request.user, keep=data["keep"], merged=post), PeopleRuleError, "keep")[0]:
        keep = form.cleaned_data["keep"]
        messages.success(request, f"“{post.title}” has been merged into “{keep.title}”: its actions, leads and holders moved across.")
        return redirect("people:post_detail", post_id=keep.pk)
    return _post_page(request, post, merge=form, status=422)
