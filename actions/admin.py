from __future__ import annotations

from django.contrib import admin

from actions.models import (
    Action,
    ActionUpdate,
    DeliveryGroup,
    EmailDigest,
    Notification,
    PlanImport,
    Priority,
    RatingLevel,
    RatingScheme,
    Snapshot,
    Strategy,
)
from actions.services import action_update_record, rating_updates_build


class RatingLevelInline(admin.TabularInline):
    model = RatingLevel
    extra = 0


@admin.register(RatingScheme)
class RatingSchemeAdmin(admin.ModelAdmin):
    list_display = ("name", "code")
    inlines = [RatingLevelInline]


@admin.register(Strategy)
class StrategyAdmin(admin.ModelAdmin):
    list_display = ("name", "partnership", "scheme", "ratings_as_at")
    list_filter = ("partnership",)


@admin.register(Priority)
class PriorityAdmin(admin.ModelAdmin):
    list_display = ("name", "strategy", "position")
    list_filter = ("strategy",)


@admin.register(DeliveryGroup)
class DeliveryGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "priority", "parent", "lead", "position")
    list_filter = ("strategy", "priority")
    search_fields = ("name",)
    autocomplete_fields = ("lead",)


class AppendOnly:
    """An admin of rows the database never lets change or go (an action's updates): it shows them, and offers no edit or delete."""

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ActionUpdateInline(AppendOnly, admin.TabularInline):
    model = ActionUpdate
    extra = 0
    readonly_fields = ("created_at", "author", "rating_before", "rating_after", "narrative", "source")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    list_display = ("ref", "text", "group", "due_date", "rating")
    list_filter = ("strategy", "rating", "group__priority")
    list_select_related = ("group", "rating", "group__parent")
    search_fields = ("ref", "text")
    autocomplete_fields = ("owners", "related")
    readonly_fields = ("version", "created_at", "updated_at")
    inlines = [ActionUpdateInline]

    def save_model(self, request, obj, form, change) -> None:
        # A rating changed in the admin goes through the same service as the
        # browser's: an immutable update, a version bump, and a conflict rather
        # than an overwrite if someone updated the action meanwhile.
        if not change:
            super().save_model(request, obj, form, change)
            ActionUpdate.objects.bulk_create(
                rating_updates_build(
                    [(obj, None, obj.rating)],
                    user=request.user,
                    narrative="Added in the admin.",
                    source=ActionUpdate.Source.ADMIN,
                    at=obj.created_at,
                )
            )
            return
        rating = obj.rating
        stored = Action.everything.get(pk=obj.pk)
        obj.rating, obj.version = stored.rating, stored.version
        if "rating" in form.changed_data and rating.pk != stored.rating_id:
            action_update_record(
                action=obj,
                user=request.user,
                rating=rating,
                narrative="Rating changed in the admin.",
                expected_version=stored.version,
                source=ActionUpdate.Source.ADMIN,
            )
            obj.rating, obj.version = rating, stored.version + 1
        else:
            obj.version += 1
        super().save_model(request, obj, form, change)


@admin.register(ActionUpdate)
class ActionUpdateAdmin(AppendOnly, admin.ModelAdmin):
    list_display = ("action", "created_at", "author", "rating_before", "rating_after", "source")
    list_filter = ("source",)
    list_select_related = ("action", "author", "rating_before", "rating_after")


@admin.register(PlanImport)
class PlanImportAdmin(admin.ModelAdmin):
    list_display = ("filename", "strategy", "uploaded_by", "uploaded_at", "status")
    exclude = ("content",)
    readonly_fields = ("strategy", "uploaded_by", "uploaded_at", "filename", "status", "summary")


@admin.register(EmailDigest)
class EmailDigestAdmin(admin.ModelAdmin):
    list_display = ["day", "recipient", "status", "attempts", "sent_at", "last_error"]
    list_filter = ["status", "day"]
    search_fields = ["recipient__email"]
    raw_id_fields = ["recipient"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "kind", "action", "event_key", "digest"]
    list_filter = ["kind"]
    search_fields = ["recipient__email", "action__ref"]
    raw_id_fields = ["recipient", "action", "digest"]


@admin.register(Snapshot)
class SnapshotAdmin(admin.ModelAdmin):
    list_display = ("strategy", "as_at", "taken_at", "taken_by")
    list_filter = ("strategy",)
    readonly_fields = ("strategy", "as_at", "taken_at", "taken_by", "note")

    def has_change_permission(self, request, obj=None) -> bool:
        return False
