from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from frontline.accounts.models import ApiToken, RoleAssignment, User


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    raw_id_fields = ["subdistrict", "community", "grid", "building"]


@admin.register(User)
class FrontlineUserAdmin(UserAdmin):
    inlines = [RoleAssignmentInline]
    list_display = ["username", "display_name", "is_active", "is_superuser"]
    fieldsets = (*UserAdmin.fieldsets, ("Frontline", {"fields": ("display_name", "phone")}))  # type: ignore[operator, misc]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "user", "name", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "digest", "created_at", "last_used_at"]
