from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from actions.models import (
    Action,
    ActionUpdate,
    DeliveryGroup,
    EmailDigest,
    Membership,
    Notification,
    Organisation,
    Partnership,
    PlanImport,
    Post,
    Priority,
    RatingLevel,
    RatingScheme,
    Strategy,
    User,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = BaseUserAdmin.fieldsets + (("Work", {"fields": ("job_title", "organisation", "posts")}),)
    filter_horizontal = ("groups", "user_permissions", "posts")
    inlines = [MembershipInline]
    list_display = ("username", "email", "first_name", "last_name", "job_title", "is_active")


@admin.register(Partnership)
class PartnershipAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "partnership")
    list_filter = ("partnership", "kind")
    search_fields = ("name",)


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ("title", "organisation", "partnership")
    list_filter = ("partnership", "organisation")
    search_fields = ("title",)


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


class ActionUpdateInline(admin.TabularInline):
    model = ActionUpdate
    extra = 0
    can_delete = False
    readonly_fields = ("created_at", "author", "rating_before", "rating_after", "narrative", "source")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
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
        # A rating changed in the admin is history too, and must not slip
        # past someone editing the same action in the browser.
        before = Action.objects.filter(pk=obj.pk).values_list("rating_id", flat=True).first() if change else None
        if change:
            obj.version += 1
        super().save_model(request, obj, form, change)
        if before != obj.rating_id:
            ActionUpdate.objects.create(
                action=obj,
                author=request.user,
                rating_before_id=before,
                rating_after=obj.rating,
                narrative="Rating changed in the admin.",
                source=ActionUpdate.Source.ADMIN,
            )


@admin.register(ActionUpdate)
class ActionUpdateAdmin(admin.ModelAdmin):
    list_display = ("action", "created_at", "author", "rating_before", "rating_after", "source")
    list_filter = ("source",)
    list_select_related = ("action", "author", "rating_before", "rating_after")

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


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
