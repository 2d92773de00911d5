"""Forms of co-production: the families' view, "You said, we did" summaries and the public page's settings."""

from __future__ import annotations

from django import forms

from coproduction.models import FamiliesLevel, PublicPage

TEXT_MAX_LENGTH = 5_000


class FamiliesViewForm(forms.Form):
    level = forms.ChoiceField(
        label="What do families say about this area now?",
        choices=FamiliesLevel.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what families say about this area"},
    )
    narrative = forms.CharField(
        label="What families are saying",
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea,
        error_messages={"required": "Enter what families are saying"},
    )
    source = forms.CharField(
        label="Where this comes from",
        help_text="For example a survey question and its result, a listening event, or themes from casework.",
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea,
        error_messages={"required": "Enter where this view comes from"},
    )
    publishable = forms.BooleanField(label="The forum agrees to show this view on the public progress page", required=False)

    @staticmethod
    def initial_from(view) -> dict:
        """What a form starts from when the forum records a group's view again: the earlier view's answers."""
        if view is None:
            return {}
        return {"level": view.level, "narrative": view.narrative, "source": view.source, "publishable": view.publishable}

    def clean_narrative(self) -> str:
        return self.cleaned_data["narrative"].strip()

    def clean_source(self) -> str:
        return self.cleaned_data["source"].strip()


class SummaryForm(forms.Form):
    you_said = forms.CharField(
        label="You said",
        help_text="What families told us, in plain English.",
        max_length=TEXT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea,
    )
    we_did = forms.CharField(
        label="We did", help_text="What the partnership did about it.", max_length=TEXT_MAX_LENGTH, required=False, widget=forms.Textarea
    )


class PublicPageForm(forms.ModelForm):
    class Meta:
        model = PublicPage
        fields = ["slug", "introduction", "show_families_view", "show_ratings"]
        labels = {
            "slug": "Web address",
            "introduction": "Introduction",
            "show_families_view": "Show the families' views the forum agreed to publish",
            "show_ratings": "Show the officers' rating mix of each delivery group",
        }
        help_texts = {"slug": "Lower-case letters, numbers and hyphens: the page is at /progress/<address>/."}
        widgets = {"slug": forms.TextInput(attrs={"spellcheck": "false"})}
        error_messages = {
            "slug": {
                "unique": "Another strategy's page already uses that address",
                "invalid": "Use only lower-case letters, numbers and hyphens",
            }
        }
