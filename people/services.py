"""What a programme officer changes about their partnership's people and posts, each change recorded.

Every service takes the officer (`actor`) and the partnership they act in, touches
nothing outside it, and writes a PersonChange for each change: who, when,
what before and after. None of them can grant an install administrator's rights.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from importlib import import_module
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import ForeignKey
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.emails import email_address_problem
from accounts.models import User
from people.models import Invitation, Membership, Organisation, Partnership, PersonChange, Post

if TYPE_CHECKING:
    from collections.abc import Iterable


class PeopleRuleError(ValueError):
    """A change the partnership's rules refuse, with the message to show the officer."""


def _record(partnership: Partnership, actor: User | None, what: str, before: str = "", after: str = "", **about) -> PersonChange:
    return PersonChange.objects.create(partnership=partnership, actor=actor, what=what, before=before, after=after, **about)


def _titles(posts: Iterable[Post]) -> str:
    return "; ".join(sorted(post.title for post in posts))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation a link's token belongs to, whatever its state (the page says which)."""
    if not token or len(token) > 100:
        return None
    return Invitation.objects.select_related("partnership", "organisation").filter(token_hash=token_hash(token)).first()


def _send_invitation(invitation: Invitation, token: str) -> None:
    context = {
        "invitation": invitation,
        "url": settings.SITE_URL + reverse("people:invitation_accept", args=[token]),
        "posts": list(invitation.posts.all()),
        "days": settings.INVITATION_DAYS,
        "service_name": settings.SERVICE_NAME,
    }
    send_mail(
        subject=f"You are invited to {invitation.partnership.name} on the {settings.SERVICE_NAME}",
        message=render_to_string("people/email/invitation.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[invitation.email],
    )


def _new_token() -> tuple[str, str, dt.datetime]:
    token = secrets.token_urlsafe(32)
    return token, token_hash(token), timezone.now() + dt.timedelta(days=settings.INVITATION_DAYS)


@transaction.atomic
def invitation_create(
    *,
    actor: User,
    partnership: Partnership,
    email: str,
    first_name: str,
    last_name: str,
    organisation: Organisation | None,
    role: str,
    posts: list[Post],
) -> Invitation:
    """Invite someone by email with a role and posts; the emailed link works once, until it expires."""
    email = email.strip()
    if problem := email_address_problem(email):
        raise PeopleRuleError(problem)
    if Membership.objects.filter(partnership=partnership, user__email__iexact=email).exists():
        raise PeopleRuleError(f"{email} is already a member of {partnership.name}")
    if Invitation.objects.filter(partnership=partnership, email__iexact=email, accepted_at=None, withdrawn_at=None).exists():
        raise PeopleRuleError(f"{email} has already been invited: resend that invitation from the people page")
    _check_in_partnership(partnership, organisation, posts)
    token, hashed, expires = _new_token()
    invitation = Invitation.objects.create(
        partnership=partnership,
        email=email,
        first_name=first_name,
        last_name=last_name,
        organisation=organisation,
        role=role,
        token_hash=hashed,
        invited_by=actor,
        expires_at=expires,
    )
    invitation.posts.set(posts)
    _record(
        partnership,
        actor,
        "Invited",
        after=f"{email} as {Membership.Role(role).label}; posts: {_titles(posts) or 'none'}",
        invitation=invitation,
    )
    transaction.on_commit(lambda: _send_invitation(invitation, token))
    return invitation


@transaction.atomic
def invitation_resend(*, actor: User, invitation: Invitation) -> Invitation:
    """Send a fresh link with a fresh expiry; the link sent before stops working."""
    if invitation.accepted_at or invitation.withdrawn_at:
        raise PeopleRuleError("This invitation has been accepted or withdrawn: it cannot be sent again")
    if problem := email_address_problem(invitation.email):
        # An invitation saved before addresses were checked as mail systems check them.
        raise PeopleRuleError(f"This invitation cannot be sent: {problem}. Withdraw it and invite {invitation.email!a} again.")
    token, hashed, expires = _new_token()
    invitation.token_hash, invitation.expires_at, invitation.sent_at = hashed, expires, timezone.now()
    invitation.save(update_fields=["token_hash", "expires_at", "sent_at"])
    _record(invitation.partnership, actor, "Invitation resent", after=invitation.email, invitation=invitation)
    transaction.on_commit(lambda: _send_invitation(invitation, token))
    return invitation


@transaction.atomic
def invitation_withdraw(*, actor: User, invitation: Invitation) -> None:
    if invitation.accepted_at:
        raise PeopleRuleError("This invitation has already been accepted: deactivate the person instead")
    if invitation.withdrawn_at:
        return
    invitation.withdrawn_at = timezone.now()
    invitation.save(update_fields=["withdrawn_at"])
    _record(invitation.partnership, actor, "Invitation withdrawn", before=invitation.email, invitation=invitation)


@transaction.atomic
def invitation_accept(*, invitation: Invitation, password: str | None) -> User:
    """Make the invited person a member, with the invitation's role and posts: once, and only before it expires.

    A new account gets the password they chose (None: single sign-on, no
    password of ours). Someone who already has an account (in another
    partnership) keeps it and its password.
    """
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not locked.is_open():
        raise PeopleRuleError(f"This invitation is {locked.get_status_display().lower()}")
    user = User.objects.filter(email__iexact=locked.email).first()
    if user is None:
        user = User(
            username=locked.email.lower(),
            email=locked.email,
            first_name=locked.first_name,
            last_name=locked.last_name,
            organisation=locked.organisation,
        )
        user.set_password(password) if password else user.set_unusable_password()
        user.save()
    Membership.objects.get_or_create(user=user, partnership=locked.partnership, defaults={"role": locked.role})
    posts = list(locked.posts.all())
    user.posts.add(*posts)
    locked.accepted_at, locked.accepted_by = timezone.now(), user
    locked.save(update_fields=["accepted_at", "accepted_by"])
    _record(
        locked.partnership,
        user,
        "Joined",
        after=f"{Membership.Role(locked.role).label}; posts: {_titles(posts) or 'none'}",
        person=user,
        invitation=locked,
    )
    return user


def invitation_for_sign_on(email: str) -> Invitation | None:
    """The open invitation for an email that single sign-on vouches for (the newest, if several partnerships invited it)."""
    if not email:
        return None
    return Invitation.objects.filter(email__iexact=email, accepted_at=None, withdrawn_at=None, expires_at__gt=timezone.now()).first()


def _check_in_partnership(partnership: Partnership, organisation: Organisation | None, posts: Iterable[Post]) -> None:
    # Forms only offer the partnership's own; this holds for any caller.
    if organisation is not None and organisation.partnership_id != partnership.pk:
        raise PeopleRuleError("That organisation is not in this partnership")
    if any(post.partnership_id != partnership.pk for post in posts):
        raise PeopleRuleError("That post is not in this partnership")


def _officers_left(partnership: Partnership, without: User) -> int:
    return (
        Membership.objects.filter(partnership=partnership, role=Membership.Role.OFFICER, user__is_active=True).exclude(user=without).count()
    )


@transaction.atomic
def person_change(
    *, actor: User, membership: Membership, role: str, posts: list[Post], organisation: Organisation | None, job_title: str
) -> list[PersonChange]:
    """Change a member's role, posts (in this partnership only), organisation and job title."""
    partnership = membership.partnership
    person = User.objects.select_for_update().get(pk=membership.user_id)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    _check_in_partnership(partnership, organisation, posts)
    changes = []
    if role != membership.role:
        if membership.role == Membership.Role.OFFICER and _officers_left(partnership, person) == 0:
            raise PeopleRuleError(f"{person} is the last programme officer of {partnership.name}: make someone else an officer first")
        changes.append(_record(partnership, actor, "Role", membership.get_role_display(), Membership.Role(role).label, person=person))
        membership.role = role
        membership.save(update_fields=["role"])
    held_here = set(person.posts.filter(partnership=partnership))
    wanted = set(posts)
    if held_here != wanted:
        changes.append(_record(partnership, actor, "Posts", _titles(held_here), _titles(wanted), person=person))
        person.posts.remove(*(held_here - wanted))
        person.posts.add(*(wanted - held_here))
    if organisation != person.organisation and (organisation is not None or person.organisation_id is not None):
        before = person.organisation.name if person.organisation else ""
        changes.append(_record(partnership, actor, "Organisation", before, organisation.name if organisation else "", person=person))
        person.organisation = organisation
        person.save(update_fields=["organisation"])
    if job_title != person.job_title:
        changes.append(_record(partnership, actor, "Job title", person.job_title, job_title, person=person))
        person.job_title = job_title
        person.save(update_fields=["job_title"])
    return changes


def sessions_end(user: User) -> int:
    """Sign the person out everywhere, at once: delete every session of theirs.

    Through the session engine, so a session held in the cache as well as the
    database (cached_db, as deployments with Redis run) goes from both.
    """
    store = import_module(settings.SESSION_ENGINE).SessionStore
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get(SESSION_KEY)) == str(user.pk):
            store(session.session_key).delete()
            ended += 1
    return ended


