"""Medicine runs through the API: the same selectors and services as the pages (422 naming every
bad field, 404 outside scope, 403 inside it without the permission)."""

import datetime as dt
from decimal import Decimal

from ninja import Query, Router, Schema, Status

from frontline.accounts.access import Permission, api_requires
from frontline.core.http import AuthedRequest
from frontline.core.schemas import Page
from frontline.medicine import selectors, services
from frontline.medicine.models import MedicineRequest, RequestChannel

router = Router(tags=["medicine"])


class MedicineOut(Schema):
    id: int
    resident_id: int
    household: str
    medicine: str
    dose: str
    quantity: str
    pharmacy: str
    urgent: bool
    urgent_reasons: list[str]
    status: str
    run_id: int | None
    cost: Decimal | None
    paid: Decimal | None
    has_prescription: bool
    created_at: dt.datetime

    @staticmethod
    def of(row: MedicineRequest) -> "MedicineOut":
        return MedicineOut(
            id=row.pk, resident_id=row.resident_id, household=row.household.label,
            medicine=row.medicine, dose=row.dose, quantity=row.quantity, pharmacy=row.pharmacy,
            urgent=row.urgent, urgent_reasons=list(row.urgent_reasons), status=row.status,
            run_id=row.run_id, cost=row.cost, paid=row.paid,
            has_prescription=bool(row.prescription), created_at=row.created_at,
        )  # fmt: skip


class MedicineIn(Schema):
    resident_id: int | None = None
    medicine: str = ""
    dose: str = ""
    quantity: str = ""
    pharmacy: str = ""


class MedicineFilter(Schema):
    status: str = "open"
    urgent: bool = False
    q: str = ""
    limit: int = 50
    offset: int = 0


@router.get("/requests", response=Page[MedicineOut])
@api_requires(Permission.HANDLE_REQUESTS)
def request_list(request: AuthedRequest, filters: Query[MedicineFilter]):
    found = selectors.request_list(
        viewer=request.user,
        filters=selectors.RequestFilters(status=filters.status, urgent=filters.urgent,
                                         search=filters.q),
    )  # fmt: skip
    limit, offset = max(1, min(filters.limit, 200)), max(0, filters.offset)
    return {
        "count": found.count(),
        "items": [MedicineOut.of(r) for r in found[offset : offset + limit]],
    }


@router.post("/requests", response={201: MedicineOut})
@api_requires(Permission.HANDLE_REQUESTS)
def request_create(request: AuthedRequest, payload: MedicineIn):
    resident = selectors.resident_get(viewer=request.user, pk=payload.resident_id or 0)
    row = services.request_submit(
        actor=request.user, resident=resident, channel=RequestChannel.API,
        medicine=payload.medicine, dose=payload.dose, quantity=payload.quantity,
        pharmacy=payload.pharmacy,
    )  # fmt: skip
    return Status(201, MedicineOut.of(selectors.request_get(viewer=request.user, pk=row.pk)))


@router.get("/requests/{request_id}", response=MedicineOut)
@api_requires(Permission.HANDLE_REQUESTS, Permission.DELIVER, per_object=True)
def request_detail(request: AuthedRequest, request_id: int):
    return MedicineOut.of(selectors.request_get(viewer=request.user, pk=request_id))
