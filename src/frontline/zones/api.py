"""Zones through the API: the same selectors and services as the pages, the same errors (422
naming every bad field, 404 outside scope, 403 inside it without the permission)."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from frontline.accounts.access import Permission, api_requires
from frontline.core.http import AuthedRequest
from frontline.places.models import Building, Unit
from frontline.zones import selectors, services
from frontline.zones.models import Zone

router = Router(tags=["zones"])


class CheckItemOut(Schema):
    text: str
    ok: bool | None
    required: bool


class ReviewOut(Schema):
    days_since_last_case: int
    days_without_case: int
    needed: int | None
    step_down_on: dt.date | None
    action: str | None
    next_level: str
    due: bool
    checklist: list[CheckItemOut]


class EventOut(Schema):
    kind: str
    from_level: str
    to_level: str
    on: dt.date
    case_id: int | None
    evidence: str
    reason: str
    actor: str | None
    at: dt.datetime


class ZoneOut(Schema):
    id: int
    community_id: int
    building_id: int
    building: str
    unit_id: int | None
    unit: str | None
    level: str
    designated: bool
    designated_on: dt.date
    rule_set: str
    last_case_on: dt.date
    lifted_on: dt.date | None

    @staticmethod
    def of(zone: Zone) -> "ZoneOut":
        return ZoneOut(
            id=zone.pk, community_id=zone.community_id, building_id=zone.site_id,
            building=zone.site.number, unit_id=zone.unit_id,
            unit=zone.unit.number if zone.unit else None, level=zone.level,
            designated=zone.designated, designated_on=zone.designated_on,
            rule_set=zone.rule_set.name, last_case_on=zone.last_case_on, lifted_on=zone.lifted_on,
        )  # fmt: skip


class ZoneDetailOut(ZoneOut):
    review: ReviewOut | None
    events: list[EventOut]

    @staticmethod
    def of_detail(zone: Zone) -> "ZoneDetailOut":
        review = None
        if zone.is_active:
            found = selectors.zone_review(
                zone, on=selectors.today(), under_control=selectors.under_control_count(zone)
            )
            review = ReviewOut(
                days_since_last_case=found.days_since_last_case,
                days_without_case=found.days_without_case, needed=found.needed,
                step_down_on=found.step_down_on,
                action=found.action.value if found.action else None, next_level=found.next_level,
                due=found.due,
                checklist=[CheckItemOut(text=i.text, ok=i.ok, required=i.required)
                           for i in found.checklist],
            )  # fmt: skip
        return ZoneDetailOut(
            **ZoneOut.of(zone).dict(),
            review=review,
            events=[
                EventOut(kind=e.kind, from_level=e.from_level, to_level=e.to_level, on=e.on,
                         case_id=e.case_id, evidence=e.evidence, reason=e.reason,
                         actor=str(e.actor) if e.actor_id else None, at=e.created_at)
                for e in zone.events.all()
            ],
        )  # fmt: skip


class ZoneFilter(Schema):
    community: int | None = None
    active: bool = True
    limit: int = 100
    offset: int = 0


class ZonePage(Schema):
    count: int
    items: list[ZoneOut]


class RaiseIn(Schema):
    """The place (a building, or a unit of it) and the confirmed case living there."""

    building_id: int | None = None
    unit_id: int | None = None
    level: str = ""
    case_id: int | None = None
    reason: str = ""


class ReasonIn(Schema):
    reason: str = ""


@router.get("/zones", response=ZonePage)
@api_requires(Permission.VIEW_HEALTH)
def zone_list(request: AuthedRequest, filters: Query[ZoneFilter]):
    zones = selectors.zone_list(
        viewer=request.user, community=filters.community, active=filters.active
    )
    limit = max(1, min(filters.limit, 500))
    offset = max(0, filters.offset)
    return {
        "count": zones.count(),
        "items": [ZoneOut.of(zone) for zone in zones[offset : offset + limit]],
    }


@router.get("/zones/{zone_id}", response=ZoneDetailOut)
@api_requires(Permission.VIEW_HEALTH, per_object=True)
def zone_detail(request: AuthedRequest, zone_id: int):
    return ZoneDetailOut.of_detail(selectors.zone_get(viewer=request.user, pk=zone_id))


@router.post("/zones", response={201: ZoneDetailOut})
@api_requires(Permission.MANAGE_CONTROL)
def zone_raise(request: AuthedRequest, payload: RaiseIn):
    """Designate or raise the zone of a building or unit on a confirmed case living there."""
    errors: dict[str, list[str]] = {}
    if (payload.building_id is None) == (payload.unit_id is None):
        errors["place"] = [_("Name exactly one of building_id and unit_id.")]
    if payload.case_id is None:
        errors["case_id"] = [_("Name the confirmed case.")]
    if errors:
        raise ValidationError(errors)
    place: Building | Unit
    if payload.building_id is not None:
        place = selectors.building_get(viewer=request.user, pk=payload.building_id)
    else:
        unit = Unit.objects.select_related("building").filter(pk=payload.unit_id or 0).first()
        if unit is None:
            raise Http404
        selectors.building_get(viewer=request.user, pk=unit.building_id)
        place = unit
    site = place if isinstance(place, Building) else place.building
    case = next(
        (
            c
            for c in selectors.cases_in(viewer=request.user, building=site)
            if c.pk == payload.case_id
        ),
        None,
    )
    if case is None:
        raise ValidationError(
            {"case_id": [_("The confirmed case must be a resident living in this place.")]}
        )
    zone = services.zone_raise(
        place=place, level=payload.level, case=case, actor=request.user, reason=payload.reason
    )
    return Status(201, ZoneDetailOut.of_detail(selectors.zone_get(viewer=request.user, pk=zone.pk)))


@router.post("/zones/{zone_id}/step-down", response=ZoneDetailOut)
@api_requires(Permission.MANAGE_CONTROL, per_object=True)
def zone_step_down(request: AuthedRequest, zone_id: int, payload: ReasonIn):
    zone = selectors.zone_get(viewer=request.user, pk=zone_id)
    services.zone_step_down(zone=zone, actor=request.user, reason=payload.reason)
    return ZoneDetailOut.of_detail(selectors.zone_get(viewer=request.user, pk=zone_id))


@router.post("/zones/{zone_id}/lift", response=ZoneDetailOut)
@api_requires(Permission.MANAGE_CONTROL, per_object=True)
def zone_lift(request: AuthedRequest, zone_id: int, payload: ReasonIn):
    zone = selectors.zone_get(viewer=request.user, pk=zone_id)
    services.zone_lift(zone=zone, actor=request.user, reason=payload.reason)
    return ZoneDetailOut.of_detail(selectors.zone_get(viewer=request.user, pk=zone_id))
