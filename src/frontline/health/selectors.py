"""Reads of the health app: scope first (`scoped`), then filters, then the fetch plan."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from frontline.accounts.access import Permission, scoped
from frontline.accounts.models import User
from frontline.health.models import Checkin, HouseholdLink
from frontline.places.models import Building, Grid, Household
from frontline.residents.models import Resident, ResidentStatus

Viewer = User | AnonymousUser
M = TypeVar("M", bound=models.Model)
RATE_DAYS = 14


# Permissions through which a worker sees the places and people (aggregates do not count).
SEEING = (Permission.VIEW_HEALTH, Permission.VIEW_RESIDENTS, Permission.VIEW_PLACES)


def get_for(viewer: Viewer, permission: Permission, rows: QuerySet[M], pk: int) -> M:
    """One row by id: 404 when it does not exist or lies outside all the viewer sees as a worker
    (a sub-district officer's aggregates included), 403 when they see it but lack `permission`."""
    model = rows.model
    row = rows.filter(scoped(viewer, permission, model), pk=pk).first()
    if row is not None:
        return row
    visible = Q(pk__in=[])
    for seeing in SEEING:
        visible |= scoped(viewer, seeing, model)
    if model._default_manager.filter(visible, pk=pk).exists():
        raise PermissionDenied
    raise Http404


def building_get(*, viewer: Viewer, permission: Permission, pk: int) -> Building:
    return get_for(viewer, permission, Building.objects.select_related("grid", "community"), pk)


def grid_get(*, viewer: Viewer, pk: int) -> Grid:
    return get_for(viewer, Permission.VIEW_HEALTH, Grid.objects.select_related("community"), pk)


def household_get(*, viewer: Viewer, pk: int) -> Household:
    rows = Household.objects.select_related("unit__building__community")
    return get_for(viewer, Permission.RECORD_HEALTH, rows, pk)


def resident_get(*, viewer: Viewer, permission: Permission, pk: int) -> Resident:
    return get_for(
        viewer, permission, Resident.objects.select_related("household__unit__building"), pk
    )


def link_get(*, viewer: Viewer, pk: int) -> HouseholdLink:
    rows = HouseholdLink.objects.select_related("household__unit__building")
    return get_for(viewer, Permission.RECORD_HEALTH, rows, pk)


def checkin_get(*, viewer: Viewer, pk: int) -> Checkin:
    return get_for(viewer, Permission.VIEW_HEALTH, Checkin.objects.select_related("resident"), pk)


def today() -> dt.date:
    return timezone.localdate()


# -- lists --------------------------------------------------------------------------------------


def building_households(
    *, viewer: Viewer, building: Building
) -> list[tuple[Household, HouseholdLink | None]]:
    """The building's households in address order, each with its active link (or None)."""
    households = (
        Household.objects.filter(scoped(viewer, Permission.RECORD_HEALTH, Household))
        .filter(unit__building=building)
        .select_related("unit__building")
        .prefetch_related(
            Prefetch(
                "health_links",
                queryset=HouseholdLink.objects.filter(revoked_at__isnull=True),
                to_attr="active_links",
            )
        )
        .order_by("unit__number", "room", "id")
    )
    ordered = sorted(households, key=lambda household: household.sort_key)
    return [(h, h.active_links[0] if h.active_links else None) for h in ordered]  # type: ignore[attr-defined]


def batch_rows(*, viewer: Viewer, building: Building, day: dt.date) -> list[Resident]:
    """Present residents of the building, each with `day_checkins` (their check-ins that day)."""
    return list(
        Resident.objects.filter(scoped(viewer, Permission.RECORD_HEALTH, Resident))
        .filter(building=building, status=ResidentStatus.PRESENT)
        .select_related("household__unit__building")
        .prefetch_related(
            Prefetch(
                "checkins",
                queryset=Checkin.objects.filter(day=day).order_by("-created_at", "-id"),
                to_attr="day_checkins",
            )
        )
        .order_by("address_key", "id")
    )


def not_checked_in(
    *,
    viewer: Viewer,
    day: dt.date,
    building: Building | None = None,
    grid: Grid | None = None,
    query: str = "",
) -> QuerySet[Resident]:
    """Present residents in scope with no check-in on `day`, in address order."""
    residents = Resident.objects.filter(scoped(viewer, Permission.VIEW_HEALTH, Resident)).filter(
        status=ResidentStatus.PRESENT
    )
    if building is not None:
        residents = residents.filter(building=building)
    if grid is not None:
        residents = residents.filter(building__grid=grid)
    if query:
        from frontline.residents.selectors import search_filter

        residents = residents.filter(search_filter(query))
    checked = Checkin.objects.filter(resident=OuterRef("pk"), day=day)
    return (
        residents.filter(~Exists(checked))
        .select_related("household__unit__building")
        .order_by("address_key", "id")
    )


def resident_checkins(*, viewer: Viewer, resident: Resident, limit: int = 14) -> list[Checkin]:
    """The resident's latest check-ins, newest first; none for a viewer without VIEW_HEALTH."""
    return list(
        Checkin.objects.filter(scoped(viewer, Permission.VIEW_HEALTH, Checkin))
        .filter(resident_id=resident.pk)
        .select_related("recorded_by")
        .order_by("-day", "-created_at", "-id")[:limit]
    )


@dataclass
class BuildingToday:
    building: Building
    present: int
    checked_in: int

    @property
    def missing(self) -> int:
        return self.present - self.checked_in


def health_buildings(*, viewer: Viewer, query: str = "") -> QuerySet[Building]:
    """Buildings in the viewer's health scope, by community, grid and number; `query` matches
    the number or name."""
    buildings = Building.objects.filter(scoped(viewer, Permission.VIEW_HEALTH, Building))
    if query:
        buildings = buildings.filter(Q(number__icontains=query) | Q(name__icontains=query))
    return buildings.select_related("grid", "community").order_by(
        "community_id", "grid_id", "number"
    )


def buildings_today(
    *, viewer: Viewer, day: dt.date, buildings: Sequence[Building]
) -> list[BuildingToday]:
    """These buildings (a page of them) with their present residents and how many of those have
    checked in on `day`."""
    people = Resident.objects.filter(scoped(viewer, Permission.VIEW_HEALTH, Resident)).filter(
        status=ResidentStatus.PRESENT, building_id__in=[b.pk for b in buildings]
    )
    present = dict(people.values_list("building_id").annotate(n=Count("id")).order_by())
    checked = Checkin.objects.filter(resident=OuterRef("pk"), day=day)
    done = dict(
        people.filter(Exists(checked)).values_list("building_id").annotate(n=Count("id")).order_by()
    )
    return [BuildingToday(b, present.get(b.pk, 0), done.get(b.pk, 0)) for b in buildings]


@dataclass
class GridRates:
    grid: Grid
    present: int
    days: list[tuple[dt.date, int, float | None]] = field(default_factory=list)

    @property
    def today(self) -> int:
        """Residents checked in on the last day (today on the overview)."""
        return self.days[-1][1] if self.days else 0

    @property
    def missing(self) -> int:
        return max(self.present - self.today, 0)


def checkin_rates(*, viewer: Viewer, until: dt.date, days: int = RATE_DAYS) -> list[GridRates]:
    """Per grid in scope, per day of the last `days`: residents checked in and the share of the
    grid's present residents (today's count stands for every day: the roster keeps no history)."""
    start = until - dt.timedelta(days=days - 1)
    grids = list(
        Grid.objects.filter(scoped(viewer, Permission.VIEW_HEALTH, Grid))
        .select_related("community")
        .order_by("community_id", "name")
    )
    present = dict(
        Resident.objects.filter(scoped(viewer, Permission.VIEW_HEALTH, Resident))
        .filter(status=ResidentStatus.PRESENT)
        .values_list("building__grid_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    counted: dict[tuple[int, dt.date], int] = {}
    rows = (
        Checkin.objects.filter(scoped(viewer, Permission.VIEW_HEALTH, Checkin))
        .filter(day__gte=start, day__lte=until)
        .values_list("building__grid_id", "day")
        .annotate(n=Count("resident_id", distinct=True))
        .order_by()
    )
    for grid_id, day, n in rows:
        counted[(grid_id, day)] = n
    result = []
    for grid in grids:
        total = present.get(grid.pk, 0)
        rates = GridRates(grid=grid, present=total)
        for offset in range(days):
            day = start + dt.timedelta(days=offset)
            n = counted.get((grid.pk, day), 0)
            rates.days.append((day, n, min(n / total, 1.0) if total else None))
        result.append(rates)
    return result
