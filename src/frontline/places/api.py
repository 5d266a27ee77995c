from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from frontline.accounts.access import Permission, api_requires, require
from frontline.core.http import AuthedRequest
from frontline.places import selectors, services
from frontline.places.models import Unit

router = Router(tags=["places"])


class CountsOut(Schema):
    buildings: int
    households: int
    residents: int


class GridOut(Schema):
    id: int
    name: str
    counts: CountsOut


class CommunityOut(Schema):
    id: int
    name: str
    counts: CountsOut
    grids: list[GridOut]


class BuildingOut(Schema):
    id: int
    number: str
    name: str
    grid_id: int
    counts: CountsOut


class HouseholdOut(Schema):
    id: int
    label: str
    unit_id: int
    room: str
    residents: int | None = None


class HouseholdIn(Schema):
    unit_id: int
    room: str
    phone: str = ""
    notes: str = ""


class HouseholdPatch(Schema):
    room: str | None = None
    phone: str | None = None
    notes: str | None = None


def _tree_out(tree: list[dict]) -> list[CommunityOut]:
    return [
        CommunityOut(
            id=node["community"].pk,
            name=node["community"].name,
            counts=CountsOut(**vars(node["counts"])),
            grids=[
                GridOut(
                    id=grid["grid"].pk,
                    name=grid["grid"].name,
                    counts=CountsOut(**vars(grid["counts"])),
                )
                for grid in node["grids"]
            ],
        )
        for node in tree
    ]


@router.get("/tree", response=list[CommunityOut])
@api_requires(Permission.VIEW_PLACES)
def place_tree(request: AuthedRequest):
    """Communities and grids in the caller's scope with their counts."""
    return _tree_out(selectors.grid_tree(viewer=request.user))


@router.get("/aggregates", response=list[CommunityOut])
@api_requires(Permission.VIEW_AGGREGATES)
def place_aggregates(request: AuthedRequest):
    """Counts per community and grid, for those who see aggregates only."""
    return _tree_out(selectors.aggregate_counts(viewer=request.user))


@router.get("/grids/{grid_id}/buildings", response=list[BuildingOut])
@api_requires(Permission.VIEW_PLACES, per_object=True)
def grid_buildings(request: AuthedRequest, grid_id: int):
    grid = selectors.grid_get(viewer=request.user, pk=grid_id)
    return [
        BuildingOut(
            id=b.pk, number=b.number, name=b.name, grid_id=b.grid_id, counts=CountsOut(**vars(c))
        )
        for b, c in selectors.grid_buildings(viewer=request.user, grid=grid)
    ]


@router.get("/buildings/{building_id}/households", response=list[HouseholdOut])
@api_requires(Permission.VIEW_PLACES, per_object=True)
def building_households(request: AuthedRequest, building_id: int):
    building = selectors.building_get(viewer=request.user, pk=building_id)
    return [
        HouseholdOut(id=h.pk, label=h.label, unit_id=h.unit_id, room=h.room, residents=n)
        for _, households in selectors.building_units(building=building)
        for h, n in households
    ]


@router.get("/households/{household_id}", response=HouseholdOut)
@api_requires(Permission.VIEW_PLACES, per_object=True)
def household_detail(request: AuthedRequest, household_id: int):
    household = selectors.household_get(viewer=request.user, pk=household_id)
    return HouseholdOut(
        id=household.pk, label=household.label, unit_id=household.unit_id, room=household.room
    )


@router.post("/households", response={201: HouseholdOut})
@api_requires(Permission.EDIT_PLACES)
def household_create(request: AuthedRequest, payload: HouseholdIn):
    unit = require(
        request.user, Permission.EDIT_PLACES, get_object_or_404(Unit, pk=payload.unit_id)
    )
    household = services.household_create(
        actor=request.user, unit=unit, room=payload.room, phone=payload.phone, notes=payload.notes
    )
    return Status(
        201,
        HouseholdOut(id=household.pk, label=household.label, unit_id=unit.pk, room=household.room),
    )


@router.patch("/households/{household_id}", response=HouseholdOut)
@api_requires(Permission.EDIT_PLACES, per_object=True)
def household_update(request: AuthedRequest, household_id: int, payload: HouseholdPatch):
    household = selectors.household_get(viewer=request.user, pk=household_id)
    household = services.household_update(
        actor=request.user, household=household, **payload.dict(exclude_unset=True)
    )
    return HouseholdOut(
        id=household.pk, label=household.label, unit_id=household.unit_id, room=household.room
    )
