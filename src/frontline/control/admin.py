"""Control orders in the (superuser-only) admin, read-only: orders change through the services
alone, so the admin offers no add, change or delete, and no action."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from frontline.control.models import ControlOrder, OrderEvent, OrderTest


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    actions = None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ControlOrder)
class ControlOrderAdmin(ReadOnlyAdmin):
    list_display = ["id", "community", "category", "status", "start_on", "release_on"]
    list_filter = ["status", "category"]


@admin.register(OrderTest)
class OrderTestAdmin(ReadOnlyAdmin):
    list_display = ["id", "order", "day", "result"]
    list_filter = ["result"]


@admin.register(OrderEvent)
class OrderEventAdmin(ReadOnlyAdmin):
    list_display = ["id", "order", "kind", "actor", "created_at"]
    list_filter = ["kind"]
