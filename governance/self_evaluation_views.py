"""The self-evaluation pages: the latest version, drafting from the tracker, officers' edits, versions and their comparison."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from actions.access import officer_strategy
from actions.models import Snapshot
from governance import framework
from governance.models import SelfEvaluationVersion
from governance.self_evaluation import (
    FIELD_MAX_CHARS,
    FIELDS,
    StaleVersionError,
    changes_between,
    latest_version,
    sections_by_strand,
    self_evaluation_draft,
    self_evaluation_save,
    version_texts,
)
from people.access import is_officer


class DraftForm(forms.Form):
    snapshot = forms.ModelChoiceField(
        queryset=Snapshot.objects.none(), required=False, empty_label="Today's figures", label="Figures as at"
    )

    def __init__(self, *args, strategy, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["snapshot"].queryset = Snapshot.objects.filter(strategy=strategy).order_by("-as_at")
        self.fields["snapshot"].label_from_instance = lambda s: f"Snapshot as at {s.as_at:%-d %B %Y}"


class SectionsForm(forms.Form):
    base = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for strand in framework.STRANDS:
            for name, label in FIELDS.items():
                self.fields[f"{strand.code}-{name}"] = forms.CharField(
                    label=label,
                    required=False,
                    max_length=FIELD_MAX_CHARS,
                    widget=forms.Textarea(attrs={"rows": 4, "class": "govuk-textarea"}),
                    error_messages={"max_length": f"{label} must be {FIELD_MAX_CHARS:,} characters or fewer"},
                )

    def texts(self) -> dict[str, dict[str, str]]:
        return {s.code: {name: self.cleaned_data[f"{s.code}-{name}"] for name in FIELDS} for s in framework.STRANDS}

    def strand_fields(self):
        return [(strand, [self[f"{strand.code}-{name}"] for name in FIELDS]) for strand in framework.STRANDS]


def _page(request, strategy, membership, *, form=None, status=200) -> HttpResponse:
    version = latest_version(strategy)
    sections = sections_by_strand(version)
    if form is None:
        initial = {"base": version.number if version else 0}
        for code, section in sections.items():
            initial.update({f"{code}-{name}": getattr(section, name) for name in FIELDS})
        form = SectionsForm(initial=initial)
    versions = SelfEvaluationVersion.objects.filter(self_evaluation__strategy=strategy).select_related("created_by", "snapshot")
    return render(
        request,
        "governance/self_evaluation.html",
        {
            "strategy": strategy,
            "version": version,
            "strands": [(strand, sections.get(strand.code)) for strand in framework.STRANDS],
            "form": form,
            "draft_form": DraftForm(strategy=strategy),
            "versions": versions,
            "framework": framework,
            "is_officer": is_officer(membership),
        },
        status=status,
    )


@login_required
def self_evaluation(request: HttpRequest, strategy_id: int) -> HttpResponse:
    strategy, membership = officer_strategy(request.user, strategy_id, "read and write the self-evaluation")
    if request.method == "POST":
        form = SectionsForm(request.POST)
        if not form.is_valid():
            return _page(request, strategy, membership, form=form, status=422)
        try:
            version = self_evaluation_save(strategy, user=request.user, base=form.cleaned_data["base"], texts=form.texts())
        except StaleVersionError as stale:
            form.add_error(None, f"{stale} Copy what you wrote, reload the page and make your changes again.")
            return _page(request, strategy, membership, form=form, status=409)
        messages.success(request, f"Self-evaluation saved as version {version.number}.")
        return redirect("governance:self_evaluation", strategy.pk)
    return _page(request, strategy, membership)


@login_required
@require_POST
def self_evaluation_draft_view(request: HttpRequest, strategy_id: int) -> HttpResponse:
    strategy, _membership = officer_strategy(request.user, strategy_id, "draft the self-evaluation")
    form = DraftForm(request.POST, strategy=strategy)
    if not form.is_valid():
        messages.error(request, "Choose a snapshot of this plan, or today's figures.")
        return redirect("governance:self_evaluation", strategy.pk)
    version = self_evaluation_draft(strategy, user=request.user, snapshot=form.cleaned_data["snapshot"])
    messages.success(request, f"Drafts written from the tracker as version {version.number}; your own words are kept.")
    return redirect("governance:self_evaluation", strategy.pk)


@login_required
def self_evaluation_compare(request: HttpRequest, strategy_id: int) -> HttpResponse:
    strategy, _membership = officer_strategy(request.user, strategy_id, "compare versions of the self-evaluation")
    versions = {v.number: v for v in SelfEvaluationVersion.objects.filter(self_evaluation__strategy=strategy)}
    try:
        old, new = versions[int(request.GET.get("from", ""))], versions[int(request.GET.get("to", ""))]
    except (KeyError, ValueError):
        raise Http404("No such versions of this self-evaluation.") from None
    changes = changes_between(version_texts(old), version_texts(new))
    return render(request, "governance/self_evaluation_compare.html", {"strategy": strategy, "old": old, "new": new, "changes": changes})
