"""The board dashboard: ratings by priority and group, exceptions, movement and filters."""

from __future__ import annotations

import datetime as dt
import html as html_module
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actions.models import Action, DeliveryGroup
from coproduction.models import FamiliesLevel, FamiliesView
from governance.services import snapshot_take
from people.models import Membership
from tests.conftest import make_user, page_read_through
from tests.governance.conftest import rating_change


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def chair(one_plan):
    return make_user("chair@example.org", one_plan.partnership, Membership.Role.BOARD_MEMBER)


def dashboard_url(strategy, query: str = "") -> str:
    return reverse("reporting:dashboard", args=[strategy.pk]) + (f"?{query}" if query else "")


def matrix_of(html: str) -> dict[str, list[str]]:
    """The dashboard's matrix as {row header: [cell texts]}, read from its table."""
    table = html.split('class="govuk-table app-matrix"', 1)[1].split("</table>", 1)[0]
    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, flags=re.S):
        header = re.search(r'<th scope="row"[^>]*>(.*?)</th>', row, flags=re.S)
        if header:
            cells = [" ".join(text_of(cell).split()) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)]
            rows[html_module.unescape(" ".join(text_of(header.group(1)).split()))] = cells
    return rows


def figures_of(html: str) -> dict[str, str]:
    items = re.findall(r'<li class="app-figures__item[^"]*">(.*?)</li>', html, flags=re.S)
    found = {}
    for item in items:
        label = text_of(re.search(r'app-figures__label">(.*?)</span>', item, flags=re.S).group(1)).strip()
        found[label] = " ".join(text_of(item).split())
    return found


def test_it_shows_the_one_plan_ratings_as_at_14_may_2025(client, chair, one_plan):
    client.force_login(chair)
    html = client.get(dashboard_url(one_plan)).content.decode()
    matrix = matrix_of(html)
    assert matrix["All actions shown"][:5] == ["3", "99", "65", "12", "7"]  # Red, Grey, Amber, Amber E, Green
    assert matrix["All actions shown"][-1] == "186"
    assert matrix["1. SEND Partnership and Senior Leaders' Oversight"][-1].endswith("all: 15")  # the total, named for a screen reader
    page = text_of(html)
    assert "No owner allocated: 20" in page and "No due date (TBC): 20" in page and "Rated at risk: 3" in page
    assert "Movement since 14 May 2025" in page


def test_the_first_screen_has_the_headline_figures_with_their_change_since_the_last_board(client, chair, one_plan, level):
    sp1 = Action.objects.get(strategy=one_plan, ref="SP1")
    rating_change(sp1, level("red"), narrative="Slipped.")
    client.force_login(chair)
    figures = figures_of(client.get(dashboard_url(one_plan)).content.decode())
    assert list(figures) == ["On track", "At risk", "Overdue", "Not started", "Complete", "No update since the last board"]
    # Each action is in exactly one class, so the four classes account for the whole plan; overdue and no update overlap them.
    assert sum(int(figures[label].split()[0]) for label in ["On track", "At risk", "Not started", "Complete"]) == 186
    assert figures["At risk"].startswith("4 At risk") and "1 more since the last board" in figures["At risk"]
    assert figures["On track"].startswith("64 On track") and "1 fewer since the last board" in figures["On track"]
    assert "no change" in figures["Complete"]
    # One word for one thing: the count and its change both say "since the last board".
    assert "since the last snapshot" not in client.get(dashboard_url(one_plan)).content.decode()


def test_every_matrix_cell_links_to_exactly_the_actions_it_counts(client, chair, one_plan):
    client.force_login(chair)
    html = client.get(dashboard_url(one_plan)).content.decode()
    links = re.findall(
        r'<a class="govuk-link app-matrix__cell" href="([^"]+)" data-group="(\d+)" data-rating="([\w-]+)">.*?</span>(\d+)</a>', html
    )
    assert len(links) > 30 and sum(int(n) for *_, n in links) == 186
    for href, group_id, rating, count in links:
        listed = client.get(href.replace("&amp;", "&")).content.decode().split('id="actions"', 1)[1].split("</table>", 1)[0]
        rows = re.findall(r'<tr class="govuk-table__row" data-group="(\d+)">.*?data-rating="([\w-]+)"', listed, flags=re.S)
        assert len(rows) == int(count) and set(rows) == {(group_id, rating)}


