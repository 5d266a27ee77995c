"""The stock ledger in the (superuser-only) admin, read-only: stock changes through the services
alone, so the admin offers no add, change or delete, and no action."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from frontline.supplies.models import LedgerEntry, Movement, Reservation, StockLevel


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    actions = None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Movement)
class MovementAdmin(ReadOnlyAdmin):
    list_display = ["id", "warehouse", "kind", "receipt_number", "occurred_at", "actor"]
    list_filter = ["kind"]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["id", "movement", "warehouse", "item", "quantity", "expires_on"]


@admin.register(StockLevel)
class StockLevelAdmin(ReadOnlyAdmin):
    list_display = ["id", "warehouse", "item", "on_hand", "reserved"]


@admin.register(Reservation)
class ReservationAdmin(ReadOnlyAdmin):
    list_display = ["id", "warehouse", "item", "quantity", "reference", "created_at"]
