from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from actions.access import get_group_for_user, get_strategy_for_user, officer_strategy
from actions.models import BOARD_ACTIONS_GROUP, DeliveryGroup, Strategy
from coproduction.forms import FamiliesViewForm, PublicPageForm, SummaryForm
from coproduction.models import FamiliesView, Publication, PublicPage, PublishedSummary, SummaryDraft
from coproduction.public import agreed_view_reach, public_context, public_feed_xml, public_page_html
from coproduction.services import NothingToPublishError, families_view_record, families_view_this_cycle, page_publish, published_summaries
from people.access import coproduction_partner_required, is_officer, officer_required

# The families' view ----------------------------------------------------------------------------


@login_required
def families_view(request: HttpRequest, group_id: int) -> HttpResponse:
    """A co-production partner records what families say about a delivery group this cycle."""
    group, membership = get_group_for_user(request.user, group_id)
    coproduction_partner_required(membership, "record the families' view")
    if group.gathers_board_actions:
        raise Http404("Families are asked their view of the delivery groups, not of the board's actions arising.")
    # Reached from the cycle's list of groups still to record (the form posts to its own address, so this holds),
    # the partner goes back there, for the next group and to see the count go down, rather than to the group's page.
    cycle_url = reverse("reporting:this_cycle", args=[group.strategy_id]) if request.GET.get("from") == "cycle" else ""
    history = list(FamiliesView.objects.filter(group=group).select_related("recorded_by")[:20])  # the latest first
    earlier = families_view_this_cycle(group, history[0] if history else None)
    form = FamiliesViewForm(request.POST or None, initial=FamiliesViewForm.initial_from(earlier))
    if request.method == "POST" and form.is_valid():
        families_view_record(group=group, user=request.user, **form.cleaned_data)
        messages.success(request, f"The families' view of {group} is recorded.")
        return redirect(cycle_url or group.get_absolute_url())
    context = {"group": group, "strategy": group.strategy, "form": form, "history": history, "cycle_url": cycle_url, "earlier": earlier}
    context["public_shows"] = agreed_view_reach(group.strategy)
    return render(request, "coproduction/families_view_form.html", context, status=422 if form.is_bound else 200)


# The public page, for officers -----------------------------------------------------------------


def _page_for(strategy: Strategy) -> PublicPage:
    """The strategy's public page settings, made (unpublished) the first time an officer opens them."""
    page = PublicPage.objects.filter(strategy=strategy).first()
    if page is None:
        base = slugify(strategy.name)[:80] or f"strategy-{strategy.pk}"
        slug = base if not PublicPage.objects.filter(slug=base).exists() else f"{base}-{strategy.pk}"
        page, _ = PublicPage.objects.get_or_create(strategy=strategy, defaults={"slug": slug})
    page.strategy = strategy
    return page


def _manage_page(request: HttpRequest, strategy: Strategy, page: PublicPage, form: PublicPageForm, status: int = 200) -> HttpResponse:
    groups = DeliveryGroup.objects.filter(strategy=strategy).exclude(BOARD_ACTIONS_GROUP)  # as the public page has them
    groups = list(groups.select_related("parent", "summary_draft").order_by("position", "id"))
    public = published_summaries(page)
    rows = []
    for group in groups:
        draft = getattr(group, "summary_draft", None)
        published = public.get(group.pk)
        if draft is None or draft.is_empty():
            state = "Published" if published else "No summary"
        elif published and (published.you_said, published.we_did) == (draft.you_said.strip(), draft.we_did.strip()):
            state = "Published"
        else:  # a draft to publish: the group's first summary, or new words for one already public
            state = "Changes not published" if published else "Draft not published"
        rows.append({"group": group, "state": state, "published": published})
    return render(
        request,
        "coproduction/public_manage.html",
        {
            "strategy": strategy,
            "page": page,
            "form": form,
            "rows": rows,
            "unpublished": sum(1 for r in rows if r["state"] not in ("Published", "No summary")),
            "publication": page.latest_publication(),
        },
        status=status,
    )


@login_required
def public_manage(request: HttpRequest, strategy_id: int) -> HttpResponse:
    strategy, _membership = officer_strategy(request.user, strategy_id, "manage the public page")
    page = _page_for(strategy)
    if request.method == "POST":
        form = PublicPageForm(request.POST, instance=page)
        if form.is_valid():
            form.save()  # the settings are part of the cached rendering's key: the next visitor gets a fresh one
            messages.success(request, "The public page's settings are saved.")
            return redirect("coproduction:public_manage", strategy.pk)
        return _manage_page(request, strategy, page, form, status=422)
    return _manage_page(request, strategy, page, PublicPageForm(instance=page))


