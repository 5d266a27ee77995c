from django.contrib import admin
from django.http import HttpRequest

from frontline.core.models import AuditEntry

# The Django admin is for superusers only; everyone else works in the application's pages.
admin.site.has_permission = lambda request: request.user.is_active and request.user.is_superuser  # type: ignore[method-assign]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "target_label", "reason", "ip"]
    list_filter = ["action"]
    search_fields = ["target_label", "actor__username", "reason"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
