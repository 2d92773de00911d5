from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts.emails import validate_email_address
from accounts.models import User
from people.models import Membership, Organisation, Partnership, Post


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = BaseUserAdmin.fieldsets + (("Work", {"fields": ("job_title", "organisation", "posts")}),)
    filter_horizontal = ("groups", "user_permissions", "posts")
    inlines = [MembershipInline]
    list_display = ("username", "email", "first_name", "last_name", "job_title", "is_active")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "email":
            field.validators.append(validate_email_address)
        return field


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
