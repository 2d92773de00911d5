"""The public progress page and its feed: built only from what was published, rendered once and cached.

Everything on the page comes through `public_context`, which reads published
summaries (or, for an officer's preview, the drafts), the deliverables'
statements and statuses, the families' views the forum agreed to publish and,
only when the partnership chose to, the officers' rating mix. It never reads an
owner, a progress narrative or an unpublished text.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import feedgenerator, timezone
from django.utils.html import linebreaks

from actions.models import BOARD_ACTIONS_GROUP, Action, DeliveryGroup, RatingLevel
from actions.rows import rows_from_actions
from coproduction.models import Publication, PublicPage, PublishedSummary, SummaryDraft
from coproduction.services import deliverables_of, families_views_current, public_cache_key, published_summaries, timeline


def agreed_view_reach(strategy) -> str:
    """What the forum's agreement to show a families' view does today: "views" (the published page shows it at once),
    "no views" (the page is published but shows no families' views) or "not published" (nobody reads it yet)."""
    page = PublicPage.objects.filter(strategy=strategy).first()
    if page is None or page.latest_publication() is None:
        return "not published"
    return "views" if page.show_families_view else "no views"


def public_context(page: PublicPage, *, preview: bool = False, publication: Publication | None = None) -> dict:
    strategy = page.strategy
    publication = publication or page.latest_publication()
    if preview:
        summaries = {
            d.group_id: d for d in SummaryDraft.objects.filter(group__strategy=strategy) if not d.is_empty()
        }  # as they would be published
    else:
        summaries = published_summaries(page)
    # The plan's own areas: not the group that gathers the board's actions arising, which are the board's business.
    groups = list(
        DeliveryGroup.objects.filter(strategy=strategy)
        .exclude(BOARD_ACTIONS_GROUP)
        .select_related("priority", "parent")
        .order_by("position", "id")
    )
    rows = rows_from_actions(Action.objects.filter(strategy=strategy))
    today = timezone.localdate()
    views = {}
    if page.show_families_view:
        views = {group_id: view for group_id, view in families_views_current(strategy).items() if view.publishable}
    counts: dict[int, dict[int, int]] = {}
    if page.show_ratings:
        for row in rows:
            counts.setdefault(row.group_id, {}).setdefault(row.rating.pk, 0)
            counts[row.group_id][row.rating.pk] += 1
    levels = list(RatingLevel.objects.filter(scheme_id=strategy.scheme_id).order_by("position")) if page.show_ratings else []
    priorities: dict[int, dict] = {}
    for group in groups:
        entry = priorities.setdefault(group.priority_id, {"priority": group.priority, "groups": []})
        mix = [(level, counts.get(group.pk, {}).get(level.pk, 0)) for level in levels]
        entry["groups"].append(
            {
                "group": group,
                "summary": summaries.get(group.pk),
                "families_view": views.get(group.pk),
                "ratings": [(level, n) for level, n in mix if n],
            }
        )
    for entry in priorities.values():
        # The areas with something published (a summary, or what families say) come first; the rest are folded, so the
        # news is not lost among them.
        entry["with_news"] = [g for g in entry["groups"] if g["summary"] or g["families_view"]]
        entry["quiet"] = [g for g in entry["groups"] if not (g["summary"] or g["families_view"])]
    return {
        "page": page,
        "strategy": strategy,
        "partnership": strategy.partnership,
        "priorities": list(priorities.values()),
        "timeline": timeline(deliverables_of(strategy), rows, today),
        "publication": publication,
        "preview": preview,
        "today": today,
        "service_name": settings.SERVICE_NAME,
    }


def public_page_html(page: PublicPage, publication: Publication) -> str:
    """The public page as of its latest publication, as HTML: rendered once per publication, settings and revision, then cached."""
    key = public_cache_key(page, "page", publication.pk)
    html = cache.get(key)
    if html is None:
        html = render_to_string("coproduction/public_page.html", public_context(page, publication=publication))
        cache.set(key, html, settings.PUBLIC_PAGE_CACHE_SECONDS)
    return html


def public_feed_xml(page: PublicPage, publication: Publication, page_url: str, feed_url: str) -> str:
    """An Atom feed with one entry per published summary, newest first."""
    key = public_cache_key(page, "feed", publication.pk)
    xml = cache.get(key)
    if xml is not None:
        return xml
    strategy = page.strategy
    feed = feedgenerator.Atom1Feed(
        title=f"{strategy.name}: progress updates",
        link=page_url,
        description=f"'You said, we did' updates published by {strategy.partnership.name}.",
        feed_url=feed_url,
        language="en-gb",
        author_name=strategy.partnership.name,
        feed_guid=feed_url,
    )
    summaries = (
        PublishedSummary.objects.filter(publication__page=page)
        .select_related("publication", "group__parent")
        .order_by("-publication__published_at", "-publication_id", "group_id")[:100]
    )
    for summary in summaries:
        # Atom's summary is HTML to a feed reader: the officers' text goes in escaped.
        parts = [f"You said: {summary.you_said}" if summary.you_said else "", f"We did: {summary.we_did}" if summary.we_did else ""]
        description = linebreaks("\n\n".join(p for p in parts if p), autoescape=True)
        feed.add_item(
            title=f"{summary.group}: you said, we did",
            link=f"{page_url}#group-{summary.group_id}",
            description=description,
            unique_id=f"{page_url}#summary-{summary.pk}",
            pubdate=summary.publication.published_at,
            updateddate=summary.publication.published_at,
        )
    xml = feed.writeString("utf-8")
    cache.set(key, xml, settings.PUBLIC_PAGE_CACHE_SECONDS)
    return xml
