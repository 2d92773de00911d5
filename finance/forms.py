"""The finance plan's forms. Every amount goes through MoneyField: exact pence, a clear message for anything else."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from actions.forms import ActionRefsField
from finance.models import FinancePlan, Mitigation, MitigationSaving
from finance.money import MoneyError, as_at_problem, money_full, parse_money, parse_year, year_label
from send_tracker.forms import GovukDateField, unique_ref


class MoneyField(forms.CharField):
    """An amount in pounds as a finance officer types it (236700000, 236,700,000, £236.7m, (1.2m)); cleans to a Decimal."""

    def __init__(self, *, what: str, allow_negative: bool = True, **kwargs) -> None:
        self.what = what
        self.allow_negative = allow_negative
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return money_full(value).replace("(", "-").replace(")", "")
        return value

    def clean(self, value) -> Decimal | None:
        text = super().clean(value)
        if not text:
            return None
        try:
            amount = parse_money(text)
        except MoneyError as error:
            raise forms.ValidationError(f"{self.what.capitalize()}: {error}") from None
        if amount < 0 and not self.allow_negative:
            raise forms.ValidationError(f"{self.what.capitalize()} cannot be negative")
        return amount


def year_choice_error(plan: FinancePlan, typed: str) -> str:
    return f"{typed} is outside the plan's years: enter a year from {year_label(plan.first_year)} to {year_label(plan.last_year)}"


def year_field(label: str, example: str, *, missing: str) -> forms.CharField:
    """A financial year typed as finance officers write it; `missing` is asked when it is left empty."""
    return forms.CharField(
        label=label, help_text=f"For example {example}", max_length=9, error_messages={"required": f"{missing}, such as {example}"}
    )


class FinancePlanForm(forms.ModelForm):
    """The plan's name and years, typed as finance officers write them ("2024-25")."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    first = year_field("First financial year", "2024-25", missing="Enter the plan's first financial year")
    last = year_field("Last financial year", "2030-31", missing="Enter the plan's last financial year")

    class Meta:
        model = FinancePlan
        fields = ["name", "source"]
        labels = {"name": "Name of the plan", "source": "Where the figures come from"}
        error_messages = {"name": {"required": "Enter the plan's name"}}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial.update(first=year_label(self.instance.first_year), last=year_label(self.instance.last_year))
            self.initial["version"] = self.instance.version

    def _year(self, name: str) -> int:
        year = parse_year(self.cleaned_data.get(name, ""))
        if year is None or not 2000 <= year <= 2100:
            raise forms.ValidationError("Enter a financial year such as 2024-25")
        return year

    def clean_first(self) -> int:
        return self._year("first")

    def clean_last(self) -> int:
        return self._year("last")

    def clean(self) -> dict:
        data = super().clean()
        first, last = data.get("first"), data.get("last")
        if first is None or last is None:
            return data
        if last < first:
            self.add_error("last", "The last year must be the same as or after the first year")
        elif last - first > 14:
            self.add_error("last", "A plan covers at most 15 years")
        elif self.instance.pk:
            if self.instance.version != data.get("version"):
                self.add_error(None, "Someone else changed this plan since you opened it. Nothing was saved: check it and save again")
            outside = (
                MitigationSaving.objects.filter(mitigation__plan=self.instance)
                .exclude(year__range=(first, last))
                .values_list("year", flat=True)
                .order_by("year")
                .first()
            )
            if outside is not None:
                self.add_error(
                    "first" if outside < first else "last",
                    f"Savings are planned in {year_label(outside)}: keep that year in the plan, or remove those savings first",
                )
        self.instance.first_year, self.instance.last_year = first, last
        return data


class FiguresForm(forms.Form):
    """Each year's grant and cumulative deficit forecasts, unmitigated and with the plan's target."""

    # Any figure may wait until it is known: the page says so once, above the years.
    not_marked_optional = ("grant_", "unmitigated_", "target_")

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, plan: FinancePlan, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.initial["version"] = plan.version
        current = {f.year: f for f in plan.figures.all()}
        for year, label in plan.year_labels():
            figure = current.get(year)
            # Each box is named for what it holds; the year is its group's legend.
            for key, name, negative in (
                ("grant", "high-needs grant", False),
                ("unmitigated", "unmitigated deficit forecast", True),
                ("target", "target deficit forecast", True),
            ):
                what = f"the {name} for {label}"
                self.fields[f"{key}_{year}"] = MoneyField(what=what, allow_negative=negative, required=False, label=name.capitalize())
                if figure is not None:
                    source = {"grant": figure.grant, "unmitigated": figure.unmitigated_forecast, "target": figure.target_forecast}[key]
                    self.initial[f"{key}_{year}"] = source

    def clean(self) -> dict:
        data = super().clean()
        if self.is_bound and data.get("version") is not None and data["version"] != self.plan.version:
            self.add_error(None, "Someone else changed this plan since you opened it. Nothing was saved: check the figures and save again")
        return data

    def rows(self) -> list[tuple[str, forms.BoundField, forms.BoundField, forms.BoundField]]:
        return [(label, self[f"grant_{y}"], self[f"unmitigated_{y}"], self[f"target_{y}"]) for y, label in self.plan.year_labels()]

    def figures(self) -> dict[int, dict[str, Decimal | None]]:
        data = self.cleaned_data
        return {
            y: {"grant": data[f"grant_{y}"], "unmitigated_forecast": data[f"unmitigated_{y}"], "target_forecast": data[f"target_{y}"]}
            for y in self.plan.years
        }


