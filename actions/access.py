"""Who may see and change the plan: strategies, delivery groups and actions, 404 outside the partnership."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User
from actions.models import Action, DeliveryGroup, Strategy
from people.access import is_officer, member_found, member_object, officer_required, reads_only
from people.models import Membership, Post
from send_tracker.statements import kept_objects, kept_objects_together, prefetched, prefetched_rows


def strategy_with_partnership(strategy_id: int) -> QuerySet[Strategy]:
    """The strategy with its partnership and rating scheme: what nearly every page of a strategy reads first."""
    return Strategy.objects.select_related("partnership", "scheme").filter(pk=strategy_id).order_by()


def get_strategy_for_user(user: User, strategy_id: int) -> tuple[Strategy, Membership]:
    """The strategy and the user's role in its partnership, or 404 (its SQL compiled once a process for each strategy)."""
    found = kept_objects(strategy_with_partnership, strategy_id)
    return member_found(user, found[0] if found else None, "partnership_id", "No such strategy.")


def officer_strategy(user: User, strategy_id: int, what: str = "do this") -> tuple[Strategy, Membership]:
    """A strategy of the partnership the user is a programme officer of: 404 outside it, 403 for its other members."""
    strategy, membership = get_strategy_for_user(user, strategy_id)
    officer_required(membership, what)
    return strategy, membership


def action_with_plan(action_id: int) -> QuerySet[Action]:
    """The action (retired too: its page keeps its history) with its strategy, rating, group, the group's priority and parent.

    No more tables than its pages show, and no ordering: PostgreSQL plans this statement on every request, and with the
    partnership, scheme and lead joined too and the list's ordering it spent a millisecond planning what runs in a tenth.
    """
    return Action.everything.select_related("strategy", "rating", "group__parent", "group__priority").filter(pk=action_id).order_by()


def get_action_for_user(user: User, action_id: int) -> tuple[Action, Membership]:
    """The action and the user's role in its partnership, or 404 (its SQL compiled once a process for each action)."""
    found = kept_objects(action_with_plan, action_id)
    return member_found(user, found[0] if found else None, "strategy.partnership_id", "No such action.")


def can_update_action(user: User, membership: Membership, action: Action) -> bool:
    """Owners, the delivery group's lead and the partnership's programme officers may update a live action."""
    if action.retired_at:
        return False
    if is_officer(membership):
        return True
    if reads_only(membership):
        return False
    posts, owners = _posts_and_owners(user, action)
    held = {post.pk for post in posts}
    if not held:
        return False
    if any(post.pk in held for post in owners):
        return True
    group = action.group
    return (group.lead_id in held) or (group.parent_id is not None and group.parent.lead_id in held)


def posts_held(user_id: int) -> QuerySet[Post]:
    return Post.objects.filter(holders=user_id)


def owners_of(action_id: int) -> QuerySet[Post]:
    """The posts owning the action, with their organisations (as its page shows them)."""
    return Post.objects.filter(actions=action_id).select_related("organisation")


def _posts_and_owners(user: User, action: Action) -> tuple[list[Post], list[Post]]:
    """The posts the person holds and the posts owning the action: as already read where they were, else read together at once."""
    posts, owners = prefetched_rows(user, "posts"), prefetched_rows(action, "owners")
    reads = ([(posts_held, (user.pk,))] if posts is None else []) + ([(owners_of, (action.pk,))] if owners is None else [])
    found = iter(kept_objects_together(*reads))
    if posts is None:
        posts = next(found)
        prefetched(user, "posts", posts)
    if owners is None:
        owners = next(found)
        prefetched(action, "owners", owners)
    return posts, owners


def get_group_for_user(user: User, group_id: int) -> tuple[DeliveryGroup, Membership]:
    found = DeliveryGroup.objects.select_related("strategy__partnership", "strategy__scheme", "priority", "parent", "lead")
    return member_object(user, found, group_id, "strategy.partnership_id", "No such delivery group.")
