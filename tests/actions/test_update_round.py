"""The update round: a delivery lead updates several actions at once; officers see progress by organisation and chase."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from actions.models import Action, ActionUpdate, Notification
from actions.services import action_update_record
from governance.models import Board, Meeting
from governance.services import snapshot_take
from people.models import Membership, Organisation, Post
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def second(strategy, group, owner_post, level) -> Action:
    action = Action.objects.create(strategy=strategy, group=group, ref="SP2", text="Publish the local offer", rating=level("grey"))
    action.owners.add(owner_post)
    return action


@pytest.fixture
def meeting(strategy) -> Meeting:
    board = Board.objects.create(partnership=strategy.partnership, name="SEND Partnership Board")
    day = timezone.localdate() + dt.timedelta(days=20)
    return Meeting.objects.create(board=board, strategy=strategy, date=day, papers_deadline=day - dt.timedelta(days=7))


def row(action, **data) -> dict:
    return {f"a{action.pk}-{key}": value for key, value in {"rating": action.rating_id, "version": action.version, **data}.items()}


def test_a_lead_sees_the_round_for_the_next_board_and_updates_several_at_once(client, owner, action, second, meeting, level):
    for each in (action, second):  # their starting ratings, as the plan's import records them: not updates for the round
        ActionUpdate.objects.create(action=each, created_at=timezone.now() - dt.timedelta(days=1), rating_after=each.rating)
    client.force_login(owner)
    page = client.get(reverse("actions:update_round")).content.decode()
    # The board's name, then its date, as the cycle's page says it: no "2026 0-25 ..." run of numbers.
    assert f"0 of 2 updated for the SEND Partnership Board on {meeting.date:%-d %B %Y}" in page
    assert "Rows you leave unchanged are not saved." in page
    # Each row says when its narrative is needed (it is not optional) and that its links are.
    for each in (action, second):
        assert f'<div id="id_a{each.pk}-narrative-hint" class="govuk-hint">Required when the rating changes' in page
        assert f'for="id_a{each.pk}-links">Links to evidence (optional)</label>' in page
    response = client.post(
        reverse("actions:update_round"),
        {
            **row(action, rating=level("amber").pk, narrative="Review under way."),
            **row(second, narrative="Drafted.", links="https://example.org/offer"),
        },
    )
    assert response.status_code == 302
    assert ActionUpdate.objects.filter(author=owner).count() == 2
    assert second.updates.first().evidence.get().url == "https://example.org/offer"
    page = client.get(reverse("actions:update_round")).content.decode()
    assert "2 of 2 updated for the" in page
    assert "2 of 2" in client.get(reverse("actions:my_actions")).content.decode()


def test_each_row_says_when_its_action_is_past_its_due_date(client, owner, action, second, meeting, level):
    # SP1 was due in September 2025 and is rated Amber (on track); SP2 has no date.
    client.force_login(owner)
    page = client.get(reverse("actions:update_round")).content.decode()
    first, other = page[page.index(f'id="action-{action.pk}"') :], page[page.index(f'id="action-{second.pk}"') :]
    # The warning on a line of its own under the sentence: inline, a tag's 160 px wrapped it in two in mid-sentence on a phone.
    said = first[first.index("Due ") : first.index("</p>", first.index("Due "))]
    assert said.startswith("Due Sep 2025 · rated Amber")
    assert said.endswith('<br><strong class="govuk-tag govuk-tag--orange">On track but overdue</strong>')
    assert "overdue" not in other[: other.index("</p>", other.index("Due "))]


def test_rows_left_alone_are_not_saved(client, owner, action, second, meeting):
    client.force_login(owner)
    client.post(reverse("actions:update_round"), {**row(action), **row(second, narrative="Only this one.")})
    assert list(ActionUpdate.objects.filter(author=owner).values_list("action__ref", flat=True)) == ["SP2"]


def test_a_conflict_on_one_row_never_loses_the_others(client, owner, officer, action, second, meeting, level):
    client.force_login(owner)
    stale = action.version
    action_update_record(action=action, user=officer, rating=level("red"), narrative="Officer's news.", expected_version=stale)
    response = client.post(
        reverse("actions:update_round"),
        {
            **{k: v for k, v in row(action, narrative="My text for SP1").items()},
            f"a{action.pk}-version": stale,
            **row(second, narrative="Saved anyway."),
        },
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "1 update saved" in page and "someone else updated it" in page and "My text for SP1" in page
    assert second.updates.filter(narrative="Saved anyway.").exists()
    assert not action.updates.filter(narrative="My text for SP1").exists()


def test_a_conflict_with_the_persons_own_update_from_another_tab_says_so(client, owner, action, meeting, level):
    client.force_login(owner)
    stale = action.version
    action_update_record(action=action, user=owner, rating=level("red"), narrative="From the other tab.", expected_version=stale)
    response = client.post(reverse("actions:update_round"), {**row(action, narrative="From this tab"), f"a{action.pk}-version": stale})
    assert response.status_code == 409
    page = response.content.decode()
    assert "you updated it in another tab or window after you opened this page" in page and "someone else" not in page


def test_a_mistake_in_one_row_is_shown_there_and_the_rest_are_saved(client, owner, action, second, meeting, level):
    client.force_login(owner)
    response = client.post(reverse("actions:update_round"), {**row(action, rating=level("red").pk), **row(second, narrative="Fine.")})
    assert response.status_code == 422
    assert "Say what is being done to bring this action back on track" in response.content.decode()
    assert second.updates.filter(narrative="Fine.").exists() and not action.updates.filter(author=owner).exists()


def test_officers_see_the_round_by_organisation_and_chase_the_laggards(client, officer, owner, action, second, meeting, owner_post, level):
    owner_post.organisation = Organisation.objects.create(partnership=owner_post.partnership, name="Northshire Council")
    owner_post.save()
    snapshot_take(strategy=action.strategy, as_at=timezone.localdate() - dt.timedelta(days=1))
    action_update_record(action=action, user=owner, rating=level("amber"), narrative="Going well.", expected_version=action.version)
    client.force_login(officer)
    page = client.get(reverse("actions:round_progress", args=[action.strategy_id])).content.decode()
    assert meeting.date.strftime("%-d %B %Y") in page
    assert re.search(r"Northshire Council</th>\s*<td[^>]*>1</td>\s*<td[^>]*>2</td>", page)  # 1 of its 2 actions updated
    client.post(reverse("actions:round_chase", args=[action.strategy_id]))
    assert list(Notification.objects.filter(kind=Notification.Kind.REMINDER).values_list("recipient__email", "action__ref")) == [
        ("owner@example.org", "SP2")
    ]
    client.post(reverse("actions:round_chase", args=[action.strategy_id]))
    assert Notification.objects.filter(kind=Notification.Kind.REMINDER).count() == 1  # chased once per meeting


def test_the_chase_says_which_actions_not_updated_a_reminder_reaches_nobody_about(
    client, officer, owner, action, second, meeting, strategy, group, level, other_partnership
):
    snapshot_take(strategy=strategy, as_at=timezone.localdate() - dt.timedelta(days=1))
    action_update_record(action=action, user=owner, rating=level("amber"), narrative="Going well.", expected_version=action.version)

    def owned_by(ref: str, *holders) -> Action:
        post = Post.objects.create(partnership=strategy.partnership, title=f"Post of {ref}")
        for holder in holders:
            holder.posts.add(post)
        made = Action.objects.create(strategy=strategy, group=group, ref=ref, text="x", rating=level("amber"))
        made.owners.add(post)
        return made

    Action.objects.create(strategy=strategy, group=group, ref="NONE", text="No owner yet", rating=level("grey"))
    owned_by("VACANT")  # a post nobody holds
    owned_by("LEFT", make_user("left@example.org", strategy.partnership, Membership.Role.DELIVERY_LEAD))
    User.objects.filter(username="left@example.org").update(is_active=False)
    owned_by("AWAY", make_user("away@example.org", other_partnership, Membership.Role.DELIVERY_LEAD))  # not of this partnership
    both = owned_by("BOTH", owner)  # held by the owner too: one holder is enough
    both.owners.add(Post.objects.create(partnership=strategy.partnership, title="An empty second post"))

    client.force_login(officer)
    page = client.get(reverse("actions:round_progress", args=[strategy.pk])).content.decode()
    note = page[page.index('data-testid="no-one-to-remind"') :]
    assert "<strong>4 of the 6 actions not yet updated have no one to remind</strong>" in note
    assert f"/strategies/{strategy.pk}/dashboard/?exception=unallocated#actions" in note
    assert re.search(r"To be allocated</th>\s*<td[^>]*>0</td>\s*<td[^>]*>1</td>\s*<td[^>]*>1</td>", page)

    told = client.post(reverse("actions:round_chase", args=[strategy.pk]), follow=True).content.decode()
    assert "2 reminders queued" in told and "4 actions not yet updated have no one to remind" in told
    reminded = set(Notification.objects.filter(kind=Notification.Kind.REMINDER).values_list("action__ref", flat=True))
    assert reminded == {"SP2", "BOTH"}  # exactly the ones the page counted as reachable

    again = client.post(reverse("actions:round_chase", args=[strategy.pk]), follow=True).content.decode()
    assert "No new reminders: everyone who can be reminded about an action not yet updated already has been" in again
    assert "govuk-notification-banner--success" not in again

    home = client.get(reverse("reporting:this_cycle", args=[strategy.pk])).content.decode()
    assert "4 of them have no one a reminder would reach" in home


def test_with_every_action_updated_the_chase_says_there_is_no_one_to_chase(client, officer, owner, action, meeting, strategy, level):
    snapshot_take(strategy=strategy, as_at=timezone.localdate() - dt.timedelta(days=1))
    action_update_record(action=action, user=owner, rating=level("amber"), narrative="Going well.", expected_version=action.version)
    client.force_login(officer)
    told = client.post(reverse("actions:round_chase", args=[strategy.pk]), follow=True).content.decode()
    assert "Every action in the round has been updated: there is no one to chase." in told
    assert 'data-testid="no-one-to-remind"' not in told


def test_only_officers_see_the_round_by_organisation(client, owner, board, strategy):
    for person in (owner, board):
        client.force_login(person)
        assert client.get(reverse("actions:round_progress", args=[strategy.pk])).status_code == 403
        assert client.post(reverse("actions:round_chase", args=[strategy.pk])).status_code == 403


@pytest.mark.parametrize("size", [3, 30])
def test_the_round_page_issues_a_bounded_number_of_queries(
    client, owner, strategy, group, owner_post, level, meeting, size, django_assert_max_num_queries
):
    for i in range(size):
        Action.objects.create(strategy=strategy, group=group, ref=f"R{i}", text="x", rating=level("amber")).owners.add(owner_post)
    client.force_login(owner)
    with django_assert_max_num_queries(18):
        assert client.get(reverse("actions:update_round")).status_code == 200


def test_each_mistake_in_the_summary_links_to_the_field_it_is_about(client, owner, action, second, meeting, level):
    client.force_login(owner)
    posted = {**row(action, narrative="Started.", links="not a web address"), **row(second, rating=level("red").pk)}
    page = client.post(reverse("actions:update_round"), posted).content.decode()
    assert f'<a href="#id_a{action.pk}-links">{action.ref}: Enter each link as a full web address' in page
    assert f'<a href="#id_a{second.pk}-narrative">{second.ref}: Say what is being done' in page


def test_hostile_values_in_a_row_of_the_round_never_fail_or_write_without_saving(client, owner, action, second, meeting, settings):
    """The fuzz walks every URL with the fields its view reads, but a round's rows are named for their actions
    (`a<id>-rating`), which it cannot find: each row field is sent every hostile value here, alone and all at once,
    with the other row left as it was. Below 500 always; a write only when the row was saved."""
    from tests.security.test_fuzz import HOSTILE, raise_limits, send, shown

    raise_limits(settings)
    client.force_login(owner)
    url = reverse("actions:update_round")
    fields = ("rating", "narrative", "links", "version")
    for value in HOSTILE:
        for data in [{field: value} for field in fields] + [dict.fromkeys(fields, value)]:
            action.refresh_from_db()
            send(client, "post", url, row(action, **data), f"round row {sorted(data)}={shown(value)}")
    # Values a lead could mean ("foo" as a narrative) reached the service and were saved; the other row never was.
    assert action.updates.filter(narrative="foo").exists()
    assert not second.updates.exists()


def test_a_row_saved_beside_one_to_put_right_says_it_was_updated_today(client, owner, action, second, meeting, level):
    client.force_login(owner)
    response = client.post(
        reverse("actions:update_round"),
        {**row(action, narrative="Review under way."), **row(second, rating=level("red").pk)},  # Red needs a narrative
    )
    assert response.status_code == 422
    page = response.content.decode()
    saved = page[page.index(f'id="action-{action.pk}"') :]
    said = saved[saved.index("Due ") : saved.index("</p>", saved.index("Due "))]
    assert f"last updated {timezone.localdate():%-d %b %Y}" in said


ORGANISATION_ROW = r"Northshire Council</th>\s*<td[^>]*>(\d+)</td>\s*<td[^>]*>(\d+)</td>"  # updated, in the round
PLACES = ("my actions", "update round", "officer's round", "this cycle", "sign-off")


def test_completing_an_action_during_the_cycle_counts_it_as_updated_wherever_the_round_is_counted(
    client, officer, owner, action, second, meeting, owner_post, strategy, group, level
):
    """Rated Amber E (complete, impact to be evidenced), an action stays in the round as updated: "1 of 2", not "0 of 1".
    An action already complete before the cycle started stays out, even when its narrative is updated now."""
    owner_post.organisation = Organisation.objects.create(partnership=owner_post.partnership, name="Northshire Council")
    owner_post.save()
    done = Action.objects.create(strategy=strategy, group=group, ref="SP3", text="Done last cycle", rating=level("amber"))
    done.owners.add(owner_post)
    action_update_record(action=done, user=owner, rating=level("amber-e"), narrative="Delivered.", expected_version=done.version)
    snapshot_take(strategy=strategy, as_at=timezone.localdate() - dt.timedelta(days=1))
    done.refresh_from_db()
    action_update_record(action=done, user=owner, rating=level("green"), narrative="Embedded.", expected_version=done.version)

    def counted() -> dict[str, str]:
        client.force_login(owner)
        mine = client.get(reverse("actions:my_actions")).content.decode()
        mine = mine[mine.index('data-testid="round-progress"') :]
        labels = re.findall(r'data-testid="round-label">([^<]*)<', client.get(reverse("actions:update_round")).content.decode())
        client.force_login(officer)
        progress = client.get(reverse("actions:round_progress", args=[strategy.pk])).content.decode()
        cycle = client.get(reverse("reporting:this_cycle", args=[strategy.pk])).content.decode()
        sign_off = client.get(reverse("governance:sign_off_board", args=[meeting.pk])).content.decode()
        return {
            "my actions": re.search(r"<strong>(\d+ of \d+)</strong> updated since the last board", mine).group(1),
            "update round": re.match(r"(\d+ of \d+) updated for the", labels[0]).group(1),
            "officer's round": "{} of {}".format(*re.search(ORGANISATION_ROW, progress).groups()),
            "this cycle": re.search(r"Northshire Council</dt>\s*<dd[^>]*>(\d+ of \d+) updated", cycle).group(1),
            "sign-off": re.search(r'data-label="Updated since the last board">(\d+ of \d+)', sign_off).group(1),
        }

    assert counted() == dict.fromkeys(PLACES, "0 of 2")
    action_update_record(action=action, user=owner, rating=level("amber-e"), narrative="Delivered.", expected_version=action.version)
    assert counted() == dict.fromkeys(PLACES, "1 of 2")
    client.force_login(owner)
    page = client.get(reverse("actions:update_round")).content.decode()
    completed = page[page.index(f'id="action-{action.pk}"') :]
    assert completed[: completed.index("</legend>")].endswith('<strong class="govuk-tag govuk-tag--green">Updated</strong>')
    assert f'id="action-{done.pk}"' not in page  # complete before the cycle: not in the round
