"""Reads: risk areas (installation-wide, for users with health data or the right to manage them),
trips and screening matches (scoped to the viewer's residents)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from frontline.accounts.access import Permission, has_permission, scoped
from frontline.accounts.models import User
from frontline.residents.models import Resident
from frontline.travel.models import RiskArea, Trip, TripMatch

Viewer = User | AnonymousUser
AREA_SORTS = {
    "-valid_from": ("-valid_from", "-id"),
    "valid_from": ("valid_from", "id"),
    "name": ("name", "id"),
    "level": ("level", "-valid_from", "id"),
}


def may_see_risk_areas(viewer: Viewer) -> bool:
    """Risk areas name places, not people: anyone with health data or the right to manage them."""
    return has_permission(viewer, Permission.VIEW_HEALTH) or has_permission(
        viewer, Permission.MANAGE_RISK_AREAS
    )


def risk_area_list(
    *,
    viewer: Viewer,
    query: str = "",
    level: str = "",
    state: str = "",
    sort: str = "-valid_from",
    today: dt.date | None = None,
) -> QuerySet[RiskArea]:
    """Areas filtered by name/place/code, level and state ("current", "ended"; else all)."""
    if not may_see_risk_areas(viewer):
        return RiskArea.objects.none()
    areas = RiskArea.objects.all()
    if query := query.strip():
        areas = areas.filter(
            Q(name__icontains=query) | Q(place__icontains=query) | Q(area_code__startswith=query)
        )
    if level:
        areas = areas.filter(level=level)
    today = today or timezone.localdate()
    in_force = Q(valid_from__lte=today) & (Q(valid_to__isnull=True) | Q(valid_to__gte=today))
    if state == "current":
        areas = areas.filter(in_force)
    elif state == "ended":
        areas = areas.filter(valid_to__lt=today)
    return areas.order_by(*AREA_SORTS.get(sort, AREA_SORTS["-valid_from"]))


def risk_area_get(*, viewer: Viewer, pk: int) -> RiskArea:
    """One area; 404 for a user who may see none (it is outside all they see)."""
    if not may_see_risk_areas(viewer):
        raise Http404
    return get_object_or_404(RiskArea, pk=pk)


def resident_for_health(*, viewer: Viewer, pk: int) -> Resident:
    """A resident whose health data the viewer may see; 404 otherwise."""
    return get_object_or_404(
        Resident.objects.filter(scoped(viewer, Permission.VIEW_HEALTH, Resident)).select_related(
            "household__unit__building"
        ),
        pk=pk,
    )


def trip_list(*, viewer: Viewer, resident: Resident) -> QuerySet[Trip]:
    return (
        Trip.objects.filter(scoped(viewer, Permission.VIEW_HEALTH, Trip), resident=resident)
        .select_related("recorded_by")
        .order_by("-date_from", "-id")
    )


def trip_get(*, viewer: Viewer, pk: int) -> Trip:
    return get_object_or_404(
        Trip.objects.filter(scoped(viewer, Permission.VIEW_HEALTH, Trip)).select_related(
            "resident"
        ),
        pk=pk,
    )


def match_list(
    *,
    viewer: Viewer,
    level: str = "",
    kind: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
    resident: Resident | None = None,
) -> QuerySet[TripMatch]:
    """Screening matches of the viewer's residents, newest first; `since`/`until` bound the overlap."""
    matches = TripMatch.objects.filter(scoped(viewer, Permission.VIEW_HEALTH, TripMatch))
    if resident is not None:
        matches = matches.filter(resident=resident)
    if level:
        matches = matches.filter(area__level=level)
    if kind:
        matches = matches.filter(kind=kind)
    if since:
        matches = matches.filter(last_day__gte=since)
    if until:
        matches = matches.filter(first_day__lte=until)
    return matches.select_related("trip", "area", "resident__household__unit__building").order_by(
        "-last_day", "-first_day", "-id"
    )


@dataclass
class ResidentTravel:
    resident: Resident
    trips: list[Trip]
    matches: list[TripMatch]


def resident_travel(*, viewer: Viewer, resident: Resident) -> ResidentTravel | None:
    """A resident's trips and matches for their page; None when the viewer may not see health data."""
    if not Resident.objects.filter(
        scoped(viewer, Permission.VIEW_HEALTH, Resident), pk=resident.pk
    ).exists():
        return None
    return ResidentTravel(
        resident=resident,
        trips=list(trip_list(viewer=viewer, resident=resident)[:50]),
        matches=list(match_list(viewer=viewer, resident=resident)[:50]),
    )
