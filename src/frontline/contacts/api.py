"""Cases, contact links and chains over the API; the same selectors and services as the pages."""

import datetime as dt
from typing import Literal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from frontline.accounts.access import Permission, api_requires, require
from frontline.contacts import selectors, services
from frontline.contacts.models import Case
from frontline.core.http import AuthedRequest
from frontline.core.schemas import Page

router = Router(tags=["contacts"])


class CaseOut(Schema):
    id: int
    community_id: int
    index_person: str  # the index person's key: r<resident id> or o<outside person id>
    resident_id: int | None
    name: str
    phone: str  # masked
    confirmed_on: dt.date
    reference: str

    @staticmethod
    def of(case: Case) -> "CaseOut":
        person = case.index_person
        return CaseOut(
            id=case.pk, community_id=case.community_id, index_person=case.person_key,
            resident_id=case.resident_id, name=person.name, phone=person.masked_phone,
            confirmed_on=case.confirmed_on, reference=case.reference,
        )  # fmt: skip


class CaseFilters(Schema):
    q: str = ""
    sort: Literal["-confirmed", "confirmed", "-links"] = "-confirmed"
    limit: int = 50
    offset: int = 0


class CaseIn(Schema):
    """A resident (`resident_id`) or an outside person (name, phone and `community_id`)."""

    confirmed_on: dt.date | None = None
    reference: str = ""
    resident_id: int | None = None
    outside_name: str = ""
    outside_phone: str = ""
    community_id: int | None = None


class LinkIn(Schema):
    """Every field is checked by the service, which reports all bad ones at once."""

    source: str = ""  # a person key already in the chain; the index person when empty
    contact_resident_id: int | None = None
    contact_name: str = ""
    contact_phone: str = ""
    met_on: dt.date | None = None
    met_at: dt.time | None = None
    place: str = ""
    link_type: str = ""
    notes: str = ""


class LinkOut(Schema):
    id: int
    case_id: int
    source: str
    contact: str
    met_on: dt.date
    met_at: dt.time | None
    place: str
    link_type: str


class ChainRowOut(Schema):
    degree: int  # 1 close contact, 2 contact of a contact, 3+ further, -1 not connected
    person: str  # person key
    name: str  # masked unless the caller's scope covers the person
    phone: str  # masked
    household: str
    link_type: str
    derived: bool
    met_on: dt.date | None
    met_at: dt.time | None
    place: str
    via: str | None  # the person key of whom they were reached through


class ChainOut(Schema):
    count: int
    degrees: dict[str, int]
    items: list[ChainRowOut]


def _bad(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


@router.get("/cases", response=Page[CaseOut])
@api_requires(Permission.VIEW_HEALTH)
def case_list(request: AuthedRequest, filters: Query[CaseFilters]):
    """Confirmed cases in the caller's scope, searchable by reference or index person."""
    cases = selectors.case_list(viewer=request.user, query=filters.q, sort=filters.sort)
    limit = max(1, min(filters.limit, 200))
    offset = max(0, filters.offset)
    return {
        "count": cases.count(),
        "items": [CaseOut.of(c) for c in cases[offset : offset + limit]],
    }


@router.post("/cases", response={201: CaseOut})
@api_requires(Permission.RECORD_HEALTH)
def case_create(request: AuthedRequest, payload: CaseIn):
    resident = selectors.contact_resident_get(viewer=request.user, pk=payload.resident_id)
    if payload.resident_id and resident is None:
        raise _bad("resident_id", _("No such resident in your area."))
    community = None
    if payload.community_id:
        community = (
            selectors.record_communities(viewer=request.user)
            .filter(pk=payload.community_id)
            .first()
        )
        if community is None:
            raise _bad("community_id", _("No such community in your area."))
    case = services.case_record(
        actor=request.user, confirmed_on=payload.confirmed_on, reference=payload.reference,
        resident=resident, outside_name=payload.outside_name, outside_phone=payload.outside_phone,
        community=community,
    )  # fmt: skip
    return Status(201, CaseOut.of(case))


@router.get("/cases/{case_id}", response=CaseOut)
@api_requires(Permission.VIEW_HEALTH, per_object=True)
def case_detail(request: AuthedRequest, case_id: int):
    return CaseOut.of(selectors.case_get(viewer=request.user, pk=case_id))


@router.get("/cases/{case_id}/chain", response=ChainOut)
@api_requires(Permission.VIEW_HEALTH, per_object=True)
def case_chain(request: AuthedRequest, case_id: int, limit: int = 100, offset: int = 0):
    """The case's contacts with their degree, in degree order, a page at a time."""
    case = selectors.case_get(viewer=request.user, pk=case_id)
    chain = selectors.chain_of(viewer=request.user, case=case)
    rows = chain.rows()
    limit = max(1, min(limit, 1000))
    offset = max(0, offset)
    items = [
        ChainRowOut(
            degree=row.person.degree,
            person=row.person.key,
            name=row.person.name,
            phone=row.person.phone,
            household=row.person.address,
            link_type=row.link.link_type if row.link else "",
            derived=bool(row.link and row.link.derived),
            met_on=row.link.met_on if row.link else None,
            met_at=row.link.met_at if row.link else None,
            place=row.link.place if row.link else "",
            via=row.via.key if row.via else None,
        )
        for row in rows[offset : offset + limit]
    ]
    degrees = {str(d): n for d, n in sorted(chain.counts().items())}
    return {"count": len(rows), "degrees": degrees, "items": items}


@router.post("/cases/{case_id}/links", response={201: LinkOut})
@api_requires(Permission.RECORD_HEALTH, per_object=True)
def link_create(request: AuthedRequest, case_id: int, payload: LinkIn):
    """Record a contact of the index person or of someone already in the chain."""
    case = require(
        request.user, Permission.RECORD_HEALTH, selectors.case_get(viewer=request.user, pk=case_id)
    )
    resident = selectors.contact_resident_get(viewer=request.user, pk=payload.contact_resident_id)
    if payload.contact_resident_id and resident is None:
        raise _bad("contact_resident_id", _("No such resident in your area."))
    link = services.link_record(
        actor=request.user, case=case, source=payload.source, contact_resident=resident,
        contact_name=payload.contact_name, contact_phone=payload.contact_phone,
        met_on=payload.met_on, met_at=payload.met_at, place=payload.place,
        link_type=payload.link_type, notes=payload.notes,
    )  # fmt: skip
    return Status(
        201,
        LinkOut(
            id=link.pk,
            case_id=case.pk,
            source=link.a_key,
            contact=link.b_key,
            met_on=link.met_on,
            met_at=link.met_at,
            place=link.place,
            link_type=link.link_type,
        ),
    )


@router.get("/summary", response=list[dict[str, object]])
@api_requires(Permission.VIEW_AGGREGATES)
def summary(request: AuthedRequest):
    """Cases and links per community: counts only."""
    return selectors.contact_summary(viewer=request.user)
