"""Reads of places with their counts, always inside the viewer's scope."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404

from frontline.accounts.access import Permission, scoped
from frontline.accounts.models import User
from frontline.places.models import Building, Community, Grid, Household, Unit, WalkingDistance
from frontline.residents.models import Resident, ResidentStatus

LIVING_HERE = (ResidentStatus.PRESENT, ResidentStatus.AWAY)


@dataclass
class Counts:
    buildings: int = 0
    households: int = 0
    residents: int = 0


def _building_counts(buildings: QuerySet[Building]) -> dict[int, Counts]:
    """Households and current residents per building, in two grouped queries."""
    counts: dict[int, Counts] = defaultdict(Counts)
    ids = buildings.values("pk")
    for row in (
        Household.objects.filter(unit__building__in=ids)
        .values("unit__building")
        .annotate(n=Count("pk"))
    ):
        counts[row["unit__building"]].households = row["n"]
    residents = Resident.objects.filter(building__in=ids, status__in=LIVING_HERE)
    for per_building in residents.values("building").annotate(n=Count("pk")).order_by():
        counts[per_building["building"]].residents = per_building["n"]
    return counts


def visible_buildings(
    viewer: User | AnonymousUser, permission: Permission = Permission.VIEW_PLACES
) -> QuerySet[Building]:
    return Building.objects.filter(scoped(viewer, permission, Building))


def grid_tree(
    *, viewer: User | AnonymousUser, permission: Permission = Permission.VIEW_PLACES
) -> list[dict]:
    """Communities > grids with building, household and resident counts (constant queries)."""
    buildings = list(visible_buildings(viewer, permission).select_related("grid", "community"))
    counts = _building_counts(visible_buildings(viewer, permission))
    communities: dict[int, dict] = {}
    for building in buildings:
        community = communities.setdefault(
            building.community_id,
            {"community": building.community, "grids": {}, "counts": Counts()},
        )
        grid = community["grids"].setdefault(
            building.grid_id, {"grid": building.grid, "counts": Counts()}
        )
        building_counts = counts[building.pk]
        for total in (community["counts"], grid["counts"]):
            total.buildings += 1
            total.households += building_counts.households
            total.residents += building_counts.residents
    tree = sorted(communities.values(), key=lambda c: c["community"].name)
    for community in tree:
        community["grids"] = sorted(community["grids"].values(), key=lambda g: g["grid"].name)
    return tree


def grid_get(*, viewer: User | AnonymousUser, pk: int) -> Grid:
    return get_object_or_404(
        Grid.objects.filter(scoped(viewer, Permission.VIEW_PLACES, Grid)), pk=pk
    )


def grid_buildings(*, viewer: User | AnonymousUser, grid: Grid) -> list[tuple[Building, Counts]]:
    buildings = visible_buildings(viewer).filter(grid=grid).order_by("number")
    counts = _building_counts(buildings)
    return [(building, counts[building.pk]) for building in buildings]


def building_get(*, viewer: User | AnonymousUser, pk: int) -> Building:
    return get_object_or_404(visible_buildings(viewer).select_related("grid", "community"), pk=pk)


def building_units(*, building: Building) -> list[tuple[Unit, list[tuple[Household, int]]]]:
    """Units of a building with each household and its current resident count."""
    households = (
        Household.objects.filter(unit__building=building)
        .select_related("unit")
        .order_by("unit__number", "room")
    )
    resident_counts = dict(
        Resident.objects.filter(building=building, status__in=LIVING_HERE)
        .values("household")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("household", "n")
    )
    by_unit: dict[int, tuple[Unit, list[tuple[Household, int]]]] = {}
    for household in households:
        by_unit.setdefault(household.unit_id, (household.unit, []))[1].append(
            (household, resident_counts.get(household.pk, 0))
        )
    for unit in Unit.objects.filter(building=building).exclude(pk__in=by_unit.keys()):
        by_unit[unit.pk] = (unit, [])
    return sorted(by_unit.values(), key=lambda item: item[0].number)


def household_get(
    *, viewer: User | AnonymousUser, pk: int, permission: Permission = Permission.VIEW_PLACES
) -> Household:
    return get_object_or_404(
        Household.objects.filter(scoped(viewer, permission, Household)).select_related(
            "unit__building__grid", "unit__building__community"
        ),
        pk=pk,
    )


def household_choices(
    *, viewer: User | AnonymousUser, query: str = "", limit: int = 20
) -> QuerySet[Household]:
    """Households the viewer may put residents in, matched by a "3-2-401" style prefix."""
    households = Household.objects.filter(scoped(viewer, Permission.EDIT_RESIDENTS, Household))
    parts = [part for part in query.replace(" ", "").split("-") if part]
    for lookup, part in zip(
        ("unit__building__number", "unit__number", "room__startswith"), parts, strict=False
    ):
        households = households.filter(**{lookup: part})
    return households.select_related("unit__building").order_by(
        "unit__building__number", "unit__number", "room"
    )[:limit]


def unit_choices(*, viewer: User | AnonymousUser) -> QuerySet[Unit]:
    return (
        Unit.objects.filter(scoped(viewer, Permission.EDIT_PLACES, Unit))
        .select_related("building")
        .order_by("building__number", "number")
    )


def aggregate_counts(*, viewer: User | AnonymousUser) -> list[dict]:
    """Counts per community and grid for those who see aggregates only (no individual)."""
    return grid_tree(viewer=viewer, permission=Permission.VIEW_AGGREGATES)


def community_list(
    *, viewer: User | AnonymousUser, permission: Permission = Permission.VIEW_PLACES
) -> QuerySet[Community]:
    return Community.objects.filter(scoped(viewer, permission, Community))


def community_get(
    *, viewer: User | AnonymousUser, pk: int, permission: Permission = Permission.VIEW_PLACES
) -> Community:
    return get_object_or_404(community_list(viewer=viewer, permission=permission), pk=pk)


@dataclass(frozen=True)
class DistanceSummary:
    buildings: int
    placed: int  # with a position on the site plan
    imported_pairs: int


def distance_summary(*, community: Community) -> DistanceSummary:
    """What routes have to go on in a community: buildings placed on the site plan and pairs of
    buildings with an imported walking distance."""
    buildings = Building.objects.filter(community=community)
    return DistanceSummary(
        buildings=buildings.count(),
        placed=buildings.filter(plan_x__isnull=False, plan_y__isnull=False).count(),
        imported_pairs=WalkingDistance.objects.filter(community=community).count(),
    )
