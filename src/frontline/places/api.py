from django.shortcuts import get_object_or_404
from django.utils.translation import ngettext
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from frontline.accounts.access import Permission, api_requires, require
from frontline.core.http import AuthedRequest
from frontline.places import selectors, services
from frontline.places.distance_import import walking_distances_import
from frontline.places.models import Unit
from frontline.residents.roster import RosterError, check_size

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


class DistanceImportOut(Schema):
    buildings: int
    pairs: int
    written: int


@router.post("/walking-distances", response={200: DistanceImportOut, 422: dict})
@api_requires(Permission.EDIT_PLACES)
def walking_distances(
    request: AuthedRequest,
    community_id: Form[int],
    file: File[UploadedFile],
    check_only: Form[bool] = False,
):
    """Replace a community's walking distances with a matrix file (multipart: .xlsx or .csv,
    building numbers along the first row and down the first column, metres where they meet).
    A file with any bad cell writes nothing and answers 422 with every bad cell in `detail`."""
    community = selectors.community_get(viewer=request.user, pk=community_id)
    try:
        check_size(file.size or 0)
    except RosterError as error:
        return Status(422, {"message": str(error), "detail": None})
    result = walking_distances_import(
        actor=request.user, community=community, filename=file.name or "distances.csv",
        content=file.read(), check_only=check_only,
    )  # fmt: skip
    if result.file_error:
        return Status(422, {"message": result.file_error, "detail": None})
    if result.problems:
        message = ngettext(
            "Nothing was imported: %(n)s cell has a problem.",
            "Nothing was imported: %(n)s cells have problems.",
            len(result.problems),
        ) % {"n": len(result.problems)}
        problems = [{"cell": p.cell, "reasons": p.reasons} for p in result.problems]
        return Status(422, {"message": message, "detail": problems})
    return DistanceImportOut(buildings=result.buildings, pairs=result.pairs, written=result.written)