@transaction.atomic
def person_deactivate(*, actor: User, membership: Membership) -> None:
    """Take a person out of the partnership: sessions end at once, posts here are released, history stays.

    Someone who belongs to this partnership alone can no longer sign in at all;
    someone who also belongs to another keeps their account there.
    """
    partnership = membership.partnership
    person = User.objects.select_for_update().get(pk=membership.user_id)
    if membership.role == Membership.Role.OFFICER and _officers_left(partnership, person) == 0:
        raise PeopleRuleError(f"{person} is the last programme officer of {partnership.name}: make someone else an officer first")
    held_here = list(person.posts.filter(partnership=partnership))
    person.posts.remove(*held_here)
    elsewhere = Membership.objects.filter(user=person).exclude(partnership=partnership).exists()
    if elsewhere:
        _record(partnership, actor, "Removed from the partnership", membership.get_role_display(), "", person=person)
        Membership.objects.filter(pk=membership.pk).delete()
    else:
        _record(partnership, actor, "Deactivated", f"Active; posts: {_titles(held_here) or 'none'}", "Cannot sign in", person=person)
        person.is_active = False
        person.save(update_fields=["is_active"])
    transaction.on_commit(lambda: sessions_end(person))


@transaction.atomic
def person_reactivate(*, actor: User, membership: Membership) -> None:
    person = User.objects.select_for_update().get(pk=membership.user_id)
    if Membership.objects.filter(user=person).exclude(partnership=membership.partnership).exists():
        raise PeopleRuleError("This account belongs to another partnership too: ask an install administrator")
    person.is_active = True
    person.save(update_fields=["is_active"])
    _record(membership.partnership, actor, "Reactivated", "Cannot sign in", "Active", person=person)


