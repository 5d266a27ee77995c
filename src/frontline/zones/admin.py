"""Zones in the (superuser-only) admin, read-only: zones change through the services alone, so
the admin offers no add, change or delete, and no action."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from frontline.zones.models import Zone, ZoneEvent


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    actions = None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Zone)
class ZoneAdmin(ReadOnlyAdmin):
    list_display = ["id", "community", "site", "unit", "level", "designated_on", "lifted_on"]
    list_filter = ["level"]


@admin.register(ZoneEvent)
class ZoneEventAdmin(ReadOnlyAdmin):
    list_display = ["id", "zone", "kind", "from_level", "to_level", "on", "actor"]
    list_filter = ["kind"]
