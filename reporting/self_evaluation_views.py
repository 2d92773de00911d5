"""The self-evaluation's edited Word copy uploaded back after a preview (its documents are written as jobs: document_views)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from actions.access import officer_strategy
from actions.models import Strategy
from governance.models import SelfEvaluationVersion
from governance.self_evaluation import StaleVersionError, changes_between, latest_version, self_evaluation_save, version_texts
from reporting.self_evaluation_docs import UPLOAD_MAX_BYTES, UnreadableDocumentError, read_self_evaluation_docx

_SALT = "self-evaluation-upload"


class UploadForm(forms.Form):
    document = forms.FileField(
        label="Upload the edited Word copy",
        help_text="A .docx downloaded from this page and edited in Word, with its headings kept.",
        error_messages={"required": "Choose the Word document to upload"},
    )

    def clean_document(self):
        document = self.cleaned_data["document"]
        if document.size > UPLOAD_MAX_BYTES:
            raise forms.ValidationError(f"The file must be smaller than {UPLOAD_MAX_BYTES // (1024 * 1024)} MB")
        try:
            self.texts = read_self_evaluation_docx(document.read())
        except UnreadableDocumentError as problem:
            raise forms.ValidationError(str(problem)) from None
        return document


def _self_evaluation_confirm(request: HttpRequest, strategy: Strategy) -> HttpResponse:
    """The previewed upload, confirmed: a new version unless the preview expired or another version came first."""
    try:
        payload = signing.loads(request.POST["confirm"], salt=_SALT, max_age=3600)
    except signing.BadSignature:
        messages.error(request, "The preview has expired. Upload the document again.")
        return redirect("reporting:self_evaluation_upload", strategy.pk)
    if payload.get("strategy") != strategy.pk:
        raise Http404("No such upload.")
    try:
        version = self_evaluation_save(
            strategy, user=request.user, base=payload["base"], texts=payload["texts"], source=SelfEvaluationVersion.Source.UPLOADED
        )
    except StaleVersionError as stale:
        messages.error(request, f"{stale} Upload the document again to see its changes against the latest version.")
        return redirect("reporting:self_evaluation_upload", strategy.pk)
    messages.success(request, f"The Word copy is saved as version {version.number}.")
    return redirect("governance:self_evaluation", strategy.pk)


@login_required
def self_evaluation_upload(request: HttpRequest, strategy_id: int) -> HttpResponse:
    """Upload (preview what changed) then confirm: only a confirmed upload becomes a new version."""
    strategy, _membership = officer_strategy(request.user, strategy_id, "upload the self-evaluation")
    latest = latest_version(strategy)
    if latest is None:
        messages.error(request, "Draft the self-evaluation first, then download it, edit it in Word and upload it.")
        return redirect("governance:self_evaluation", strategy.pk)
    context = {"strategy": strategy, "latest": latest}
    if request.method == "POST" and "confirm" in request.POST:
        return _self_evaluation_confirm(request, strategy)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        changes = changes_between(version_texts(latest), form.texts)
        context.update(
            changes=changes,
            missing=sorted(set(version_texts(latest)) - set(form.texts)),
            confirm=signing.dumps({"strategy": strategy.pk, "base": latest.number, "texts": form.texts}, salt=_SALT, compress=True),
        )
        return render(request, "reporting/self_evaluation_upload.html", context)
    context["form"] = form
    return render(request, "reporting/self_evaluation_upload.html", context, status=422 if form.errors else 200)
