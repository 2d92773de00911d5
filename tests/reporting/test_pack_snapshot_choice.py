"""A pack for the next board is built from this cycle's snapshot, never quietly from the one the last board saw."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from governance.models import Board, Meeting
from governance.services import snapshot_take
from reporting.models import BoardReport

pytestmark = pytest.mark.django_db


@pytest.fixture
def boards(strategy, action):
    """The last board, held three weeks ago with its snapshot, and the next one, in a month."""
    today = timezone.localdate()
    board = Board.objects.create(partnership=strategy.partnership, name="SEND Partnership Board")
    seen = snapshot_take(strategy=strategy, as_at=today - dt.timedelta(days=28))
    last = Meeting.objects.create(
        board=board, strategy=strategy, date=today - dt.timedelta(days=21), status=Meeting.Status.HELD, snapshot=seen
    )
    following = Meeting.objects.create(board=board, strategy=strategy, date=today + dt.timedelta(days=30))
    return seen, last, following


def test_until_a_snapshot_is_taken_for_the_next_board_the_page_says_so_and_chooses_no_meeting(client, officer, strategy, boards):
    seen, last, following = boards
    client.force_login(officer)
    page = client.get(reverse("reporting:reports", args=[strategy.pk])).content.decode()
    warning = page[page.index('data-testid="stale-snapshot"') :]
    assert f"The snapshot of {seen.as_at:%-d %B %Y} is the one the {last.date:%-d %B %Y} board saw" in warning
    assert f'href="/strategies/{strategy.pk}/snapshots/#take">Take a snapshot</a>' in warning
    assert not re.search(rf'<option value="{following.pk}" selected', page)

    snapshot_take(strategy=strategy, as_at=timezone.localdate())
    page = client.get(reverse("reporting:reports", args=[strategy.pk])).content.decode()
    assert 'data-testid="stale-snapshot"' not in page
    assert re.search(rf'<option value="{following.pk}" selected', page)  # the next board, now that its snapshot is there


def test_a_pack_for_the_next_board_from_the_last_board_s_snapshot_is_refused_with_the_reason(client, officer, strategy, boards):
    seen, last, following = boards
    client.force_login(officer)
    request_url = reverse("reporting:report_request", args=[strategy.pk])
    answer = client.post(request_url, {"snapshot": seen.pk, "meeting": following.pk}, follow=True)
    assert f"Take a snapshot for the {following.date:%-d %B %Y} board first" in answer.content.decode()
    assert not BoardReport.objects.exists()
    # The last board's own pack, made again, and a pack for no meeting, are still to be had from it.
    for meeting in (last.pk, ""):
        client.post(request_url, {"snapshot": seen.pk, "meeting": meeting})
    assert BoardReport.objects.filter(snapshot=seen).count() == 2


def test_with_a_series_scheduled_the_pack_is_offered_for_the_next_board_and_upcoming_meetings_start_with_it(
    client, officer, strategy, action
):
    today = timezone.localdate()
    board = Board.objects.create(partnership=strategy.partnership, name="SEND Partnership Board")
    series = [Meeting.objects.create(board=board, strategy=strategy, date=today + dt.timedelta(days=14 + 61 * n)) for n in range(4)]
    snapshot_take(strategy=strategy, as_at=today)
    client.force_login(officer)
    page = client.get(reverse("reporting:reports", args=[strategy.pk])).content.decode()
    assert re.search(rf'<option value="{series[0].pk}" selected', page)
    assert not re.search(rf'<option value="{series[-1].pk}" selected', page)
    listed = page[page.index("Upcoming meetings") : page.index("Produce a board pack")]
    dates = [f"SEND Partnership Board: {m.date:%-d %B %Y}" for m in series]
    assert [listed.index(d) for d in dates] == sorted(listed.index(d) for d in dates)


def test_before_the_first_snapshot_the_page_links_to_taking_one(client, officer, strategy, action):
    client.force_login(officer)
    page = client.get(reverse("reporting:reports", args=[strategy.pk])).content.decode()
    assert f'href="/strategies/{strategy.pk}/snapshots/#take">Take a snapshot</a> first' in page
