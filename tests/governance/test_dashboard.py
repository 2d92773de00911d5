"""The board dashboard: ratings by priority and group, exceptions, movement and filters."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actions.models import Action
from governance.services import snapshot_take
from people.models import Membership
from tests.conftest import make_user
from tests.governance.conftest import rating_change


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def chair(one_plan):
    return make_user("chair@example.org", one_plan.partnership, Membership.Role.BOARD_MEMBER)


def dashboard_url(strategy, query: str = "") -> str:
    return reverse("governance:dashboard", args=[strategy.pk]) + (f"?{query}" if query else "")


def test_it_shows_the_one_plan_ratings_as_at_14_may_2025(client, chair, one_plan):
    client.force_login(chair)
    html = client.get(dashboard_url(one_plan)).content.decode()
    overall = text_of(html.split("All actions shown", 1)[1].split("By priority", 1)[0])
    assert "Red 3 Grey 99 Amber 65 Amber E 12 Green 7" in overall
    page = text_of(html)
    assert "Right Support (102 actions)" in page and "Right Place (26 actions)" in page and "Right Time (58 actions)" in page
    assert "No owner allocated: 20" in page and "No due date (TBC): 20" in page and "Rated at risk: 3" in page
    assert "Movement since 14 May 2025" in page


def test_each_bar_segment_has_its_label_and_count_in_text(client, chair, one_plan):
    client.force_login(chair)
    html = client.get(dashboard_url(one_plan)).content.decode()
    segments = re.findall(r'<span class="app-bar__segment[^"]*app-rating--([a-z-]+)" data-rating="[^"]+">([^<]+)</span>', html)
    assert ("amber-e", "Amber E 12") in segments and ("red", "Red 3") in segments
    assert "Show the ratings as a table" in html
    assert '<th scope="col" class="govuk-table__header govuk-table__header--numeric">Amber E</th>' in html


def test_a_snapshot_view_shows_the_plan_as_it_was(client, chair, one_plan, level):
    from actions.models import Snapshot

    sp1 = Action.objects.get(strategy=one_plan, ref="SP1")
    rating_change(sp1, Action.objects.get(strategy=one_plan, ref="SL10").rating)  # now Red
    client.force_login(chair)
    snapshot = Snapshot.objects.get(strategy=one_plan)
    live = text_of(client.get(dashboard_url(one_plan)).content.decode())
    frozen = text_of(client.get(dashboard_url(one_plan, f"snapshot={snapshot.pk}")).content.decode())
    assert "Red 4 Grey 99 Amber 64" in live and "Red 3 Grey 99 Amber 65" in frozen
    assert "The plan as at 14 May 2025" in frozen and "There is no earlier snapshot" in frozen


def test_movement_since_the_last_snapshot_shows_before_and_after(client, board, action, group, level):
    snapshot_take(strategy=action.strategy, as_at=dt.date(2025, 5, 14))
    rating_change(action, level("red"))
    client.force_login(board)
    html = client.get(dashboard_url(action.strategy)).content.decode()
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
    url = reverse("governance:dashboard", args=[one_plan.pk])
    assert f'action="{url}"' in form and f'hx-get="{url}"' in form and 'hx-push-url="true"' in form


def test_read_only_roles_see_no_edit_controls(client, board, owner, officer, action):
    for person in (board, owner):
        client.force_login(person)
        html = client.get(dashboard_url(action.strategy)).content.decode()
        assert 'method="post"' not in html.split('id="main-content"')[1] and "take a snapshot" not in html
    client.force_login(officer)
    assert "take a snapshot" in client.get(dashboard_url(action.strategy)).content.decode()


def test_hostile_text_is_escaped_on_the_dashboard(client, board, action):
    Action.objects.filter(pk=action.pk).update(text='<script>alert("x")</script>', due_date=None, due_precision="none")
    client.force_login(board)
    html = client.get(dashboard_url(action.strategy)).content.decode()
    assert '<script>alert("x")</script>' not in html and "&lt;script&gt;" in html


def test_the_group_page_shows_its_actions_movement(client, board, action, level):
    client.force_login(board)
    url = reverse("governance:group_detail", args=[action.group_id])
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
    page = text_of(client.get(reverse("governance:group_detail", args=[action.group_id])).content.decode())
    assert "Newly overdue (1)" in page and "SP1" in page


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_dashboard_issues_the_same_queries_for_186_and_2000_actions(
    client, officer, action, one_plan, big_plan, django_assert_max_num_queries
):
    Membership.objects.create(user=officer, partnership=one_plan.partnership, role=Membership.Role.OFFICER)
    snapshot_take(strategy=big_plan, as_at=dt.date(2025, 5, 14))
    client.force_login(officer)
    client.get(dashboard_url(action.strategy))  # warm the session
    with django_assert_max_num_queries(16):
        client.get(dashboard_url(one_plan))
    with django_assert_max_num_queries(16):
        response = client.get(dashboard_url(big_plan))
    assert "2000 actions." in text_of(response.content.decode())
    assert _queries(client, dashboard_url(one_plan)) == _queries(client, dashboard_url(big_plan))
    assert _queries(client, dashboard_url(one_plan, "exception=overdue")) == _queries(client, dashboard_url(big_plan, "exception=overdue"))


def test_the_group_page_queries_do_not_grow_with_its_actions(client, officer, big_plan, django_assert_max_num_queries):
    from actions.models import DeliveryGroup

    snapshot_take(strategy=big_plan, as_at=dt.date(2025, 5, 14))
    client.force_login(officer)
    group = DeliveryGroup.objects.filter(strategy=big_plan).first()
    with django_assert_max_num_queries(14):
        client.get(reverse("governance:group_detail", args=[group.pk]))


def test_going_back_with_htmx_gets_the_whole_page(client, chair, one_plan):
    client.force_login(chair)
    response = client.get(dashboard_url(one_plan, "rating=red"), HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<html" in response.content.decode() and "HX-Request" in response["Vary"]
