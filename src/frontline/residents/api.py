import datetime as dt
from typing import Any, Literal

from django.http import FileResponse
from ninja import Query, Router, Schema, Status

from frontline.accounts.access import Permission, api_requires
from frontline.core.http import AuthedRequest
from frontline.core.schemas import Page
from frontline.places.selectors import household_get
from frontline.residents import selectors, services
from frontline.residents.exports import resident_export as resident_export_xlsx
from frontline.residents.models import Resident

router = Router(tags=["residents"])


class ResidentOut(Schema):
    id: int
    name: str
    sex: str
    birth_date: dt.date | None
    age: int | None
    document_type: str
    document_number: str
    phone: str
    household_id: int
    household: str
    residence_type: str
    status: str
    tags: list[str]

    @staticmethod
    def of(resident: Resident) -> "ResidentOut":
        """Masked numbers only: the full values come from the audited reveal operation."""
        return ResidentOut(
            id=resident.pk,
            name=resident.name,
            sex=resident.sex,
            birth_date=resident.birth_date,
            age=resident.age,
            document_type=resident.document_type,
            document_number=resident.masked_document,
            phone=resident.masked_phone,
            household_id=resident.household_id,
            household=resident.household.label,
            residence_type=resident.residence_type,
            status=resident.status,
            tags=resident.tag_values,
        )


class ResidentFilters(Schema):
    q: str = ""
    status: str = ""
    tag: list[str] = []
    grid: int | None = None
    building: int | None = None
    household: int | None = None
    sort: Literal["address", "name", "-updated"] = "address"
    limit: int = 50
    offset: int = 0


class ResidentFields(Schema):
    name: str | None = None
    document_type: str | None = None
    document_number: str | None = None
    sex: str | None = None
    birth_date: dt.date | None = None
    phone: str | None = None
    residence_type: str | None = None
    status: str | None = None
    emergency_contact_name: str | None = None
    emergency_contact_phone: str | None = None
    notes: str | None = None
    tags: list[str] | None = None


class ResidentIn(ResidentFields):
    household_id: int
    name: str


class RevealIn(Schema):
    field: Literal["document_number", "phone", "emergency_contact_phone"]
    reason: str


class RevealOut(Schema):
    field: str
    value: str


class MoveIn(Schema):
    household_id: int
    reason: str = ""


@router.get("", response=Page[ResidentOut])
@api_requires(Permission.VIEW_RESIDENTS)
def resident_list(request: AuthedRequest, filters: Query[ResidentFilters]):
    """Residents in the caller's scope: search by name, pinyin initials, phone/ID tail or room."""
    residents = selectors.resident_list(
        viewer=request.user, query=filters.q, status=filters.status, tags=filters.tag,
        grid_id=filters.grid, building_id=filters.building, household_id=filters.household,
        sort=filters.sort,
    )  # fmt: skip
    limit = max(1, min(filters.limit, 200))
    offset = max(0, filters.offset)
    return {
        "count": residents.count(),
        "items": [ResidentOut.of(r) for r in residents[offset : offset + limit]],
    }


class ExportIn(Schema):
    q: str = ""
    status: str = ""
    tag: list[str] = []
    full_numbers: bool = False
    reason: str = ""


@router.post("/export")
@api_requires(Permission.VIEW_RESIDENTS)
def resident_export(request: AuthedRequest, payload: ExportIn):
    """The filtered list as .xlsx, masked unless `full_numbers` with a reason (audited either way)."""
    filters: dict[str, Any] = {"query": payload.q, "status": payload.status, "tags": payload.tag}
    workbook = resident_export_xlsx(
        actor=request.user,
        residents=selectors.resident_list(viewer=request.user, **filters),
        filters=filters,
        full_numbers=payload.full_numbers,
        reason=payload.reason,
    )
    return FileResponse(workbook, as_attachment=True, filename="residents.xlsx")


@router.get("/{resident_id}", response=ResidentOut)
@api_requires(Permission.VIEW_RESIDENTS, per_object=True)
def resident_detail(request: AuthedRequest, resident_id: int):
    return ResidentOut.of(selectors.resident_get(viewer=request.user, pk=resident_id))


@router.post("", response={201: ResidentOut})
@api_requires(Permission.EDIT_RESIDENTS)
def resident_create(request: AuthedRequest, payload: ResidentIn):
    household = household_get(
        viewer=request.user, pk=payload.household_id, permission=Permission.EDIT_RESIDENTS
    )
    fields = payload.dict(exclude={"household_id", "tags"}, exclude_none=True)
    resident = services.resident_register(
        actor=request.user, household=household, tags=payload.tags or (), **fields
    )
    return Status(201, ResidentOut.of(selectors.resident_get(viewer=request.user, pk=resident.pk)))


@router.patch("/{resident_id}", response=ResidentOut)
@api_requires(Permission.EDIT_RESIDENTS, per_object=True)
def resident_update(request: AuthedRequest, resident_id: int, payload: ResidentFields):
    resident = selectors.resident_get(viewer=request.user, pk=resident_id)
    changes = payload.dict(exclude_unset=True)
    tags = changes.pop("tags", None)
    services.resident_update(actor=request.user, resident=resident, tags=tags, **changes)
    return ResidentOut.of(selectors.resident_get(viewer=request.user, pk=resident_id))


@router.post("/{resident_id}/move", response=ResidentOut)
@api_requires(Permission.EDIT_RESIDENTS, per_object=True)
def resident_move(request: AuthedRequest, resident_id: int, payload: MoveIn):
    resident = selectors.resident_get(viewer=request.user, pk=resident_id)
    household = household_get(
        viewer=request.user, pk=payload.household_id, permission=Permission.EDIT_RESIDENTS
    )
    services.resident_move(
        actor=request.user, resident=resident, household=household, reason=payload.reason
    )
    return ResidentOut.of(selectors.resident_get(viewer=request.user, pk=resident_id))


@router.post("/{resident_id}/reveal", response=RevealOut)
@api_requires(Permission.REVEAL_IDENTITY, per_object=True)
def resident_reveal(request: AuthedRequest, resident_id: int, payload: RevealIn):
    """The unmasked value of one field; writes an audit entry with the reason."""
    resident = selectors.resident_get(viewer=request.user, pk=resident_id)
    value = services.resident_reveal(
        actor=request.user, resident=resident, field=payload.field, reason=payload.reason
    )
    return RevealOut(field=payload.field, value=value)
