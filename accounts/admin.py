from __future__ import annotations

from django import forms
from django.contrib import admin

from accounts.models import IdentityProvider
from send_tracker.forms import HTTPS_URLS, https_urls


class IdentityProviderForm(forms.ModelForm):
    class Meta:
        model = IdentityProvider
        fields = [
            "name", "slug", "email_domains", "client_id", "client_secret", "entra_tenant_id",
            "authorization_endpoint", "token_endpoint", "user_endpoint", "jwks_endpoint", "sign_algo", "trust_idp_mfa", "enabled",
        ]  # fmt: skip
        # The secret is written, never shown again.
        widgets = {"client_secret": forms.PasswordInput(render_value=False)}
        formfield_callback = https_urls

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["client_secret"].required = False
            self.fields["client_secret"].help_text = "Leave empty to keep the secret already saved."

    def clean_client_secret(self) -> str:
        return self.cleaned_data["client_secret"] or self.instance.client_secret


@admin.register(IdentityProvider)
class IdentityProviderAdmin(admin.ModelAdmin):
    form = IdentityProviderForm
    formfield_overrides = HTTPS_URLS
    list_display = ("name", "slug", "email_domains", "entra_tenant_id", "enabled")
    prepopulated_fields = {"slug": ("name",)}
