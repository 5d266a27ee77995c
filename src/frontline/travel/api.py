"""API: risk areas (read with health data or management rights, write with MANAGE_RISK_AREAS),
a resident's trips (list, record), screening matches of the caller's residents."""

import datetime as dt

from django.core.exceptions import PermissionDenied
from ninja import Query, Router, Schema, Status

from frontline.accounts.access import Permission, api_requires, has_permission
from frontline.core.http import AuthedRequest
from frontline.core.masking import mask_document
from frontline.core.schemas import Page
from frontline.travel import selectors, services
from frontline.travel.models import RiskArea, Trip, TripMatch, TripSource

router = Router(tags=["travel"])


class RiskAreaOut(Schema):
    id: int
    name: str
    area_code: str
    place: str
    level: str
    valid_from: dt.date
    valid_to: dt.date | None

    @staticmethod
    def of(area: RiskArea) -> "RiskAreaOut":
        return RiskAreaOut(
            id=area.pk, name=area.name, area_code=area.area_code, place=area.place,
            level=area.level, valid_from=area.valid_from, valid_to=area.valid_to,
        )  # fmt: skip


class RiskAreaIn(Schema):
    name: str = ""
    area_code: str = ""
    place: str = ""
    level: str = ""
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None


class RiskAreaChanges(Schema):
    name: str | None = None
    area_code: str | None = None
    place: str | None = None
    level: str | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None


class RiskAreaFilters(Schema):
    q: str = ""
    level: str = ""
    state: str = ""
    sort: str = "-valid_from"
    limit: int = 50
    offset: int = 0


class TripOut(Schema):
    id: int
    resident_id: int
    area_code: str
    place: str
    date_from: dt.date
    date_to: dt.date
    source: str
    note: str

    @staticmethod
    def of(trip: Trip) -> "TripOut":
        return TripOut(
            id=trip.pk, resident_id=trip.resident_id, area_code=trip.area_code, place=trip.place,
            date_from=trip.date_from, date_to=trip.date_to, source=trip.source, note=trip.note,
        )  # fmt: skip


class TripIn(Schema):
    """All optional here so the service reports every missing or bad field at once."""

    area_code: str = ""
    place: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    note: str = ""


class MatchOut(Schema):
    trip: TripOut
    area: RiskAreaOut
    resident_id: int
    resident_name: str
    document_number: str  # masked
    kind: str
    first_day: dt.date
    last_day: dt.date
    days: int

    @staticmethod
    def of(match: TripMatch) -> "MatchOut":
        return MatchOut(
            trip=TripOut.of(match.trip), area=RiskAreaOut.of(match.area),
            resident_id=match.resident_id, resident_name=match.resident.name,
            document_number=mask_document(match.resident.document_number), kind=match.kind,
            first_day=match.first_day, last_day=match.last_day, days=match.days,
        )  # fmt: skip


class MatchFilters(Schema):
    level: str = ""
    kind: str = ""
    since: dt.date | None = None
    until: dt.date | None = None
    limit: int = 50
    offset: int = 0


def _window(limit: int, offset: int) -> slice:
    limit = max(1, min(limit, 200))
    offset = max(0, offset)
    return slice(offset, offset + limit)


@router.get("/risk-areas", response=Page[RiskAreaOut])
@api_requires(Permission.VIEW_HEALTH, per_object=True)
def risk_area_list(request: AuthedRequest, filters: Query[RiskAreaFilters]):
    """Installation-wide risk areas, for users with health data or who manage them."""
    if not selectors.may_see_risk_areas(request.user):
        raise PermissionDenied
    areas = selectors.risk_area_list(
        viewer=request.user, query=filters.q, level=filters.level, state=filters.state,
        sort=filters.sort,
    )  # fmt: skip
    return {
        "count": areas.count(),
        "items": [RiskAreaOut.of(a) for a in areas[_window(filters.limit, filters.offset)]],
    }


@router.post("/risk-areas", response={201: RiskAreaOut})
@api_requires(Permission.MANAGE_RISK_AREAS)
def risk_area_create(request: AuthedRequest, payload: RiskAreaIn):
    area = services.risk_area_create(actor=request.user, **payload.dict())
    return Status(201, RiskAreaOut.of(area))


@router.get("/risk-areas/{area_id}", response=RiskAreaOut)
@api_requires(Permission.VIEW_HEALTH, per_object=True)
def risk_area_detail(request: AuthedRequest, area_id: int):
    return RiskAreaOut.of(selectors.risk_area_get(viewer=request.user, pk=area_id))


@router.patch("/risk-areas/{area_id}", response=RiskAreaOut)
@api_requires(Permission.MANAGE_RISK_AREAS, per_object=True)
def risk_area_update(request: AuthedRequest, area_id: int, payload: RiskAreaChanges):
    area = selectors.risk_area_get(viewer=request.user, pk=area_id)
    area = services.risk_area_update(
        actor=request.user, area=area, **payload.dict(exclude_unset=True)
    )
    return RiskAreaOut.of(area)


@router.post("/risk-areas/{area_id}/end", response=RiskAreaOut)
@api_requires(Permission.MANAGE_RISK_AREAS, per_object=True)
def risk_area_end(request: AuthedRequest, area_id: int):
    """The area stops being a risk area today."""
    area = selectors.risk_area_get(viewer=request.user, pk=area_id)
    return RiskAreaOut.of(services.risk_area_end(actor=request.user, area=area))


@router.delete("/risk-areas/{area_id}", response={204: None})
@api_requires(Permission.MANAGE_RISK_AREAS, per_object=True)
def risk_area_delete(request: AuthedRequest, area_id: int):
    """Only for an area entered by mistake that matched no trip; otherwise end it."""
    area = selectors.risk_area_get(viewer=request.user, pk=area_id)
    services.risk_area_delete(actor=request.user, area=area)
    return Status(204, None)


@router.get("/residents/{resident_id}/trips", response=list[TripOut])
@api_requires(Permission.VIEW_HEALTH, per_object=True)
def trip_list(request: AuthedRequest, resident_id: int):
    resident = selectors.resident_for_health(viewer=request.user, pk=resident_id)
    return [
        TripOut.of(trip) for trip in selectors.trip_list(viewer=request.user, resident=resident)
    ]


@router.post("/residents/{resident_id}/trips", response={201: TripOut})
@api_requires(Permission.RECORD_HEALTH, per_object=True)
def trip_create(request: AuthedRequest, resident_id: int, payload: TripIn):
    """Record a trip on the resident's behalf; it is screened against the risk areas at once."""
    resident = selectors.resident_for_health(viewer=request.user, pk=resident_id)
    if not has_permission(request.user, Permission.RECORD_HEALTH):
        raise PermissionDenied
    trip = services.trip_record(
        actor=request.user, resident=resident, source=TripSource.WORKER, **payload.dict()
    )
    return Status(201, TripOut.of(trip))


@router.get("/matches", response=Page[MatchOut])
@api_requires(Permission.VIEW_HEALTH)
def match_list(request: AuthedRequest, filters: Query[MatchFilters]):
    """Screening matches of the caller's residents, newest first (document numbers masked)."""
    matches = selectors.match_list(
        viewer=request.user, level=filters.level, kind=filters.kind, since=filters.since,
        until=filters.until,
    )  # fmt: skip
    return {
        "count": matches.count(),
        "items": [MatchOut.of(m) for m in matches[_window(filters.limit, filters.offset)]],
    }
