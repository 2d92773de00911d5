from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator

from accounts.emails import refuse_hidden_characters, validate_email_address
from send_tracker.security import security_event


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=20,
        error_messages={"required": "Enter the code from your authenticator app", "max_length": "Enter a code of 6 digits"},
    )


def _sign_in_name_check(value: str) -> None:
    """An email address is checked as an invitation's is; an administrator's plain user name, for hidden characters only."""
    if "@" in value:
        validate_email_address(value)
    else:
        refuse_hidden_characters(value)


class SignInForm(AuthenticationForm):
    """Django's sign-in form, with the username's length checked before anyone tries to authenticate it.

    Django sets the field's max_length after construction, so the check never
    runs; a longer username would reach the sign-in throttle's table and fail there.
    """

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Enter the email address and password of your account: one of them is not right",
    }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.validators += [MaxLengthValidator(field.max_length), _sign_in_name_check]
        field.error_messages["max_length"] = f"Enter an email address of {field.max_length} characters or fewer"
        field.error_messages["required"] = "Enter your email address"
        self.fields["password"].error_messages["required"] = "Enter your password"
        self.fields["password"].validators.append(MaxLengthValidator(4096))
        self.fields["password"].error_messages["max_length"] = "Enter a password of 4,096 characters or fewer"

    def clean(self):
        if "username" in self.errors and self.data.get("username"):
            # Refused before any password was checked; still a failed sign-in for the security log.
            security_event("sign_in_failed", self.request, username=self.data.get("username", ""), reason="refused name")
            return self.cleaned_data
        return super().clean()
