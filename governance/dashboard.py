"""The dashboard's read: a strategy's ratings, exceptions and movement for a set of filters."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django import forms
from django.http import QueryDict
from django.utils import timezone

from actions.models import Action, DeliveryGroup, RatingLevel, Snapshot, Strategy
from actions.rows import ActionRow, rows_from_actions, rows_from_snapshot
from governance.summaries import EXCEPTION_KINDS, Exceptions, Movement, RatingCounts, exceptions, movement, rating_counts, rows_filter
from people.models import Post

# Each exception lists this many actions; filtering by the exception lists them all.
EXCEPTIONS_LISTED = 25


class DashboardFilterForm(forms.Form):
    """The dashboard's filters: all optional, all in the URL so that a filtered view can be shared."""

    organisation = forms.TypedChoiceField(label="Owner organisation", required=False, coerce=int, empty_value=None)
    owner = forms.TypedChoiceField(label="Owner", required=False, coerce=int, empty_value=None)
    rating = forms.ChoiceField(label="Rating", required=False)
    exception = forms.ChoiceField(label="Exception", required=False)
    snapshot = forms.TypedChoiceField(label="Show the plan", required=False, coerce=int, empty_value=None)

    def __init__(self, data, *, posts: list[Post], levels: list[RatingLevel], snapshots: list[Snapshot]) -> None:
        super().__init__(data)
        organisations = {p.organisation_id: p.organisation.name for p in posts if p.organisation_id}
        self.fields["organisation"].choices = [("", "Any organisation")] + sorted(organisations.items(), key=lambda item: item[1])
        self.fields["owner"].choices = [("", "Any owner")] + [(p.pk, p.title) for p in posts]
        self.fields["rating"].choices = [("", "Any rating")] + [(level.code, level.label) for level in levels]
        self.fields["exception"].choices = [("", "All actions")] + list(EXCEPTION_KINDS.items())
        self.fields["snapshot"].choices = [("", "As it stands now")] + [(s.pk, f"As at {s.as_at:%-d %B %Y}") for s in snapshots]

    def value_of(self, name: str):
        """The cleaned value of a filter, or None when it was not given or is not valid."""
        if not self.is_valid() and name in self.errors:
            return None
        return self.cleaned_data.get(name) or None


@dataclass
class Dashboard:
    """Everything the dashboard page and its exports show, for one strategy and one set of filters."""

    strategy: Strategy
    form: DashboardFilterForm
    levels: list[RatingLevel]
    groups: dict[int, DeliveryGroup]
    viewing: Snapshot | None
    previous: Snapshot | None
    today: dt.date
    total: int
    rows: list[ActionRow]
    counts: RatingCounts
    exceptions: Exceptions
    movement: Movement | None

    def is_filtered(self) -> bool:
        return any(self.form.value_of(name) for name in ("organisation", "owner", "rating", "exception"))


def dashboard_for(strategy: Strategy, query: QueryDict) -> Dashboard:
    """The dashboard of a strategy for the filters in `query`: live, or as at a chosen snapshot."""
    levels = list(strategy.scheme.levels.all())
    snapshots = list(Snapshot.objects.filter(strategy=strategy).latest_first())
    posts = list(Post.objects.filter(actions__strategy=strategy).select_related("organisation").distinct().order_by("title"))
    form = DashboardFilterForm(query, posts=posts, levels=levels, snapshots=snapshots)
    form.is_valid()

    viewing = next((s for s in snapshots if s.pk == form.value_of("snapshot")), None)
    if viewing is None:
        today = timezone.localdate()
        rows = rows_from_actions(Action.objects.filter(strategy=strategy))
        previous = snapshots[0] if snapshots else None
    else:
        today = viewing.as_at
        rows = rows_from_snapshot(viewing)
        previous = next((s for s in snapshots if s.as_at < viewing.as_at), None)

    owner_titles = None
    if organisation_id := form.value_of("organisation"):
        owner_titles = {p.title for p in posts if p.organisation_id == organisation_id}
    if owner_id := form.value_of("owner"):
        chosen = {p.title for p in posts if p.pk == owner_id}
        owner_titles = chosen if owner_titles is None else owner_titles & chosen
    rating = next((level for level in levels if level.code == form.value_of("rating")), None)
    action_ids = None
    if kind := form.value_of("exception"):
        action_ids = {row.action_id for row in getattr(exceptions(rows), kind)}
    shown = rows_filter(rows, owner_titles=owner_titles, rating_id=rating.pk if rating else None, action_ids=action_ids)

    previous_rows = rows_from_snapshot(previous) if previous else []
    groups = {g.pk: g for g in DeliveryGroup.objects.filter(strategy=strategy).select_related("priority", "parent")}
    return Dashboard(
        strategy=strategy,
        form=form,
        levels=levels,
        groups=groups,
        viewing=viewing,
        previous=previous,
        today=today,
        total=len(rows),
        rows=shown,
        counts=rating_counts(shown, levels),
        exceptions=exceptions(shown),
        movement=movement(previous_rows, shown) if previous else None,
    )
