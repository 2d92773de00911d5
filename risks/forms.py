"""The risk register's forms: a risk, its re-score with a reason, closing and reopening it, and the partnership's scale."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.text import format_lazy

from actions.forms import ActionRefsField
from actions.models import DATE_HINT_AHEAD
from people.models import Membership, Post
from risks.models import DEFAULT_IMPACT_LABELS, DEFAULT_LIKELIHOOD_LABELS, Risk, RiskScale
from send_tracker.forms import GovukDateField, unique_ref


def score_field(label: str, labels: list[str], what: str) -> forms.TypedChoiceField:
    """One likelihood or impact on the five-point scale, each choice with the partnership's words."""
    return forms.TypedChoiceField(
        label=label,
        coerce=int,
        choices=[("", "Select a score"), *((n, f"{n} – {words}") for n, words in enumerate(labels, start=1))],
        error_messages={
            "required": f"Select the {what}, from 1 to 5",
            "invalid_choice": f"The {what} must be on the scale, from 1 to 5",
        },
    )


def _score_fields(form: forms.Form, scale: RiskScale, names: list[tuple[str, str, str]]) -> None:
    for name, label, what in names:
        labels = scale.likelihood_labels if name.endswith("likelihood") else scale.impact_labels
        form.fields[name] = score_field(label, labels, what)


RESIDUAL = [
    ("residual_likelihood", "Likelihood now, with the controls", "likelihood with the controls"),
    ("residual_impact", "Impact now, with the controls", "impact with the controls"),
]
INHERENT = [
    ("inherent_likelihood", "Likelihood before controls", "likelihood before controls"),
    ("inherent_impact", "Impact before controls", "impact before controls"),
]
TARGET = [
    ("target_likelihood", "Target likelihood", "target likelihood"),
    ("target_impact", "Target impact", "target impact"),
]


def next_review_ahead(review_date: dt.date) -> dt.date:
    """The next review date, unless it is today or earlier: a risk added or re-scored has just been reviewed."""
    if review_date <= timezone.localdate():
        raise forms.ValidationError("The next review date must be after today")
    return review_date


