from __future__ import annotations

from django import forms


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        label="Name",
        help_text="What the token is for, such as 'Power BI board dashboard'",
        error_messages={"required": "Enter a name for the token", "max_length": "Name must be 100 characters or fewer"},
    )
