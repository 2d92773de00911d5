from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from people.access import memberships_read
from people.models import Membership


def service(request: HttpRequest) -> dict:
    partnership = membership = None
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        # The memberships the access check read, if it did; whether they hold a post rides on them.
        memberships = memberships_read(user)
        membership = memberships[0] if memberships else None
        partnership = membership.partnership if membership else None

    def shows_my_actions() -> bool:
        # A board member or co-production partner with no post has no actions of their own: no My actions link
        # (read only when the menu is drawn).
        readers = (Membership.Role.BOARD_MEMBER, Membership.Role.COPRODUCTION)
        return membership is None or membership.role not in readers or membership.holds_post

    # The partnership shown in the header; officers also get its People link (service_membership).
    return {
        "service_name": settings.SERVICE_NAME,
        "partnership": partnership,
        "shows_my_actions": shows_my_actions,
        "service_membership": membership,
        # static/js/fresh-token.js reads the CSRF token from this cookie as a form is sent.
        "csrf_cookie_name": settings.CSRF_COOKIE_NAME,
    }
