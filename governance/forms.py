from __future__ import annotations

import datetime as dt

from django import forms
from django.db import transaction
from django.utils import timezone
from django.utils.text import Truncator

from actions.forms import ActionRefsField
from actions.models import DATE_HINT_AHEAD, Snapshot, Strategy
from governance.models import Finding, Inspection, finding_order
from kpis.models import Indicator
from people.models import Post
from send_tracker.forms import GovukDateField, WholeNumberInput


def as_at_problem(strategy: Strategy, as_at: dt.date, today: dt.date) -> str | None:
    """Why a snapshot cannot be taken as at this date, or None when it can."""
    if as_at > today:
        return "The date must be today or in the past"
    if as_at.year < 2000:
        return "The date must be in 2000 or later"
    if Snapshot.objects.filter(strategy=strategy, as_at=as_at).exists():
        if as_at == today:
            return f"There is already a snapshot as at {as_at:%-d %B %Y}: retake it to include the updates since it was taken"
        return f"There is already a snapshot as at {as_at:%-d %B %Y}: choose another date"
    return None


class SnapshotForm(forms.Form):
    """The "as at" date, as the GOV.UK date input, and a note."""

    as_at = GovukDateField(
        what="the date the snapshot is as at",
        label="What date is the snapshot as at?",
        help_text="Usually the date the ratings were collected for a board meeting. For example, 14 5 2025",
    )
    note = forms.CharField(max_length=300, required=False, label="Note")

    def __init__(self, *args, strategy: Strategy, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.strategy = strategy

    def clean_as_at(self) -> dt.date:
        as_at = self.cleaned_data["as_at"]
        problem = as_at_problem(self.strategy, as_at, timezone.localdate())
        if problem:
            raise forms.ValidationError(problem)
        return as_at


class VersionedForm(forms.ModelForm):
    """A model form that carries the version it was loaded at, so that a save over someone else's is refused."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["version"] = self.instance.version

    def save_unless_changed(self):
        """Save, unless the row moved on since the form was loaded: then add an error and return None."""
        model = type(self.instance)
        with transaction.atomic():
            if self.instance.pk:
                current = model.objects.select_for_update().get(pk=self.instance.pk)
                if current.version != self.cleaned_data.get("version"):
                    self.add_error(
                        None,
                        "Someone else changed this since you opened it. Your changes are below and nothing was saved: "
                        "check what is there now and save again",
                    )
                    self.data = self.data.copy()
                    self.data["version"] = str(current.version)
                    return None
                self.instance.version = current.version + 1
            return self.save()


class InspectionForm(VersionedForm):
    started_on = GovukDateField(what="the first day of the inspection", label="First day of the inspection")
    ended_on = GovukDateField(what="the last day of the inspection", label="Last day of the inspection")
    published_on = GovukDateField(what="the date the report was published", label="Report published", required=False)
    plan_submitted_on = GovukDateField(
        what="the date the priority action plan was submitted",
        label="Priority action plan submitted",
        required=False,
    )
    report_url = forms.URLField(
        assume_scheme="https",
        required=False,
        max_length=2000,
        label="Link to the published report",
        error_messages={"invalid": "Enter the report's web address, starting with https://"},
    )
    inspectorates = forms.MultipleChoiceField(
        choices=Inspection.Inspectorate.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select the inspectorates that carried out the inspection"},
    )

    class Meta:
        model = Inspection
        fields = ["kind", "started_on", "ended_on", "published_on", "plan_submitted_on", "inspectorates", "outcome", "report_url", "notes"]
        labels = {
            "kind": "Type of inspection",
            "outcome": "Outcome",
            "report_url": "Link to the published report",
            "notes": "Notes",
        }
        widgets = {"kind": forms.RadioSelect, "outcome": forms.RadioSelect}
        error_messages = {
            "report_url": {"invalid": "Enter the report's web address, starting with https://"},
            "kind": {"required": "Select the type of inspection"},
            "outcome": {"required": "Select the outcome, or that there is no overall outcome"},
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is None and not self.is_bound:
            # A new inspection's type and outcome are the officer's to choose: a full inspection is never quietly
            # recorded as having "no overall outcome".
            for name in ("kind", "outcome"):
                self.initial.pop(name, None)
                self.fields[name].initial = None

    def clean_report_url(self) -> str:
        url = self.cleaned_data.get("report_url", "")
        if url and not url.lower().startswith(("https://", "http://")):
            raise forms.ValidationError("Enter the report's web address, starting with https://")
        return url

    def clean(self) -> dict:
        data = super().clean()
        started, ended = data.get("started_on"), data.get("ended_on")
        if started and ended and ended < started:
            self.add_error("ended_on", "The last day of the inspection must be the same as or after the first day")
        # Every full inspection reports one of the framework's three outcomes; recorded with none, it would start no cycle.
        if data.get("kind") == Inspection.Kind.FULL and data.get("outcome") == Inspection.Outcome.NONE:
            self.add_error("outcome", "A full inspection reports one of the three outcomes: select the one its report gives")
        # A report or a plan dated before the inspection ended is a mistyped year: its plan's due date would be wrong.
        published, submitted = data.get("published_on"), data.get("plan_submitted_on")
        if ended and published and published < ended:
            self.add_error("published_on", "The report must be published on or after the last day of the inspection")
        if ended and submitted and submitted < ended:
            self.add_error("plan_submitted_on", "The priority action plan must be submitted on or after the last day of the inspection")
        # Both record what has happened: a date to come would move the plan's due date, or stop its chasing, too soon.
        today = timezone.localdate()
        if published and published > today and "published_on" not in self.errors:
            self.add_error("published_on", "The date the report was published must be today or in the past")
        if submitted and submitted > today and "plan_submitted_on" not in self.errors:
            self.add_error("plan_submitted_on", "The date the priority action plan was submitted must be today or in the past")
        return data


class FindingForm(VersionedForm):
    """A finding as the report wrote it, and the actions (by ref) and KPIs that answer it."""

    action_refs = ActionRefsField(label="Actions that answer it")

    class Meta:
        model = Finding
        fields = ["kind", "number", "text", "action_refs", "indicators"]
        labels = {
            "kind": "Kind of finding",
            "number": "Number in the report",
            "text": "The finding, as the report wrote it",
            "indicators": "KPIs that show progress on it",
        }
        widgets = {"kind": forms.RadioSelect, "number": WholeNumberInput, "indicators": forms.CheckboxSelectMultiple}
        error_messages = {
            "kind": {"required": "Select whether it is an area for priority action or for improvement"},
            "number": {
                "required": "Enter its number in the report, such as 1",
                "invalid": "The number must be a whole number, such as 1",
                "min_value": "The number must be a whole number, such as 1",
                "max_value": "That number is too large: enter its number in the report, such as 1",
            },
            "text": {"required": "Enter the finding as the report wrote it"},
        }

    def __init__(self, *args, inspection: Inspection, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.inspection = inspection
        self.instance.inspection = inspection
        self.fields["indicators"].queryset = Indicator.objects.filter(strategy_id=inspection.strategy_id).order_by("position", "id")
        self.fields["indicators"].label_from_instance = lambda indicator: f"{indicator.code}: {indicator.name}"
        self.fields["number"].min_value = 1
        self.fields["action_refs"].strategy_id = inspection.strategy_id
        if self.instance.pk and not self.is_bound:
            self.initial["action_refs"] = ActionRefsField.initial_for(self.instance.actions.all())

    def clean(self) -> dict:
        data = super().clean()
        kind, number = data.get("kind"), data.get("number")
        if kind and number:
            clash = Finding.objects.filter(inspection=self.inspection, kind=kind, number=number).exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error("number", f"There is already an {Finding.Kind(kind).label.lower()} {number}: choose another number")
        return data

    def save(self, commit: bool = True) -> Finding:
        finding = super().save(commit=commit)
        if commit:
            finding.actions.set(self.cleaned_data["action_refs"])
        return finding


class LinkedFindingsForm(forms.Form):
    """From an action's or a KPI's side: the findings of its strategy that it answers."""

    findings = forms.ModelMultipleChoiceField(
        queryset=Finding.objects.none(), required=False, widget=forms.CheckboxSelectMultiple, label="Findings"
    )

    def __init__(self, *args, strategy: Strategy, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["findings"].queryset = (
            Finding.objects.filter(inspection__strategy=strategy)
            .select_related("inspection")
            .order_by("-inspection__ended_on", *finding_order())
        )
        # A long finding is cut at a word, and says so: never mid-word as if the report stopped there.
        self.fields["findings"].label_from_instance = lambda f: f"{f.label()} ({f.inspection}): {Truncator(f.text).words(24)}"


class BoardForm(forms.Form):
    name = forms.CharField(label="Board name", max_length=200, error_messages={"required": "Enter the board's name"})
    chair_role = forms.CharField(label="Chair", max_length=200, required=False)
    cadence = forms.CharField(label="How often it meets", max_length=200, required=False, help_text="For example, every two months.")


def _uk_time(label: str, which: str, example: str) -> forms.TimeField:
    """An optional time of day, as a person types it (10:00, 10.00)."""
    return forms.TimeField(
        label=label,
        required=False,
        help_text=f"UK time, for example {example}",
        input_formats=["%H:%M", "%H.%M", "%H:%M:%S"],
        error_messages={"invalid": f"Enter the {which} time like {example}"},
    )


def _whole_number(label: str, minimum: int, maximum: int, *, initial: int, required: str = "", of: str = "") -> forms.IntegerField:
    """A whole number between the bounds; required when `required` gives the message for leaving it out."""
    messages = {"invalid": f"Enter a whole number{of}", "min_value": f"Enter {minimum} or more", "max_value": f"Enter {maximum} or fewer"}
    return forms.IntegerField(
        label=label,
        min_value=minimum,
        max_value=maximum,
        initial=initial,
        required=bool(required),
        widget=WholeNumberInput,
        error_messages={**messages, "required": required} if required else messages,
    )


class MeetingSeriesForm(forms.Form):
    board = forms.ModelChoiceField(
        label="Board",
        queryset=None,
        empty_label=None,
        error_messages={"required": "Choose the board", "invalid_choice": "Choose one of the boards listed"},
    )
    first = GovukDateField(what="the date of the first meeting", label="First meeting", help_text=DATE_HINT_AHEAD)
    every = _whole_number("Every", 1, 52, initial=2, required="Enter how often it meets")
    unit = forms.ChoiceField(label="Weeks or months", choices=[("months", "Months"), ("weeks", "Weeks")], initial="months")
    count = _whole_number("Number of meetings", 1, 60, initial=6, required="Enter how many meetings")
    start_time = _uk_time("Starts at", "start", "10:00")
    end_time = _uk_time("Ends at", "end", "12:00")
    papers_days = _whole_number("Papers deadline: days before each meeting", 0, 60, initial=7, of=" of days")

    def __init__(self, *args, boards, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["board"].queryset = boards


class MeetingMoveForm(forms.Form):
    date = GovukDateField(what="the new date", label="New date", help_text=DATE_HINT_AHEAD)
    papers_deadline = GovukDateField(what="the papers deadline", label="Papers deadline", required=False, help_text=DATE_HINT_AHEAD)
    start_time = _uk_time("Starts at", "start", "10:00")
    end_time = _uk_time("Ends at", "end", "12:00")


class DecisionForm(forms.Form):
    """Used with prefix "decision": the meeting page also holds the action arising form, whose fields share names."""

    text = forms.CharField(
        label="What did the board decide?",
        max_length=5000,
        widget=forms.Textarea,
        error_messages={"required": "Enter what the board decided", "max_length": "Write the decision in 5,000 characters or fewer"},
    )


class ActionArisingForm(forms.Form):
    """Used with prefix "arising" (see DecisionForm)."""

    text = forms.CharField(
        label="Action",
        max_length=5000,
        widget=forms.Textarea,
        help_text="What the board asked to be done, as the minutes will say it.",
        error_messages={"required": "Enter the action the board gave", "max_length": "Write the action in 5,000 characters or fewer"},
    )
    owner = forms.ModelChoiceField(
        label="Owner",
        queryset=None,
        empty_label="Select a post",
        help_text="The post that will do it: its holders update it and are chased when it is overdue.",
        error_messages={"required": "Choose the post that owns the action", "invalid_choice": "Choose one of the posts listed"},
    )
    due_date = GovukDateField(what="the date it is due by", label="Due by", help_text=DATE_HINT_AHEAD)

    def __init__(self, *args, partnership_id: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = Post.objects.filter(partnership_id=partnership_id, to_be_allocated=False).order_by("title")