def test_a_snapshot_view_shows_the_plan_as_it_was(client, chair, one_plan, level):
    from actions.models import Snapshot

    sp1 = Action.objects.get(strategy=one_plan, ref="SP1")
    rating_change(sp1, Action.objects.get(strategy=one_plan, ref="SL10").rating)  # now Red
    client.force_login(chair)
    snapshot = Snapshot.objects.get(strategy=one_plan)
    live = client.get(dashboard_url(one_plan)).content.decode()
    frozen = client.get(dashboard_url(one_plan, f"snapshot={snapshot.pk}")).content.decode()
    assert matrix_of(live)["All actions shown"][:3] == ["4", "99", "64"]
    assert matrix_of(frozen)["All actions shown"][:3] == ["3", "99", "65"]
    assert "The plan as at 14 May 2025" in text_of(frozen) and "There is no earlier snapshot" in text_of(frozen)


def test_movement_since_the_last_snapshot_shows_before_and_after(client, board, action, group, level):
    snapshot_take(strategy=action.strategy, as_at=dt.date(2025, 5, 14))
    rating_change(action, level("red"))
    client.force_login(board)
    html = page_read_through(client, dashboard_url(action.strategy))
    worsened = html.split("Rating worsened (1)", 1)[1].split("</table>", 1)[0]
    assert "SP1" in worsened and worsened.index(">Amber</strong>") < worsened.index(">Red</strong>")


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("rating=red", ["SL10", "EHC-A5", "EHC-A6"], ["SP1<"]),
        ("exception=risk", ["SL10", "EHC-A5"], ["SP1<"]),
        ("exception=no_due_date", ["B2T-"], ["SL10<"]),
    ],
)
def test_filters_stay_in_the_url_and_narrow_the_actions(client, chair, one_plan, query, shown, hidden):
    client.force_login(chair)
    html = client.get(dashboard_url(one_plan, query)).content.decode()
    for ref in shown:
        assert ref in html
    for ref in hidden:
        assert ref not in html
    assert "actions match the filters" in html
    assert f"export.csv?{query}" in html and f"export.xlsx?{query}" in html


def test_the_owner_and_organisation_filters_choose_by_post(client, chair, one_plan):
    from people.models import Post

    post = Post.objects.get(partnership=one_plan.partnership, title="Head of Service: Inclusion")
    client.force_login(chair)
    page = text_of(client.get(dashboard_url(one_plan, f"owner={post.pk}")).content.decode())
    count = Action.objects.filter(strategy=one_plan, owners=post).count()
    assert f"{count} of 186 actions match the filters" in page
    org = post.organisation
    page = text_of(client.get(dashboard_url(one_plan, f"organisation={org.pk}&owner={post.pk}")).content.decode())
    assert f"{count} of 186 actions match the filters" in page


def test_a_bad_filter_value_is_explained_not_a_500(client, chair, one_plan):
    client.force_login(chair)
    response = client.get(dashboard_url(one_plan, "rating=purple&owner=abc&snapshot=999999"))
    html = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in html
    assert "186 actions." in text_of(html)  # the bad filters are ignored


