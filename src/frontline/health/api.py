"""Check-ins through the API: record one for a resident (a worker), list a resident's, and the
residents of a building who have not checked in today."""

import datetime as dt
from decimal import Decimal

from ninja import Query, Router, Schema, Status

from frontline.accounts.access import Permission, api_requires
from frontline.core.http import AuthedRequest
from frontline.core.schemas import Page
from frontline.health import selectors, services
from frontline.health.models import Antigen, Checkin, CheckinSource, Whereabouts

router = Router(tags=["health"])


class CheckinIn(Schema):
    """Every field is checked by the service, which names all the bad ones at once (422)."""

    temperature: str | float | None = None
    symptoms: list[str] = []
    antigen: str = Antigen.NONE.value
    whereabouts: str = Whereabouts.HOME.value


class CheckinOut(Schema):
    id: int
    resident_id: int
    day: dt.date
    created_at: dt.datetime
    temperature: Decimal | None
    symptoms: list[str]
    antigen: str
    has_photo: bool
    whereabouts: str
    source: str
    recorded_by: str | None
    abnormal: bool
    task_id: int | None

    @staticmethod
    def of(checkin: Checkin) -> "CheckinOut":
        return CheckinOut(
            id=checkin.pk, resident_id=checkin.resident_id, day=checkin.day, created_at=checkin.created_at,
            temperature=checkin.temperature, symptoms=checkin.symptoms, antigen=checkin.antigen,
            has_photo=bool(checkin.antigen_photo), whereabouts=checkin.whereabouts, source=checkin.source,
            recorded_by=str(checkin.recorded_by) if checkin.recorded_by_id else None,
            abnormal=checkin.abnormal, task_id=checkin.task_id,
        )  # fmt: skip


class MissingOut(Schema):
    id: int
    name: str
    household: str
    phone: str  # masked


class Paging(Schema):
    limit: int = 50
    offset: int = 0


@router.post("/residents/{resident_id}/checkins", response={201: CheckinOut})
@api_requires(Permission.RECORD_HEALTH, per_object=True)
def checkin_create(request: AuthedRequest, resident_id: int, payload: CheckinIn):
    resident = selectors.resident_get(
        viewer=request.user, permission=Permission.RECORD_HEALTH, pk=resident_id
    )
    checkin = services.checkin_record(
        resident=resident, temperature=payload.temperature, symptoms=payload.symptoms,
        antigen=payload.antigen, whereabouts=payload.whereabouts, source=CheckinSource.API,
        actor=request.user,
    )  # fmt: skip
    return Status(201, CheckinOut.of(checkin))


@router.get("/residents/{resident_id}/checkins", response=list[CheckinOut])
@api_requires(Permission.VIEW_HEALTH, per_object=True)
def checkin_list(request: AuthedRequest, resident_id: int, limit: int = 30):
    """The resident's check-ins, newest first (at most 200)."""
    resident = selectors.resident_get(
        viewer=request.user, permission=Permission.VIEW_HEALTH, pk=resident_id
    )
    checkins = selectors.resident_checkins(
        viewer=request.user, resident=resident, limit=max(1, min(limit, 200))
    )
    return [CheckinOut.of(checkin) for checkin in checkins]


@router.get("/buildings/{building_id}/not-checked-in", response=Page[MissingOut])
@api_requires(Permission.VIEW_HEALTH, per_object=True)
def building_not_checked_in(request: AuthedRequest, building_id: int, paging: Query[Paging]):
    """Present residents of the building with no check-in today, in address order; phones masked."""
    building = selectors.building_get(
        viewer=request.user, permission=Permission.VIEW_HEALTH, pk=building_id
    )
    residents = selectors.not_checked_in(
        viewer=request.user, day=selectors.today(), building=building
    )
    limit = max(1, min(paging.limit, 500))
    offset = max(0, paging.offset)
    return {
        "count": residents.count(),
        "items": [
            MissingOut(id=r.pk, name=r.name, household=r.household.label, phone=r.masked_phone)
            for r in residents[offset : offset + limit]
        ],
    }
