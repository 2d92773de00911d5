"""The public progress page: only what officers published (and the forum agreed to), with no sign-in, from a cache."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from actions.models import ActionUpdate
from coproduction.models import Deliverable, Publication, PublicPage, SummaryDraft
from coproduction.services import NothingToPublishError, families_view_record, page_publish
from tests.governance.conftest import big_plan  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("owned")</script>'
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def public_page(strategy):
    return PublicPage.objects.create(strategy=strategy, slug="northshire-progress", introduction="Our progress, for families.")


@pytest.fixture
def published(public_page, group, action, officer, partner, owner_post):
    """A published page beside everything that must never reach it."""
    SummaryDraft.objects.create(group=group, you_said=f"You said waits were too long {HOSTILE}", we_did="We hired two more caseworkers.")
    page_publish(page=public_page, user=officer)
    # Planted after publishing, or never published: none of it may reach the page or the feed.
    SummaryDraft.objects.filter(group=group).update(we_did="DRAFT-ONLY unpublished plan for next cycle")
    ActionUpdate.objects.create(action=action, rating_after=action.rating, narrative="PRIVATE-NARRATIVE budget pressures in the team")
    families_view_record(group=group, user=partner, level="worse", narrative="UNAGREED-VIEW families are upset", source="Casework")
    deliverable = Deliverable.objects.create(
        strategy=public_page.strategy, group=group, statement="Fewer complaints by spring", due_date=action.due_date
    )
    deliverable.actions.add(action)
    return public_page


def public_urls(public_page):
    return reverse("coproduction:public_page", args=[public_page.slug]), reverse("coproduction:public_feed", args=[public_page.slug])


def test_nothing_unpublished_reaches_the_page_or_its_feed(client, published, action, owner_post):
    for url in public_urls(published):
        response = client.get(url)
        assert response.status_code == 200
        body = response.content.decode()
        for secret in ("DRAFT-ONLY", "PRIVATE-NARRATIVE", "UNAGREED-VIEW", owner_post.title, action.text, action.ref, HOSTILE, "<script"):
            assert secret not in body, f"{secret!r} reached {url}"
        assert "Amber" not in body  # no internal rating unless the partnership chooses to publish ratings
    page_html = client.get(public_urls(published)[0]).content.decode()
    assert "You said waits were too long &lt;script&gt;" in page_html and "We hired two more caseworkers." in page_html
    assert "Fewer complaints by spring" in page_html


def test_the_page_sets_no_cookie_and_may_be_cached(client, published):
    response = client.get(public_urls(published)[0])
    assert not response.cookies
    assert response["Cache-Control"] == "public, max-age=300"
    assert "csrfmiddlewaretoken" not in response.content.decode()


def test_a_view_the_forum_agreed_to_publish_is_shown(client, published, group, partner):
    families_view_record(
        group=group, user=partner, level="some", narrative="AGREED-VIEW a little better", source="Survey", publishable=True
    )
    SummaryDraft.objects.filter(group=group).update(we_did="We hired three caseworkers.")
    page_publish(page=published, user=Publication.objects.first().published_by)
    body = client.get(public_urls(published)[0]).content.decode()
    assert "AGREED-VIEW a little better" in body and "Some improvement" in body


def test_ratings_show_only_when_the_partnership_chooses(client, published):
    url = public_urls(published)[0]
    assert "Amber 1" not in client.get(url).content.decode()
    published.show_ratings = True
    published.save()  # a change of settings is a new rendering, however recently the page was cached
    assert "Amber 1" in client.get(url).content.decode()


def test_the_page_is_served_from_the_cache_until_an_officer_publishes(client, published, group, officer, django_assert_num_queries):
    url = public_urls(published)[0]
    client.get(url)
    SummaryDraft.objects.filter(group=group).update(we_did="We opened a new hub.")
    with django_assert_num_queries(3):  # the page, its latest publication and its strategy's revision; the rendering comes from the cache
        assert "We opened a new hub." not in client.get(url).content.decode()
    page_publish(page=published, user=officer)
    assert "We opened a new hub." in client.get(url).content.decode()


def test_there_is_no_page_before_the_first_publication(client, public_page):
    assert client.get(public_urls(public_page)[0]).status_code == 404
    assert client.get(public_urls(public_page)[1]).status_code == 404


def test_the_feed_is_atom_with_one_entry_per_published_summary(client, published, group, officer):
    SummaryDraft.objects.filter(group=group).update(we_did="Second update.")
    page_publish(page=published, user=officer)
    response = client.get(public_urls(published)[1])
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 2
    assert "Second update." in entries[0].find(f"{ATOM}summary").text
    # The summary is HTML to a feed reader: the officers' text arrives escaped inside it.
    assert "&lt;script&gt;" in entries[1].find(f"{ATOM}summary").text


def test_officers_preview_drafts_that_the_public_cannot_see(client, published, officer, strategy):
    client.force_login(officer)
    preview = client.get(reverse("coproduction:public_preview", args=[strategy.pk]))
    assert "DRAFT-ONLY unpublished plan" in preview.content.decode()
    assert preview["Cache-Control"] == "private, no-store"
    client.logout()
    assert "DRAFT-ONLY" not in client.get(public_urls(published)[0]).content.decode()


def test_a_public_summary_with_new_words_reads_as_public_with_changes_to_publish(client, published, group, officer, strategy):
    """Its older words are on the public page: "Draft not published" would say families see nothing for the group."""
    client.force_login(officer)
    manage = client.get(reverse("coproduction:public_manage", args=[strategy.pk])).content.decode()
    row = manage[manage.index(group.name) :].split("</tr>")[0]
    assert ">Changes not published</strong>" in row and "Draft not published" not in row
    assert "Publish 1 draft summary" in manage


def test_publishing_keeps_a_history_of_what_was_public_when(client, published, group, officer, strategy):
    client.force_login(officer)
    response = client.post(reverse("coproduction:public_publish", args=[strategy.pk]), {"note": "After the June board"})
    assert response.status_code == 302
    history = client.get(reverse("coproduction:public_history", args=[strategy.pk])).content.decode()
    assert "After the June board" in history and "DRAFT-ONLY unpublished plan" in history  # now published
    assert "We hired two more caseworkers." in history  # what was public before
    assert Publication.objects.filter(page=published).count() == 2


def test_the_history_gives_the_public_pages_whole_address_to_pass_on_to_families(client, published, partner, strategy):
    client.force_login(partner)
    history = client.get(reverse("coproduction:public_history", args=[strategy.pk])).content.decode()
    address = "http://testserver/progress/northshire-progress/"
    assert f'href="{address}">{address}</a>, for anyone to read without signing in.' in history


def test_publishing_nothing_new_says_so(published, officer):
    SummaryDraft.objects.all().delete()
    with pytest.raises(NothingToPublishError):
        page_publish(page=published, user=officer)


def test_only_officers_write_and_publish(client, published, group, strategy, board, partner):
    for person in (board, partner):
        client.force_login(person)
        assert client.post(reverse("coproduction:summary_edit", args=[group.pk]), {"you_said": "x", "we_did": "y"}).status_code == 403
        assert client.post(reverse("coproduction:public_publish", args=[strategy.pk])).status_code == 403
        assert client.get(reverse("coproduction:public_preview", args=[strategy.pk])).status_code == 403


def test_an_officer_drafts_a_summary_without_publishing_it(client, public_page, group, officer, strategy):
    client.force_login(officer)
    response = client.post(reverse("coproduction:summary_edit", args=[group.pk]), {"you_said": "You said A", "we_did": "We did B"})
    assert response.status_code == 302
    manage = client.get(reverse("coproduction:public_manage", args=[strategy.pk])).content.decode()
    assert "Draft not published" in manage
    assert not Publication.objects.exists()


def test_a_taken_address_is_refused_on_the_settings_form(client, public_page, officer, other_partnership, scheme):
    from actions.models import Strategy

    other = Strategy.objects.create(partnership=public_page.strategy.partnership, name="Another plan", scheme=scheme)
    PublicPage.objects.create(strategy=other, slug="taken")
    client.force_login(officer)
    response = client.post(
        reverse("coproduction:public_manage", args=[public_page.strategy_id]), {"slug": "taken", "show_families_view": "on"}
    )
    assert response.status_code == 422
    assert "Another strategy&#x27;s page already uses that address" in response.content.decode()


@pytest.mark.parametrize("size", ["small", "big"])
def test_rendering_the_page_takes_the_same_queries_whatever_the_plan_size(client, request, officer, size, django_assert_max_num_queries):
    strategy = request.getfixturevalue("big_plan" if size == "big" else "strategy")
    if size == "small":
        request.getfixturevalue("action")
    public = PublicPage.objects.create(strategy=strategy, slug=f"{size}-plan", show_ratings=True)
    group = strategy.delivery_groups.first()
    SummaryDraft.objects.create(group=group, you_said="You said.", we_did="We did.")
    page_publish(page=public, user=officer)
    with django_assert_max_num_queries(12):  # rendered afresh: nothing cached yet
        assert client.get(reverse("coproduction:public_page", args=[public.slug])).status_code == 200


def test_areas_with_news_come_first_and_the_rest_are_folded(client, published, group, strategy):
    from actions.models import DeliveryGroup

    quiet = DeliveryGroup.objects.create(strategy=strategy, priority=group.priority, name="0. Quiet area", position=0)
    html = client.get(public_urls(published)[0]).content.decode()
    news, folded = html.index(f'id="group-{group.pk}"'), html.index(f'id="group-{quiet.pk}"')
    assert news < folded, "the area with a published update comes first, though it is later in the plan"
    assert html.rindex("<details", 0, folded) > news and "Other areas with no update published yet (1)" in html
    assert "No update has been published for this area yet" not in html


def test_an_area_with_only_what_families_say_is_among_the_news_not_folded_as_having_none(client, published, group, strategy, partner):
    from actions.models import DeliveryGroup

    heard = DeliveryGroup.objects.create(strategy=strategy, priority=group.priority, name="0. Heard area", position=0)
    families_view_record(
        group=heard, user=partner, level="some", narrative="AGREED-VIEW families notice", source="Survey", publishable=True
    )
    page_publish(page=published, user=Publication.objects.first().published_by)
    html = client.get(public_urls(published)[0]).content.decode()
    shown = html.index(f'id="group-{heard.pk}"')
    assert "AGREED-VIEW families notice" in html
    assert "<details" not in html[:shown], "what families say about the area is folded away as though nothing was published"


def test_the_publish_button_is_offered_only_when_a_draft_waits(client, public_page, group, officer, strategy):
    client.force_login(officer)
    SummaryDraft.objects.create(group=group, you_said="You said A", we_did="We did B")
    manage = client.get(reverse("coproduction:public_manage", args=[strategy.pk])).content.decode()
    assert "Publish 1 draft summary" in manage
    page_publish(page=public_page, user=officer)
    manage = client.get(reverse("coproduction:public_manage", args=[strategy.pk])).content.decode()
    assert "Publish 0" not in manage and "draft summar" not in manage
    assert "there is no draft to publish" in manage


def test_the_board_s_own_actions_arising_are_not_an_area_of_the_page(client, published, officer, strategy):
    """Families read the plan's areas: the group that gathers the board's actions arising is the board's business."""
    from actions.models import ARISING_NAME
    from governance.decisions import arising_group

    arising = arising_group(strategy)
    PublicPage.objects.filter(pk=published.pk).update(show_ratings=True)  # every area with actions, news or not
    body = client.get(public_urls(published)[0]).content.decode()
    assert ARISING_NAME not in body and "We hired two more caseworkers." in body
    client.force_login(officer)
    manage = client.get(reverse("coproduction:public_manage", args=[strategy.pk])).content.decode()
    assert ARISING_NAME not in manage and reverse("coproduction:summary_edit", args=[arising.pk]) not in manage


def test_a_quarter_whose_promises_are_all_delivered_opens_on_request_and_the_others_stay_open(client, published, action, group, level):
    """Families meet what is still to come first: a quarter all delivered is folded, saying so; any other stays shown."""
    import datetime as dt

    import lxml.html

    Deliverable.objects.create(strategy=published.strategy, group=group, statement="A new panel", due_date=dt.date(2026, 1, 31))
    ActionUpdate.objects.create(action=action, rating_after=level("green"), narrative="Done")
    type(action).objects.filter(pk=action.pk).update(rating=level("green"))
    page = lxml.html.fromstring(client.get(public_urls(published)[0]).content)
    folded = page.xpath("//details[.//li[contains(@class, 'app-timeline__item')]]")
    [done] = [d for d in folded if "Fewer complaints by spring" in d.text_content()]
    assert " ".join(done.find("summary").text_content().split()) == "Delivered: show it"
    assert not [d for d in folded if "A new panel" in d.text_content()]  # no action linked yet: shown as it is
    assert "A new panel" in page.text_content()
