"""The self-evaluation pages: the latest version, drafting from the tracker, officers' edits, versions and their comparison."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
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
    """The officers' words for the strands given (every strand unless told), edited from version `base`."""

    base = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, strands=framework.STRANDS, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.strands = list(strands)
        for strand in self.strands:
            for name, label in FIELDS.items():
                self.fields[f"{strand.code}-{name}"] = forms.CharField(
                    label=label,
                    required=False,
                    max_length=FIELD_MAX_CHARS,
                    widget=forms.Textarea(attrs={"rows": 4, "class": "govuk-textarea"}),
                    error_messages={"max_length": f"{label} must be {FIELD_MAX_CHARS:,} characters or fewer"},
                )

    def texts(self) -> dict[str, dict[str, str]]:
        return {s.code: {name: self.cleaned_data[f"{s.code}-{name}"] for name in FIELDS} for s in self.strands}

    def strand_fields(self):
        return [(strand, [self[f"{strand.code}-{name}"] for name in FIELDS]) for strand in self.strands]


def _form(version, sections, strands=framework.STRANDS) -> SectionsForm:
    """The form as the latest version left it."""
    initial = {"base": version.number if version else 0}
    for code, section in sections.items():
        initial.update({f"{code}-{name}": getattr(section, name) for name in FIELDS})
    return SectionsForm(initial=initial, strands=strands)


def _saved(request, strategy, strands) -> tuple[SectionsForm, SelfEvaluationVersion | None, int]:
    """The officers' words for `strands` saved as a new version; the form and the status to show it again with if not."""
    form = SectionsForm(request.POST, strands=strands)
    if not form.is_valid():
        return form, None, 422
    try:
        return form, self_evaluation_save(strategy, user=request.user, base=form.cleaned_data["base"], texts=form.texts()), 200
    except StaleVersionError as stale:
        form.add_error(None, f"{stale} Copy what you wrote, reload the page and make your changes again.")
        return form, None, 409


def strand_status(section) -> tuple[str, str]:
    """(status, tag colour or "" for plain text) of a strand in the task list: what is left to do on it."""
    if section is not None and any(getattr(section, name) for name in FIELDS):
        return "Own words written", ""
    if section is not None and section.draft:
        return "Draft only", "blue"
    return "Not started", "grey"


def _page(request, strategy, membership, *, form=None, everything=False, status=200) -> HttpResponse:
    """The task list of strands, or (`everything`, or a form of every strand to show again) every strand's boxes at once."""
    version = latest_version(strategy)
    sections = sections_by_strand(version)
    versions = SelfEvaluationVersion.objects.filter(self_evaluation__strategy=strategy).select_related("created_by", "snapshot")
    form = form or (_form(version, sections) if everything else None)
    context = {
        "strategy": strategy,
        "version": version,
        "strands": [(strand, strand_status(sections.get(strand.code))) for strand in framework.STRANDS],
        # Each strand's boxes beside its draft, when every strand is shown at once.
        "every_strand": [(strand, fields, sections.get(strand.code)) for strand, fields in form.strand_fields()] if form else [],
        "form": form,
        "draft_form": DraftForm(strategy=strategy),
        "versions": versions,
        "framework": framework,
        "is_officer": is_officer(membership),
    }
    return render(request, "governance/self_evaluation.html", context, status=status)


@login_required
def self_evaluation(request: HttpRequest, strategy_id: int) -> HttpResponse:
    strategy, membership = officer_strategy(request.user, strategy_id, "read and write the self-evaluation")
    if request.method != "POST":
        return _page(request, strategy, membership, everything=request.GET.get("show") == "all")
    form, version, status = _saved(request, strategy, framework.STRANDS)
    if version is None:
        return _page(request, strategy, membership, form=form, status=status)
    messages.success(request, f"Self-evaluation saved as version {version.number}.")
    return redirect("governance:self_evaluation", strategy.pk)


@login_required
def self_evaluation_strand(request: HttpRequest, strategy_id: int, code: str) -> HttpResponse:
    """One strand's boxes on a page of their own, reached from the task list; saving returns to it."""
    strategy, membership = officer_strategy(request.user, strategy_id, "read and write the self-evaluation")
    strand = framework.strand(code)
    if strand is None:
        raise Http404("No such strand of the framework.")
    form, status = None, 200
    if request.method == "POST":
        form, saved, status = _saved(request, strategy, [strand])
        if saved is not None:
            messages.success(request, f"{strand.code} saved: version {saved.number} of the self-evaluation.")
            return redirect(f"{reverse('governance:self_evaluation', args=[strategy.pk])}#strand-{strand.code}")
    version = latest_version(strategy)
    section = sections_by_strand(version).get(strand.code)
    position = framework.STRANDS.index(strand)
    context = {
        "strategy": strategy,
        "version": version,
        "strand": strand,
        "section": section,
        "form": form or _form(version, {strand.code: section} if section else {}, [strand]),
        "previous": framework.STRANDS[position - 1] if position else None,
        "next": framework.STRANDS[position + 1] if position + 1 < len(framework.STRANDS) else None,
    }
    return render(request, "governance/self_evaluation_strand.html", context, status=status)


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
