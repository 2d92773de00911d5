"""Whatever is typed or posted into the update form, the answer is a page, never a 500 or half a write."""

from __future__ import annotations

from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from actions.models import Action, ActionUpdate, Evidence

typed_text = st.one_of(
    st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=300),
    st.just("x" * 20_000),
    st.just("\x00 null byte"),
    st.just("<script>alert(1)</script>"),
    st.just("javascript:alert(1)"),
)
odd_rating = st.one_of(st.integers(min_value=-(2**70), max_value=2**70).map(str), typed_text, st.just(""))
odd_version = st.one_of(st.integers(min_value=-(2**40), max_value=2**40).map(str), typed_text)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rating=st.one_of(st.none(), odd_rating),
    narrative=st.one_of(st.none(), typed_text),
    links=st.one_of(st.none(), typed_text, st.just("https://example.org/ok\njavascript:x")),
    version=st.one_of(st.none(), odd_version, st.just("1")),
    use_htmx=st.booleans(),
)
def test_the_update_form_never_fails_and_never_half_writes(client, owner, action, level, rating, narrative, links, version, use_htmx):
    client.force_login(owner)
    data = {
        key: value
        for key, value in {"rating": rating, "narrative": narrative, "links": links, "version": version}.items()
        if value is not None
    }
    updates_before, version_before = ActionUpdate.objects.count(), Action.objects.get(pk=action.pk).version
    headers = {"HX-Request": "true"} if use_htmx else {}
    response = client.post(reverse("actions:action_update", args=[action.pk]), data, headers=headers)
    assert response.status_code in (200, 302, 409, 422)
    after = Action.objects.get(pk=action.pk)
    written = ActionUpdate.objects.count() - updates_before
    if response.status_code in (200, 302):
        assert written == 1 and after.version == version_before + 1
    else:
        assert written == 0 and after.version == version_before
    assert not Evidence.objects.exclude(url__regex=r"^https?://").filter(kind="link").exists()