@login_required
def summary_edit(request: HttpRequest, group_id: int) -> HttpResponse:
    """An officer drafts a group's "You said, we did" summary. Saving never publishes."""
    group, membership = get_group_for_user(request.user, group_id)
    officer_required(membership, "write the public summaries")
    draft = SummaryDraft.objects.filter(group=group).first()
    initial = {"you_said": draft.you_said, "we_did": draft.we_did} if draft else {}
    form = SummaryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        SummaryDraft.objects.update_or_create(
            group=group, defaults={**form.cleaned_data, "updated_by": request.user, "updated_at": timezone.now()}
        )
        messages.success(request, f"The draft summary of {group} is saved. Preview it, then publish it from the public page.")
        return redirect("coproduction:public_manage", group.strategy_id)
    page = PublicPage.objects.filter(strategy=group.strategy).first()
    published = published_summaries(page).get(group.pk) if page else None
    return render(
        request,
        "coproduction/summary_form.html",
        {"group": group, "strategy": group.strategy, "form": form, "published": published},
        status=422 if form.is_bound else 200,
    )


@login_required
def public_preview(request: HttpRequest, strategy_id: int) -> HttpResponse:
    """The public page as it will look once the drafts are published."""
    strategy, _membership = officer_strategy(request.user, strategy_id, "preview the public page")
    page = _page_for(strategy)
    response = render(request, "coproduction/public_page.html", public_context(page, preview=True))
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def public_publish(request: HttpRequest, strategy_id: int) -> HttpResponse:
    strategy, _membership = officer_strategy(request.user, strategy_id, "publish the public page")
    page = _page_for(strategy)
    try:
        publication = page_publish(page=page, user=request.user, note=request.POST.get("note", "")[:300])
    except NothingToPublishError as exc:
        messages.error(request, str(exc))
    else:
        count = publication.summaries.count()
        messages.success(request, f"Published {count} summar{'y' if count == 1 else 'ies'}: the public page shows them now.")
    return redirect("coproduction:public_manage", strategy.pk)


@login_required
def public_history(request: HttpRequest, strategy_id: int) -> HttpResponse:
    """Every publication: what became public, by whom and when."""
    strategy, membership = get_strategy_for_user(request.user, strategy_id)
    page = PublicPage.objects.filter(strategy=strategy).first()
    publications = []
    if page:
        summaries = PublishedSummary.objects.filter(publication__page=page).select_related("group__parent")
        by_publication: dict[int, list[PublishedSummary]] = {}
        for summary in summaries:
            by_publication.setdefault(summary.publication_id, []).append(summary)
        for publication in Publication.objects.filter(page=page).select_related("published_by"):
            publications.append({"publication": publication, "summaries": by_publication.get(publication.pk, [])})
    return render(
        request,
        "coproduction/public_history.html",
        {
            "strategy": strategy,
            "page": page,
            "publications": publications,
            "is_officer": is_officer(membership),
            # The whole address, to give to families: the one this person reached the tracker by.
            "public_url": request.build_absolute_uri(reverse("coproduction:public_page", args=[page.slug])) if page else "",
        },
    )


# The public page, for everyone -----------------------------------------------------------------


def _published_page(slug: str) -> tuple[PublicPage, Publication]:
    page = PublicPage.objects.select_related("strategy__partnership").filter(slug=slug).first()
    publication = page.latest_publication() if page else None
    if publication is None:
        raise Http404("No such progress page.")
    return page, publication


def public_page(request: HttpRequest, slug: str) -> HttpResponse:
    """A strategy's published progress, with no sign-in: served from one cached rendering."""
    page, publication = _published_page(slug)
    response = HttpResponse(public_page_html(page, publication))
    response["Cache-Control"] = "public, max-age=300"
    return response


def public_feed(request: HttpRequest, slug: str) -> HttpResponse:
    page, publication = _published_page(slug)
    # From SITE_URL, not the request's Host header: the cached feed is the same for everyone.
    page_url = settings.SITE_URL + reverse("coproduction:public_page", args=[page.slug])
    feed_url = settings.SITE_URL + reverse("coproduction:public_feed", args=[page.slug])
    response = HttpResponse(public_feed_xml(page, publication, page_url, feed_url), content_type="application/atom+xml; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    return response
