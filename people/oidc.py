"""Single sign-on for invited people: the provider's email matches an open invitation, which it accepts.

Still no account is made on a provider's say-so alone: only an officer's
invitation, unexpired and not withdrawn, to that email address lets single
sign-on create one (with no password of ours).
"""

from __future__ import annotations

from accounts.oidc import ExistingAccountsBackend
from people.services import PeopleRuleError, invitation_accept, invitation_for_sign_on


class InvitedAccountsBackend(ExistingAccountsBackend):
    def get_or_create_user(self, access_token, id_token, payload):
        user = super().get_or_create_user(access_token, id_token, payload)
        if user is not None:
            return user
        claims = self.get_userinfo(access_token, id_token, payload)
        email = (claims.get("email") or "").strip()
        if not self.provider.vouches_for(email):
            return None
        invitation = invitation_for_sign_on(email)
        if invitation is None:
            return None
        try:
            return invitation_accept(invitation=invitation, password=None)
        except PeopleRuleError:
            return None