class MitigationForm(forms.ModelForm):
    """A mitigation, the actions that deliver it, and its planned saving in each of the plan's years."""

    # A year with nothing planned is left blank: the years' hint says so once.
    not_marked_optional = ("planned_",)

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    action_refs = ActionRefsField(label="Actions that deliver it")

    class Meta:
        model = Mitigation
        fields = ["ref", "title", "description", "is_illustrative"]
        labels = {
            "ref": "Reference",
            "title": "Mitigation",
            "description": "What it does",
            "is_illustrative": "Illustrative: not from the plan",
        }
        error_messages = {"ref": {"required": "Enter a reference, for example M1"}, "title": {"required": "Enter the mitigation"}}

    def __init__(self, *args, plan: FinancePlan, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.instance.plan = plan
        self.fields["action_refs"].strategy_id = plan.strategy_id
        planned = {s.year: s.planned for s in self.instance.savings.all()} if self.instance.pk else {}
        for year, label in plan.year_labels():
            self.fields[f"planned_{year}"] = MoneyField(what=f"the saving planned in {label}", required=False, label=label)
            if year in planned:
                self.initial[f"planned_{year}"] = planned[year]
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version
            self.initial["action_refs"] = ActionRefsField.initial_for(self.instance.actions.all())

    def clean_ref(self) -> str:
        return unique_ref(self, Mitigation.objects.filter(plan=self.plan), "There is already a mitigation {}: choose another reference")

    def clean(self) -> dict:
        data = super().clean()
        if self.instance.pk and Mitigation.objects.filter(pk=self.instance.pk).values_list("version", flat=True).first() != data.get(
            "version"
        ):
            self.add_error(None, "Someone else changed this mitigation since you opened it. Nothing was saved: check it and save again")
        return data

    def planned_fields(self) -> list[forms.BoundField]:
        return [self[f"planned_{y}"] for y in self.plan.years]

    def planned(self) -> dict[int, Decimal | None]:
        return {y: self.cleaned_data[f"planned_{y}"] for y in self.plan.years}


class ActualForm(forms.Form):
    """What a mitigation achieved in a year of the plan, as at the end of a period."""

    mitigation = forms.ModelChoiceField(
        queryset=Mitigation.objects.none(),
        label="Mitigation",
        empty_label="Select a mitigation",
        error_messages={"required": "Select the mitigation", "invalid_choice": "Select a mitigation of this plan"},
    )
    year = year_field("Financial year", "2025-26", missing="Enter the financial year")
    as_at = GovukDateField(what="the date the figure is as at", label="As at", help_text="The end of the period, for example 30 9 2025")
    achieved = MoneyField(
        what="the saving achieved", label="Saving achieved in the year so far", help_text="In pounds, for example 1200000 or £1.2m"
    )
    note = forms.CharField(label="Note", max_length=300, required=False)

    def __init__(self, *args, plan: FinancePlan, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.fields["mitigation"].queryset = Mitigation.objects.filter(plan=plan)
        self.fields["mitigation"].label_from_instance = str
        self.fields["achieved"].error_messages["required"] = "Enter the saving achieved"

    def clean_year(self) -> int:
        typed = self.cleaned_data["year"].strip()
        year = parse_year(typed)
        if year is None:
            raise forms.ValidationError("Enter a financial year such as 2025-26")
        if year not in self.plan.years:
            raise forms.ValidationError(year_choice_error(self.plan, typed))
        return year

    def clean(self) -> dict:
        data = super().clean()
        if data.get("year") is not None and data.get("as_at") is not None and (problem := as_at_problem(data["year"], data["as_at"])):
            self.add_error("as_at", problem)
        return data
