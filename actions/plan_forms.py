"""Forms officers fill in to change the plan: every choice is limited to the strategy's own partnership."""

from __future__ import annotations

from django import forms
from django.utils.text import capfirst

from actions.forms import ActionRefsField
from actions.models import Action, DeliveryGroup, DueDateError, RatingLevel, RatingScheme, Strategy, due_example, parse_due
from actions.plan import due_words, lines
from people.forms import posts_field
from people.models import Partnership, Post
from send_tracker.forms import GovukDateField


class StrategyForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200, error_messages={"required": "Enter the strategy's name"})
    scheme = forms.ModelChoiceField(
        label="Rating scheme",
        queryset=RatingScheme.objects.none(),
        empty_label=None,
        help_text="The shipped schemes and your partnership's own (see Rating schemes).",
        error_messages={"required": "Choose a rating scheme", "invalid_choice": "Choose one of the rating schemes listed"},
    )
    period_start = GovukDateField(
        what="the day the period starts", label="Period starts", required=False, help_text="For example, 1 9 2025"
    )
    period_end = GovukDateField(what="the day the period ends", label="Period ends", required=False, help_text="For example, 31 8 2028")
    description = forms.CharField(label="Description", required=False, widget=forms.Textarea)
    file = forms.FileField(
        label="Start from a plan file",
        required=False,
        help_text=(
            "A CSV or Excel file: in the import format, or your own tracker, whose columns and ratings you then match. "
            "You check every action before it is added."
        ),
    )

    def __init__(self, *args, partnership: Partnership, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scheme"].queryset = RatingScheme.objects.available_to(partnership).order_by("partnership_id", "name")


class DueField(forms.CharField):
    """A due month, a date or TBC, read the way the plan import reads a due cell."""

    def clean(self, value):
        text = super().clean(value)
        try:
            return parse_due(text)
        except DueDateError as exc:
            # Its first letter raised, the rest as written: "March 2027" and "TBC" keep their capitals.
            raise forms.ValidationError(capfirst(str(exc))) from None


class ActionForm(forms.Form):
    ref = forms.CharField(
        label="Ref",
        max_length=40,
        help_text="One word, unique in the strategy, such as EHC-C7.",
        error_messages={"required": "Enter the action's ref"},
    )
    text = forms.CharField(
        label="Action", widget=forms.Textarea, max_length=10_000, error_messages={"required": "Enter what the action is"}
    )
    group = forms.ModelChoiceField(
        label="Delivery group",
        queryset=DeliveryGroup.objects.none(),
        empty_label="Select a delivery group",
        error_messages={"required": "Choose the delivery group", "invalid_choice": "Choose a delivery group of this strategy"},
    )
    owners = posts_field("Owners", help_text="The posts that own the action. None: it shows as to be allocated.")
    due = DueField(
        label="Due",
        max_length=100,
        error_messages={"required": "Enter when it is due, or TBC"},
    )
    reason = forms.CharField(
        label="Reason for a changed due date",
        required=False,
        widget=forms.Textarea,
        max_length=2000,
        help_text="The board sees it beside the new date, such as “waiting on the new panel”.",
    )
    rating = forms.ModelChoiceField(
        label="Rating", queryset=None, empty_label=None, error_messages={"invalid_choice": "Choose one of the ratings listed"}
    )
    related = ActionRefsField(
        label="Related actions",
        max_length=1000,
        help_text="Refs of actions it links with, separated by commas or spaces, such as EHC-C6, DI6.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, strategy: Strategy, action: Action | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.strategy, self.action = strategy, action
        self.fields["group"].queryset = DeliveryGroup.objects.filter(strategy=strategy).select_related("parent").order_by("position", "id")
        self.fields["related"].strategy_id = strategy.pk
        posts = Post.objects.filter(partnership_id=strategy.partnership_id)
        self.fields["owners"].queryset = posts.select_related("organisation").order_by("title")
        self.fields["rating"].queryset = RatingLevel.objects.filter(scheme_id=strategy.scheme_id)  # the scheme by its id: nothing read
        self.fields["due"].help_text = "A month such as {}, a date such as {}, or TBC.".format(*due_example())
        if action is not None:
            # The rating changes through an update, with its narrative; the ref never changes.
            del self.fields["rating"]
            del self.fields["ref"]
        else:
            del self.fields["reason"]
            del self.fields["version"]

    @classmethod
    def for_action(cls, data, action: Action) -> ActionForm:
        """The edit form of an action, filled in with the plan's entry as it stands."""
        initial = {
            "text": action.text,
            "group": action.group_id,
            "owners": [p.pk for p in action.owners.all()],
            "due": due_words(action.due_date, action.due_precision),
            "related": ", ".join(a.ref for a in Action.objects.filter(related=action).order_by("position")),
            "version": action.version,
        }
        return cls(data, strategy=action.strategy, action=action, initial=initial)

    def kept_at(self, version: int) -> ActionForm:
        """What the officer typed, against the version they have now been shown (nothing was saved)."""
        kept = type(self)(
            {**self.data.dict(), "version": version, "owners": self.data.getlist("owners")}, strategy=self.strategy, action=self.action
        )
        kept.is_valid()
        return kept

    def plan_fields(self) -> dict:
        """The cleaned entry as the plan's services take it (actions/plan.py)."""
        data = self.cleaned_data
        due_date, precision = data["due"]
        fields = ("text", "group", "related")
        return {**{name: data[name] for name in fields}, "owners": list(data["owners"]), "due_date": due_date, "due_precision": precision}

    def clean_related(self) -> list[Action]:
        related = self.cleaned_data["related"]
        if self.action is not None and self.action in related:
            raise forms.ValidationError("An action cannot be related to itself")
        return related


class RetireForm(forms.Form):
    # The action merged into is asked for when the reason is a merger (clean).
    not_marked_optional = ("into",)
    reason = forms.ChoiceField(
        label="Why is it retired?",
        choices=Action.Retirement.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose why the action is retired", "invalid_choice": "Choose one of the reasons listed"},
    )
    into = forms.CharField(label="Ref of the action it was merged into", required=False, max_length=40)
    note = forms.CharField(label="Note for the board", required=False, widget=forms.Textarea, max_length=2000)

    def __init__(self, *args, action: Action, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.action = action

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reason") == Action.Retirement.MERGED:
            ref = (cleaned.get("into") or "").strip()
            into = (
                Action.objects.filter(strategy_id=self.action.strategy_id, ref__iexact=ref).exclude(pk=self.action.pk).first()
                if ref
                else None
            )
            if into is None:
                self.add_error("into", "Enter the ref of the live action of this strategy that it was merged into")
            cleaned["into"] = into
        else:
            cleaned["into"] = None
        return cleaned


class GroupForm(forms.Form):
    # A group belongs to a priority or is a sub-group of another: one of the two is asked for (clean).
    not_marked_optional = ("priority_name", "parent")
    priority_name = forms.CharField(
        label="Priority", max_length=300, required=False, help_text="An existing priority's name, or a new one."
    )
    parent = forms.ModelChoiceField(
        label="Sub-group of",
        queryset=DeliveryGroup.objects.none(),
        required=False,
        empty_label="None: a top-level delivery group",
        error_messages={"invalid_choice": "Choose a top-level delivery group of this strategy"},
    )
    name = forms.CharField(label="Name", max_length=300, error_messages={"required": "Enter the delivery group's name"})
    lead = forms.ModelChoiceField(
        label="Lead post",
        queryset=Post.objects.none(),
        required=False,
        empty_label="No lead",
        error_messages={"invalid_choice": "Choose a post of this partnership"},
    )
    what_needs_to_improve = forms.CharField(label="What needs to improve", widget=forms.Textarea, required=False)
    how_we_will_assess = forms.CharField(label="How we’ll assess", widget=forms.Textarea, required=False, help_text="One point per line.")
    what_we_will_see = forms.CharField(label="What we will see", widget=forms.Textarea, required=False, help_text="One point per line.")

    def __init__(self, *args, strategy: Strategy, group: DeliveryGroup | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        parents = DeliveryGroup.objects.filter(strategy=strategy, parent__isnull=True).order_by("position", "id")
        if group is not None:
            parents = parents.exclude(pk=group.pk)
        self.fields["parent"].queryset = parents
        self.fields["lead"].queryset = Post.objects.filter(partnership_id=strategy.partnership_id).order_by("title")

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("parent") and not (cleaned.get("priority_name") or "").strip():
            self.add_error("priority_name", "Enter the priority it belongs to, or choose the group it is a sub-group of")
        for name in ("how_we_will_assess", "what_we_will_see"):
            cleaned[name] = lines(cleaned.get(name) or "")
        return cleaned
