"""Reads of residents: scope first, then filters, then the fetch plan."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from frontline.accounts.access import Permission, scoped
from frontline.accounts.models import User
from frontline.residents.models import (
    Resident,
    ResidentStatus,
    ResidentTag,
    Tag,
    senior_born_before,
)

ROOM = re.compile(r"^(?P<building>[0-9A-Za-z]+)-(?P<unit>[0-9A-Za-z]+)-(?P<room>[0-9A-Za-z]+)$")
TAIL = re.compile(r"^[0-9]{3}[0-9Xx]$")
INITIALS = re.compile(r"^[a-z]{1,10}$")
SORTS = {
    "address": ("address_key", "id"),
    "name": ("name_initials", "name", "id"),
    "-updated": ("-updated_at", "-id"),
}


def search_filter(query: str) -> Q:
    """One box for name, pinyin initials, the last 4 digits of a phone or ID, or a room (3-2-401)."""
    text = unicodedata.normalize("NFKC", query).strip()
    if not text:
        return Q()
    if match := ROOM.match(text.replace(" ", "")):
        return Q(
            building__number=match["building"],
            household__unit__number=match["unit"],
            household__room=match["room"],
        )
    if TAIL.match(text):
        return Q(phone_tail=text) | Q(document_tail=text.upper())
    lowered = text.lower()
    if INITIALS.match(lowered):
        # A range, not LIKE 'x%': SQLite cannot use an index for LIKE on this column.
        upper = lowered[:-1] + chr(ord(lowered[-1]) + 1)
        return Q(name_initials__gte=lowered, name_initials__lt=upper)
    return Q(name__icontains=text)


def resident_list(
    *,
    viewer: User | AnonymousUser,
    query: str = "",
    status: str = "",
    tags: Sequence[str] = (),
    grid_id: int | None = None,
    building_id: int | None = None,
    household_id: int | None = None,
    sort: str = "address",
) -> QuerySet[Resident]:
    """Residents the viewer may see, filtered; moved-out and deceased only when asked for."""
    residents = Resident.objects.filter(scoped(viewer, Permission.VIEW_RESIDENTS, Resident))
    if query:
        residents = residents.filter(search_filter(query))
    if status == "all":
        pass
    elif status in ResidentStatus.values:
        residents = residents.filter(status=status)
    else:
        residents = residents.filter(status__in=(ResidentStatus.PRESENT, ResidentStatus.AWAY))
    for tag in tags:
        if tag == Tag.SENIOR:
            residents = residents.filter(birth_date__lte=senior_born_before(timezone.localdate()))
        elif tag in Tag.values:
            residents = residents.filter(
                pk__in=ResidentTag.objects.filter(tag=tag).values("resident_id")
            )
    if grid_id:
        residents = residents.filter(building__grid_id=grid_id)
    if building_id:
        residents = residents.filter(building_id=building_id)
    if household_id:
        residents = residents.filter(household_id=household_id)
    return (
        residents.select_related("household__unit__building")
        .prefetch_related(Prefetch("tags", queryset=ResidentTag.objects.order_by()))
        .order_by(*SORTS.get(sort, SORTS["address"]))
    )


def resident_get(*, viewer: User | AnonymousUser, pk: int) -> Resident:
    """One resident the viewer may see; 404 for anyone outside the viewer's scope."""
    return get_object_or_404(
        Resident.objects.filter(scoped(viewer, Permission.VIEW_RESIDENTS, Resident))
        .select_related("household__unit__building__grid", "community")
        .prefetch_related("tags"),
        pk=pk,
    )