class RiskForm(forms.ModelForm):
    """What a risk says. A new risk is scored here too; afterwards its scores change only by a re-score with a reason."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    action_refs = ActionRefsField(label="Actions that mitigate it")
    review_date = GovukDateField(what="the next review date", label="Next review date", help_text=DATE_HINT_AHEAD)

    class Meta:
        model = Risk
        fields = ["ref", "title", "category", "owner", "cause", "effect", "controls", "review_date", "restricted"]
        labels = {
            "ref": "Reference",
            "title": "Risk",
            "owner": "Owner (a post)",
            "cause": "Cause",
            "effect": "Effect",
            "controls": "Controls in place",
            "restricted": "Restricted: commercial or personal",
        }
        help_texts = {"ref": "For example R1", "title": "A short name, for example Sufficiency of specialist places"}
        error_messages = {
            "ref": {"required": "Enter a reference, for example R1"},
            "title": {"required": "Enter the risk in a few words"},
            "category": {"required": "Select a category"},
            "owner": {"required": "Select the post that owns the risk", "invalid_choice": "Select a post of this partnership"},
            "cause": {"required": "Enter what causes the risk"},
            "effect": {"required": "Enter what would follow if it happened"},
        }

    def __init__(self, *args, strategy, scale: RiskScale, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.strategy = strategy
        self.instance.strategy = strategy
        self.fields["owner"].queryset = Post.objects.filter(partnership_id=strategy.partnership_id, to_be_allocated=False)
        self.fields["owner"].empty_label = "Select a post"
        self.fields["category"].choices = [("", "Select a category"), *Risk.Category.choices]
        self.fields["action_refs"].strategy_id = strategy.pk
        _score_fields(self, scale, TARGET if self.instance.pk else INHERENT + RESIDUAL + TARGET)
        # The error summary lists the problems in this order: the page's, with the scores after the controls.
        scores = [name for name, _label, _what in INHERENT + RESIDUAL + TARGET]
        self.order_fields(["version", "ref", "title", "category", "owner", "cause", "effect", "controls", *scores, "action_refs"])
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version
            self.initial["action_refs"] = ActionRefsField.initial_for(self.instance.mitigating_actions.all())
            for name, _label, _what in TARGET:
                self.initial[name] = getattr(self.instance, name)

    def clean_review_date(self) -> dt.date:
        review_date = self.cleaned_data["review_date"]
        # An edit that leaves an overdue date as it was is not a review: the register goes on saying it is overdue.
        if self.instance.pk is None or review_date != self.instance.review_date:
            return next_review_ahead(review_date)
        return review_date

    def clean_ref(self) -> str:
        taken = "There is already a risk {} in this register: choose another reference"
        return unique_ref(self, Risk.objects.filter(strategy=self.strategy), taken)

    def clean(self) -> dict:
        data = super().clean()
        for name, _label, _what in INHERENT + RESIDUAL + TARGET:
            if name in data:
                setattr(self.instance, name, data[name])
        if self.instance.pk is None and not self.errors:
            if self.instance.residual_score > self.instance.inherent_score:
                self.add_error("residual_likelihood", "The score with the controls cannot be higher than the score before them")
        if not self.errors and self.instance.target_score > self.instance.residual_score and self.instance.pk is None:
            self.add_error("target_likelihood", "The target score cannot be higher than the score now")
        return data

    def score_fields(self) -> list[forms.BoundField]:
        return [self[name] for name, _l, _w in INHERENT + RESIDUAL + TARGET if name in self.fields]


class RescoreForm(forms.Form):
    """A new scoring of a risk, and why: the history keeps it for good."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(
        label="Why has the score changed?",
        widget=forms.Textarea,
        max_length=2000,
        error_messages={"required": "Enter why the score has changed: the board reads it in the risk's history"},
    )
    review_date = GovukDateField(
        what="the next review date",
        label="Next review date",
        help_text=format_lazy("Re-scoring is a review: when is the next one? {}", DATE_HINT_AHEAD),
    )

    def __init__(self, *args, risk: Risk, scale: RiskScale, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.risk = risk
        _score_fields(self, scale, INHERENT + RESIDUAL)
        self.order_fields(["version", *(name for name, _label, _what in INHERENT + RESIDUAL), "reason", "review_date"])
        if not self.is_bound:
            self.initial["version"] = risk.version
            self.initial["review_date"] = risk.review_date
            for name, _label, _what in INHERENT + RESIDUAL:
                self.initial[name] = getattr(risk, name)

    def clean_review_date(self) -> dt.date:
        return next_review_ahead(self.cleaned_data["review_date"])

    def clean(self) -> dict:
        data = super().clean()
        if self.errors:
            return data
        if data["residual_likelihood"] * data["residual_impact"] > data["inherent_likelihood"] * data["inherent_impact"]:
            self.add_error("residual_likelihood", "The score with the controls cannot be higher than the score before them")
        return data

    def scores(self) -> dict[str, int]:
        return {name: self.cleaned_data[name] for name, _l, _w in INHERENT + RESIDUAL}

    def score_fields(self) -> list[forms.BoundField]:
        return [self[name] for name, _l, _w in INHERENT + RESIDUAL]


class CloseForm(forms.Form):
    """Closing a risk that no longer applies, and why: its page keeps the reason for good."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(
        label="Why is the risk being closed?",
        help_text="For example, the cause has gone, or the risk has happened and is now managed as an issue",
        widget=forms.Textarea,
        max_length=2000,
        error_messages={
            "required": "Enter why the risk is being closed: its page keeps the reason",
            "max_length": "Use 2,000 characters or fewer",
        },
    )

    def __init__(self, *args, risk: Risk, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["version"] = risk.version


class ReopenForm(forms.Form):
    """Reopening a closed risk: the button on its page, with the version the page showed."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class RiskScaleForm(forms.ModelForm):
    """The words of the partnership's five likelihoods and five impacts, and the roles that read restricted risks."""

    restricted_roles = forms.MultipleChoiceField(
        label="Who else reads restricted risks",
        help_text="Programme officers and each risk's owner always read it",
        choices=[(value, label) for value, label in Membership.Role.choices if value != Membership.Role.OFFICER],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = RiskScale
        fields = ["restricted_roles"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for kind, defaults in (("likelihood", DEFAULT_LIKELIHOOD_LABELS), ("impact", DEFAULT_IMPACT_LABELS)):
            current = getattr(self.instance, f"{kind}_labels")
            for n in range(1, 6):
                self.fields[f"{kind}_{n}"] = forms.CharField(
                    label=f"{kind.capitalize()} {n}",
                    max_length=40,
                    initial=current[n - 1],
                    help_text=f"Usually “{defaults[n - 1]}”",
                    error_messages={"required": f"Enter the words for {kind} {n}", "max_length": "Use 40 characters or fewer"},
                )

    def likelihood_fields(self) -> list[forms.BoundField]:
        return [self[f"likelihood_{n}"] for n in range(1, 6)]

    def impact_fields(self) -> list[forms.BoundField]:
        return [self[f"impact_{n}"] for n in range(1, 6)]

    def save(self, commit: bool = True) -> RiskScale:
        for kind in ("likelihood", "impact"):
            setattr(self.instance, f"{kind}_labels", [self.cleaned_data[f"{kind}_{n}"].strip() for n in range(1, 6)])
        return super().save(commit=commit)
