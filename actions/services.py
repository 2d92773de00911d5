"""Writes that span several models."""

from __future__ import annotations

from pathlib import Path

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from actions.forms import ActionUpdateForm, evidence_file_type
from actions.models import Action, ActionUpdate, EmailPreference, Evidence, RatingLevel
from actions.signals import actions_updated
from send_tracker.statements import kept_objects


class ActionUpdateConflictError(Exception):
    """Someone changed the action after the form was loaded: nothing was written.

    `latest` is the action as it is now and `latest_update` their most recent
    update (None when the change came from somewhere that writes no update).
    """

    def __init__(self, latest: Action, latest_update: ActionUpdate | None) -> None:
        super().__init__(f"Action {latest.ref} changed since version you loaded")
        self.latest = latest
        self.latest_update = latest_update


def _locked(action_id: int) -> QuerySet[Action]:
    """The live action's row alone, locked until the transaction ends (its SQL compiled once a process)."""
    return Action.objects.select_for_update().filter(pk=action_id)


def action_update_record(
    *,
    action: Action,
    user: User | None,
    rating: RatingLevel,
    narrative: str,
    links: list[str] = (),
    files: list[UploadedFile] = (),
    expected_version: int,
    source: str = ActionUpdate.Source.BROWSER,
) -> ActionUpdate:
    """Record an update to an action: the immutable update, its evidence, and the action's new rating and version.

    The one way a rating changes, from the browser, the admin or a test (the
    plan import's bulk path uses its set-based twin, `rating_updates_build`).
    The action row is locked and its version compared first, so of two people
    submitting forms loaded at the same version exactly one succeeds and the
    other gets ActionUpdateConflictError; nothing is half-written either way.
    """
    saved: list[Evidence] = []
    try:
        with transaction.atomic():
            # Lock the action row alone: with a join, PostgreSQL re-checks the
            # joined rating after waiting for the lock and would lose the row
            # once the other writer has changed its rating.
            locked = next(iter(kept_objects(_locked, action.pk)), None)
            if locked is None:
                raise Action.DoesNotExist(f"No live action {action.pk}.")
            if locked.version != expected_version:
                latest_update = ActionUpdate.objects.filter(action=locked).select_related("author", "rating_before", "rating_after").first()
                raise ActionUpdateConflictError(locked, latest_update)
            now = timezone.now()
            update = ActionUpdate.objects.create(
                action=locked,
                author=user,
                created_at=now,
                rating_before_id=locked.rating_id,  # the id alone: no query for the level
                rating_after=rating,
                narrative=narrative,
                source=source,
            )
            for url in links:
                saved.append(Evidence.objects.create(update=update, kind=Evidence.Kind.LINK, url=url, created_at=now))
            for upload in files:
                name = Path(upload.name).name
                evidence = Evidence(
                    update=update,
                    kind=Evidence.Kind.FILE,
                    original_name=name[:255],
                    content_type=evidence_file_type(name).content_type,
                    size=upload.size,
                    created_at=now,
                )
                upload.seek(0)
                evidence.file.save(name, upload, save=False)
                saved.append(evidence)
                evidence.save()
            Action.objects.filter(pk=locked.pk).update(rating=rating, version=locked.version + 1, updated_at=now)
            actions_updated.send(sender=Action, action_ids=[locked.pk], user=user, at=now)
    except BaseException:
        # The rows rolled back; the files written to disk must go too.
        for evidence in saved:
            if evidence.file:
                evidence.file.storage.delete(evidence.file.name)
        raise
    action.rating, action.rating_id = rating, rating.pk
    action.version, action.updated_at = locked.version + 1, now
    return update


def action_update_from_form(*, action: Action, user: User, form: ActionUpdateForm) -> ActionUpdate:
    """Record what a valid update form holds: the action page and the update round both submit through here."""
    data = form.cleaned_data
    return action_update_record(
        action=action,
        user=user,
        rating=data["rating"],
        narrative=data["narrative"],
        links=data["links"],
        files=data.get("files") or [],
        expected_version=data["version"],
    )


def action_update_form_kept(form: ActionUpdateForm, conflict: ActionUpdateConflictError) -> ActionUpdateForm:
    """After a conflict: what was typed (but files), now against the version just shown, so a second submit is deliberate."""
    data = form.cleaned_data
    return ActionUpdateForm(
        prefix=form.prefix,
        initial={
            "rating": data["rating"].pk,
            "narrative": data["narrative"],
            "links": "\n".join(data["links"]),
            "version": conflict.latest.version,
        },
        levels=list(form.levels.values()),
        current=conflict.latest.rating,
    )


def rating_updates_build(
    changes: list[tuple[Action, RatingLevel | None, RatingLevel]], *, user: User | None, narrative: str, source: str, at
) -> list[ActionUpdate]:
    """The set-based twin of `action_update_record`, for many actions at once (a plan import).

    `changes` holds (action, rating before or None for a new action, rating after).
    Returns the unsaved updates for one `bulk_create`; the caller has already
    locked the strategy, set the actions' ratings and bumped their versions.
    """
    return [
        ActionUpdate(
            action=action, author=user, created_at=at, rating_before=before, rating_after=after, narrative=narrative, source=source
        )
        for action, before, after in changes
    ]


def email_frequency_set(*, user: User, frequency: str) -> EmailPreference:
    """Record how often the person wants their digest (actions.chasing reads it when it makes digests)."""
    preference, _created = EmailPreference.objects.update_or_create(
        user=user, defaults={"frequency": EmailPreference.Frequency(frequency), "changed_at": timezone.now()}
    )
    return preference