@transaction.atomic
def post_hand_over(*, actor: User, post: Post, successor: User) -> None:
    """Give a post to its new holder in one step: whoever held it lets it go, and its actions follow the post."""
    partnership = post.partnership
    if not Membership.objects.filter(user=successor, partnership=partnership).exists():
        raise PeopleRuleError("The successor must be a member of this partnership")
    holders = list(post.holders.exclude(pk=successor.pk))
    for holder in holders:
        holder.posts.remove(post)
        _record(partnership, actor, "Post handed over", post.title, f"to {successor}", person=holder, post=post)
    successor.posts.add(post)
    if post.to_be_allocated:
        Post.objects.filter(pk=post.pk).update(to_be_allocated=False)
    before = ", ".join(str(h) for h in holders) or "nobody"
    _record(partnership, actor, "Post taken over", f"{post.title} (held by {before})", post.title, person=successor, post=post)


@transaction.atomic
def post_create(*, actor: User, partnership: Partnership, title: str, organisation: Organisation | None) -> Post:
    title = title.strip()
    if Post.objects.filter(partnership=partnership, title__iexact=title).exists():
        raise PeopleRuleError(f"There is already a post called '{title}'")
    _check_in_partnership(partnership, organisation, [])
    post = Post.objects.create(partnership=partnership, title=title, organisation=organisation)
    _record(partnership, actor, "Post created", "", title, post=post)
    return post


@transaction.atomic
def post_change(*, actor: User, post: Post, title: str, organisation: Organisation | None, to_be_allocated: bool) -> None:
    """Rename a post, set its organisation, or mark it "to be allocated" (its holders let it go)."""
    partnership = post.partnership
    title = title.strip()
    _check_in_partnership(partnership, organisation, [])
    if title != post.title:
        if Post.objects.filter(partnership=partnership, title__iexact=title).exclude(pk=post.pk).exists():
            raise PeopleRuleError(f"There is already a post called '{title}': merge the two instead")
        _record(partnership, actor, "Post renamed", post.title, title, post=post)
        post.title = title
    if organisation != post.organisation:
        before = post.organisation.name if post.organisation else ""
        _record(partnership, actor, "Post organisation", before, organisation.name if organisation else "", post=post)
        post.organisation = organisation
    if to_be_allocated and not post.to_be_allocated:
        for holder in post.holders.all():
            _record(partnership, actor, "Post released", post.title, "to be allocated", person=holder, post=post)
        post.holders.clear()
        _record(partnership, actor, "Post to be allocated", "", post.title, post=post)
    elif not to_be_allocated and post.to_be_allocated:
        _record(partnership, actor, "Post no longer to be allocated", post.title, "", post=post)
    post.to_be_allocated = to_be_allocated
    post.save()


@transaction.atomic
def post_merge(*, actor: User, keep: Post, merged: Post) -> None:
    """Merge two posts that are the same job: everything that named `merged` names `keep`, then `merged` goes.

    Every reference to a post is moved, in whichever app holds it (action
    owners, group leads, KPI owners, holders), found from the model's own
    relations so that a new one cannot be forgotten here.
    """
    if keep.pk == merged.pk or keep.partnership_id != merged.partnership_id:
        raise PeopleRuleError("Choose another post of this partnership to merge into")
    for relation in Post._meta.get_fields(include_hidden=True):
        if relation.related_model is PersonChange or (relation.one_to_many and relation.related_model._meta.auto_created):
            continue  # the record of what happened stays as it was; many-to-many tables are handled as such below
        if relation.many_to_many and relation.auto_created:  # reverse many-to-many: holders, action owners ...
            through = relation.through
            source = next(f.name for f in through._meta.fields if f.related_model is Post)
            other = next(f.name for f in through._meta.fields if f.related_model is not Post and f.related_model is not None)
            already = set(through.objects.filter(**{source: keep}).values_list(f"{other}_id", flat=True))
            through.objects.filter(**{source: merged, f"{other}_id__in": already}).delete()
            through.objects.filter(**{source: merged}).update(**{source: keep})
        elif relation.one_to_many and relation.auto_created and isinstance(relation.field, ForeignKey):
            relation.related_model._base_manager.filter(**{relation.field.name: merged}).update(**{relation.field.name: keep})
    _record(keep.partnership, actor, "Posts merged", f"{merged.title}; {keep.title}", keep.title, post=keep)
    merged.delete()
