"""My actions is built once at a time, as the dashboard is: while a build is under way the
person's other requests get the copy before it, said so; after saving a change they see it.

These commit for real (transactional): the revision a page is keyed by is raised when a change commits.
"""

from __future__ import annotations

import time

import pytest
from django.core.cache import cache
from django.http import QueryDict
from django.test import Client
from django.urls import reverse

from actions.models import Action
from actions.reads import my_actions_cache_key
from send_tracker.cache import SAVED_COOKIE

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("cache_emptied")]

NOTE = "a change saved since is being included now"


def my_actions_of(client: Client) -> str:
    response = client.get(reverse("actions:my_actions"))
    assert response.status_code == 200
    return response.content.decode()


def test_while_a_change_is_being_built_the_copy_before_it_is_served_and_whoever_saved_sees_the_change(owner, action):
    reader, author = Client(), Client()
    reader.force_login(owner)
    author.force_login(owner)
    before = my_actions_of(reader)
    assert "Strengthen oversight" in before and "with families" not in before

    Action.objects.filter(pk=action.pk).update(text="Strengthen oversight with families")
    # Someone else has started building the page with the change and not finished yet.
    claim = f"{my_actions_cache_key(owner, QueryDict(), None)}:building"
    cache.add(claim, time.time())

    meanwhile = my_actions_of(reader)
    assert "with families" not in meanwhile
    assert "This is your list as it stood at" in meanwhile and NOTE in meanwhile

    author.cookies[SAVED_COOKIE] = f"{time.time():.3f}"  # as the response to a saved change leaves it
    seen_by_author = my_actions_of(author)
    assert "Strengthen oversight with families" in seen_by_author and NOTE not in seen_by_author

    cache.delete(claim)
    after = my_actions_of(reader)
    assert "Strengthen oversight with families" in after and NOTE not in after


def test_with_no_build_under_way_the_page_is_current_and_carries_no_note(owner, action):
    reader = Client()
    reader.force_login(owner)
    my_actions_of(reader)
    Action.objects.filter(pk=action.pk).update(text="Strengthen oversight with families")
    page = my_actions_of(reader)
    assert "Strengthen oversight with families" in page and NOTE not in page