def test_htmx_gets_only_the_results_fragment(client, chair, one_plan):
    client.force_login(chair)
    response = client.get(dashboard_url(one_plan, "rating=red"), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html and "Filter the actions" not in html
    assert "3 of 186 actions match the filters" in text_of(html)


def test_the_filter_form_works_without_javascript_and_with_htmx(client, chair, one_plan):
    client.force_login(chair)
    html = client.get(dashboard_url(one_plan)).content.decode()
    form = re.search(r"<form method=\"get\"[^>]+>", html).group(0)
    url = reverse("reporting:dashboard", args=[one_plan.pk])
    assert f'action="{url}"' in form and f'data-hx-get="{url}"' in form and 'data-hx-push-url="true"' in form


def test_read_only_roles_see_no_edit_controls(client, board, owner, officer, action):
    for person in (board, owner):
        client.force_login(person)
        html = client.get(dashboard_url(action.strategy)).content.decode()
        main = html.split('id="main-content"')[1].split("</main>")[0]  # the layout's sign-out forms are not the page's
        assert 'method="post"' not in main and "take a snapshot" not in html
    client.force_login(officer)
    assert "take a snapshot" in client.get(dashboard_url(action.strategy)).content.decode()


def test_hostile_text_is_escaped_on_the_dashboard(client, board, action):
    Action.objects.filter(pk=action.pk).update(text='<script>alert("x")</script>', due_date=None, due_precision="none")
    client.force_login(board)
    html = page_read_through(client, dashboard_url(action.strategy))
    assert '<script>alert("x")</script>' not in html and "&lt;script&gt;" in html


def test_the_group_page_shows_its_actions_movement(client, board, action, level):
    client.force_login(board)
    url = reverse("reporting:group_detail", args=[action.group_id])
    assert "There is no snapshot of the plan to compare with yet" in client.get(url).content.decode()
    today = timezone.localdate()
    snapshot_take(strategy=action.strategy, as_at=today)
    assert "No rating has changed" in client.get(url).content.decode()
    rating_change(action, level("amber-e"))
    page = text_of(client.get(url).content.decode())
    assert f"Movement since {today:%-d %B %Y}" in page and "Newly completed (1)" in page and "SP1" in page


def test_the_group_page_shows_an_action_that_became_overdue_since_the_snapshot(client, board, action):
    snapshot_take(strategy=action.strategy, as_at=dt.date(2025, 5, 14))  # due 30 Sep 2025: not yet overdue then
    client.force_login(board)
    page = text_of(client.get(reverse("reporting:group_detail", args=[action.group_id])).content.decode())
    assert "Newly overdue (1)" in page and "SP1" in page


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.slow
def test_the_dashboard_issues_the_same_queries_for_186_and_2000_actions(
    client, officer, action, one_plan, big_plan, django_assert_max_num_queries
):
    Membership.objects.create(user=officer, partnership=one_plan.partnership, role=Membership.Role.OFFICER)
    snapshot_take(strategy=big_plan, as_at=dt.date(2025, 5, 14))
    client.force_login(officer)
    client.get(dashboard_url(action.strategy))  # warm the session
    # 20 to build it: the findings with no linked action are one more exception (one query), the
    # families' views beside the matrix one more, the strategy's revision that keys the cache, and
    # the open priority action plan's due date (read at each request: its count of days changes daily).
    with django_assert_max_num_queries(20):
        client.get(dashboard_url(one_plan))
    with django_assert_max_num_queries(20):
        response = client.get(dashboard_url(big_plan))
    assert "2000 actions." in text_of(response.content.decode())
    # Built once, then served from the cache until the plan changes: the session, the person,
    # the strategy and membership, the revision, the navigation's membership, and the plan's due date.
    with django_assert_max_num_queries(7):
        cached_one = client.get(dashboard_url(one_plan))
    with django_assert_max_num_queries(7):
        cached_big = client.get(dashboard_url(big_plan))
    assert "2000 actions." in text_of(cached_big.content.decode()) and "186 actions." in text_of(cached_one.content.decode())
    assert _queries(client, dashboard_url(one_plan)) == _queries(client, dashboard_url(big_plan))
    assert _queries(client, dashboard_url(one_plan, "exception=overdue")) == _queries(client, dashboard_url(big_plan, "exception=overdue"))


def test_the_group_page_queries_do_not_grow_with_its_actions(client, officer, big_plan, django_assert_max_num_queries):
    from actions.models import DeliveryGroup

    snapshot_take(strategy=big_plan, as_at=dt.date(2025, 5, 14))
    client.force_login(officer)
    group = DeliveryGroup.objects.filter(strategy=big_plan).first()
    # 14 for the plan and its KPIs, 3 for the families' view and the deliverables' timeline.
    with django_assert_max_num_queries(17):
        client.get(reverse("reporting:group_detail", args=[group.pk]))


def test_going_back_with_htmx_gets_the_whole_page(client, chair, one_plan):
    client.force_login(chair)
    response = client.get(dashboard_url(one_plan, "rating=red"), HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<html" in response.content.decode() and "HX-Request" in response["Vary"]


def test_exceptions_show_the_latest_narrative_and_who_wrote_it_most_urgent_first_a_page_at_a_time(client, chair, one_plan):
    from actions.models import ActionUpdate

    author = make_user("head.inclusion@example.org", one_plan.partnership, Membership.Role.DELIVERY_LEAD)
    author.first_name, author.last_name = "Asha", "Patel"
    author.save()
    sl10 = Action.objects.get(strategy=one_plan, ref="SL10")
    ActionUpdate.objects.create(action=sl10, author=author, rating_after=sl10.rating, narrative="Waiting on <b>the ICB</b> data feed.")
    client.force_login(chair)
    html = page_read_through(client, dashboard_url(one_plan))
    risk = html.split('id="exception-risk"', 1)[1].split('id="exception-overdue"', 1)[0]
    assert "Asha Patel" in risk and "Waiting on &lt;b&gt;the ICB&lt;/b&gt; data feed." in risk
    overdue = html.split('id="exception-overdue"', 1)[1].split('id="exception-inconsistent"', 1)[0]
    refs = re.findall(r'<th scope="row" class="govuk-table__header[^"]*"><a class="govuk-link" href="[^"]+">([^<]+)</a>', overdue)
    count = int(re.search(r"Overdue \((\d+)\)", overdue).group(1))
    assert count > 10 and len(refs) == 10  # a page at a time
    risk_refs = set(
        Action.objects.filter(strategy=one_plan, rating__is_risk=True, due_date__lt=timezone.localdate()).values_list("ref", flat=True)
    )
    assert set(refs[: len(risk_refs)]) == risk_refs  # the overdue actions at risk come first
    assert "overdue_page=2#exception-overdue" in overdue
    second = page_read_through(client, dashboard_url(one_plan, "overdue_page=2"))
    second_refs = re.findall(
        r'<th scope="row" class="govuk-table__header[^"]*"><a class="govuk-link" href="[^"]+">([^<]+)</a>',
        second.split('id="exception-overdue"', 1)[1].split('id="exception-inconsistent"', 1)[0],
    )
    assert second_refs and not set(second_refs) & set(refs)


def test_movement_lists_each_action_once_and_a_newly_overdue_action_keeps_its_one_rating(client, board, action, level):
    snapshot_take(strategy=action.strategy, as_at=dt.date(2025, 5, 14))  # due 30 Sep 2025: not yet overdue then; still Amber
    client.force_login(board)
    html = page_read_through(client, dashboard_url(action.strategy))
    newly = html.split("Newly overdue (1)", 1)[1].split("</table>", 1)[0]
    assert "SP1" in newly and newly.count('class="govuk-tag app-rating') == 1 and "→" not in newly
    rating_change(action, level("red"))
    html = page_read_through(client, dashboard_url(action.strategy))
    assert "Rating worsened (1)" in html and "Newly overdue (" not in html  # listed once, under its first kind


def test_the_dashboard_is_served_when_the_cache_cannot_be_reached(client, chair, one_plan, monkeypatch, caplog):
    from django.core.cache import cache

    def down(*args, **kwargs):
        raise ConnectionError("Redis is restarting")

    monkeypatch.setattr(cache, "get", down)
    monkeypatch.setattr(cache, "set", down)
    client.force_login(chair)
    response = client.get(dashboard_url(one_plan))
    assert response.status_code == 200 and "186 actions." in text_of(response.content.decode())
    assert "The cache could not be read" in caplog.text


def test_exception_lists_are_closed_but_for_the_risks_and_the_one_being_paged_through(client, chair, one_plan):
    client.force_login(chair)

    def opened(query: str = "") -> dict[str, bool]:
        html = client.get(dashboard_url(one_plan, query)).content.decode()
        found = re.findall(r'<details class="govuk-details app-exception" id="exception-(\w+)"( open)?>', html)
        return {key: bool(is_open) for key, is_open in found}

    shown = opened()
    assert shown["risk"] and not shown["overdue"] and not shown["needs_update"]
    paged = opened("overdue_page=2")
    assert paged["overdue"] and paged["risk"] and not paged["needs_update"]


def test_the_families_view_total_counts_the_views_beside_the_groups_shown(client, board, owner, action, group):
    """A view recorded for a group with no row (here one with no action) is not counted under the rows: the total agrees
    with the badges a board member can count above it."""
    rowless = DeliveryGroup.objects.create(strategy=group.strategy, priority=group.priority, name="2. No actions", position=2)
    for each in (group, rowless):
        FamiliesView.objects.create(group=each, level=FamiliesLevel.NO_CHANGE, narrative="No change", source="Survey", recorded_by=owner)
    client.force_login(board)
    page = client.get(reverse("reporting:dashboard", args=[action.strategy.pk])).content.decode()
    assert 'data-label="Families\' view">1 recorded</td>' in page


def test_the_dashboard_links_to_the_board_reports_page_by_its_own_name(client, board, action):
    client.force_login(board)
    page = client.get(reverse("reporting:dashboard", args=[action.strategy.pk])).content.decode()
    reports = reverse("reporting:reports", args=[action.strategy.pk])
    assert f'<a class="govuk-link" href="{reports}">Board reports</a>' in page and "Board packs" not in page


def test_a_view_of_a_group_split_into_sub_groups_is_shown_beside_its_sub_groups(client, board, owner, action, group):
    """The parent has no row of its own: its families' view stands beside each sub-group without one, said to be of the
    whole group, and is counted once."""
    parent = DeliveryGroup.objects.create(strategy=group.strategy, priority=group.priority, name="3. EHC needs assessments", position=3)
    DeliveryGroup.objects.filter(pk=group.pk).update(parent=parent)
    FamiliesView.objects.create(group=parent, level=FamiliesLevel.WORSE, narrative="Longer waits", source="Casework", recorded_by=owner)
    client.force_login(board)
    page = client.get(reverse("reporting:dashboard", args=[action.strategy.pk])).content.decode()
    cell = page.split('app-matrix__families" data-label="Families\' view">', 1)[1].split("</td>", 1)[0]
    assert "Getting worse" in cell and "for the whole group" in cell
    assert 'data-label="Families\' view">1 recorded</td>' in page
