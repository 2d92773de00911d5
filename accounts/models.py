"""The people who sign in."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    job_title = models.CharField(max_length=200, blank=True)
    organisation = models.ForeignKey("people.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="people")
    posts = models.ManyToManyField(
        "people.Post", blank=True, related_name="holders", help_text="The job titles this person holds in plans."
    )

    def __str__(self) -> str:
        return self.get_full_name() or self.email or self.username


class IdentityProvider(models.Model):
    """An organisation's OpenID Connect provider, such as a council's or an ICB's Microsoft Entra ID tenant.

    Set up by the install's administrator (in the admin). A provider signs in only
    people who already have an account (or an open invitation) whose email address
    is in one of its domains, so a council's tenant cannot vouch for an ICB's staff.
    """

    name = models.CharField(max_length=120, help_text='Shown on the sign-in page: "Sign in with …"')
    slug = models.SlugField(unique=True, help_text="Part of its sign-in address: /sso/<slug>/authenticate/")
    email_domains = models.CharField(
        max_length=1000, help_text="The email domains it signs in, separated by commas (for example cheshireeast.gov.uk, nhs.net)"
    )
    client_id = models.CharField(max_length=255)
    client_secret = models.CharField(max_length=1000)
    entra_tenant_id = models.CharField(
        max_length=64, blank=True, help_text="Microsoft Entra ID: fills in the endpoints and refuses tokens from any other tenant"
    )
    authorization_endpoint = models.URLField(max_length=500, blank=True)
    token_endpoint = models.URLField(max_length=500, blank=True)
    user_endpoint = models.URLField(max_length=500, blank=True)
    jwks_endpoint = models.URLField(max_length=500, blank=True)
    sign_algo = models.CharField(max_length=10, default="RS256")
    trust_idp_mfa = models.BooleanField(
        default=False, help_text="Only when the provider itself enforces a second factor: ours is then not asked for again"
    )
    enabled = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def domains(self) -> set[str]:
        return {d.strip().lower().lstrip("@") for d in self.email_domains.split(",") if d.strip()}

    def vouches_for(self, email: str) -> bool:
        """Whether an email address is one this provider may sign in (any, for the install-wide provider)."""
        domain = email.rpartition("@")[2].strip().lower()
        return self.slug == INSTALL_PROVIDER or (bool(domain) and domain in self.domains())

    def endpoints(self) -> dict[str, str]:
        entra = f"https://login.microsoftonline.com/{self.entra_tenant_id}" if self.entra_tenant_id else ""
        return {
            "OIDC_OP_AUTHORIZATION_ENDPOINT": self.authorization_endpoint or (f"{entra}/oauth2/v2.0/authorize" if entra else ""),
            "OIDC_OP_TOKEN_ENDPOINT": self.token_endpoint or (f"{entra}/oauth2/v2.0/token" if entra else ""),
            "OIDC_OP_USER_ENDPOINT": self.user_endpoint or ("https://graph.microsoft.com/oidc/userinfo" if entra else ""),
            "OIDC_OP_JWKS_ENDPOINT": self.jwks_endpoint or (f"{entra}/discovery/v2.0/keys" if entra else ""),
        }

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        errors = {}
        if not self.domains():
            errors["email_domains"] = "Enter at least one email domain, such as cheshireeast.gov.uk."
        if not all(self.endpoints().values()):
            errors["entra_tenant_id"] = "Enter the Entra ID tenant, or all four endpoints below."
        if errors:
            raise ValidationError(errors)


# The provider configured by environment variables (OIDC_RP_CLIENT_ID …), for an install with one.
INSTALL_PROVIDER = "install"
