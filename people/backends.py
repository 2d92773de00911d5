"""Password sign-in, whose person arrives on every request with their memberships in the same query.

Every signed-in page needs the person and their memberships (the access checks
and the menu): Django's ModelBackend reads the person, and the memberships were a
second query on every request. `MembersBackend.get_user` reads the memberships
with their partnership and their person in one (`memberships_with_user`, its SQL
compiled once a process) and hands them to `people.access.memberships_read`,
which then reads nothing. Someone with no membership yet is read as Django reads
them, and has none.
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.db.models import QuerySet

from accounts.models import User
from people.access import memberships_known, memberships_of
from people.models import Membership
from send_tracker.statements import kept_objects

# The path a session signed in with a password records; `login()` is given it where a view signs someone in itself.
MEMBERS_BACKEND = "people.backends.MembersBackend"


def memberships_with_user(user_id: int) -> QuerySet[Membership]:
    """A person's memberships, oldest first, each with its partnership, whether the person holds a post, and the person."""
    return memberships_of(user_id).select_related("user")


class MembersBackend(ModelBackend):
    def authenticate(self, request, username: str | None = None, password: str | None = None, **kwargs) -> User | None:
        """By the account's username, or by its email address where that names one account only: the sign-in page asks
        for the email address, and an install's first administrator (`createsuperuser`) may have another username."""
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None or not username or "@" not in username or password is None:
            return user
        named = list(User.objects.filter(email__iexact=username.strip()).exclude(username__iexact=username.strip())[:2])
        if len(named) == 1 and named[0].check_password(password) and self.user_can_authenticate(named[0]):
            return named[0]
        return None

    def get_user(self, user_id: int) -> User | None:
        memberships = kept_objects(memberships_with_user, user_id)
        if not memberships:
            user = super().get_user(user_id)
            if user is not None:
                memberships_known(user, [])
            return user
        user = memberships[0].user
        for membership in memberships:
            membership.user = user  # one person, not a copy of them for each row
        memberships_known(user, memberships)
        return user if self.user_can_authenticate(user) else None
