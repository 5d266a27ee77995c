"""The help desk through the API: the same selectors and services as the pages, the same errors
(422 naming every bad field, 404 outside scope, 403 inside it without the permission)."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from frontline.accounts.access import Permission, api_requires
from frontline.core.files import private_file_response
from frontline.core.http import AuthedRequest
from frontline.core.schemas import Page
from frontline.helpdesk import selectors, services
from frontline.helpdesk.models import Channel, HelpRequest, RequestEvent

router = Router(tags=["helpdesk"])
OPTIONAL_FILE = File(None)  # a missing file is the service's 422, after the scope check


class EventOut(Schema):
    kind: str
    actor: str | None
    to_owner: str | None
    by_resident: bool
    note: str
    created_at: dt.datetime

    @staticmethod
    def of(event: RequestEvent) -> "EventOut":
        return EventOut(
            kind=event.kind, actor=str(event.actor) if event.actor_id else None,
            to_owner=str(event.to_owner) if event.to_owner_id else None,
            by_resident=event.by_resident, note=event.note, created_at=event.created_at,
        )  # fmt: skip


class RequestOut(Schema):
    id: int
    resident_id: int
    name: str
    household: str
    grid_id: int
    category: str
    text: str
    urgency: str
    urgent_reasons: list[str]
    channel: str
    status: str
    owner: str | None
    created_at: dt.datetime
    take_due_at: dt.datetime
    resolve_due_at: dt.datetime
    taken_at: dt.datetime | None
    resolved_at: dt.datetime | None
    overdue: list[str]
    partner: str
    resolution: str
    rating: int | None
    rating_comment: str
    task_id: int | None
    has_photo: bool
    care_case_id: int | None

    @staticmethod
    def of(row: HelpRequest) -> "RequestOut":
        return RequestOut(
            id=row.pk, resident_id=row.resident_id, name=row.resident.name,
            household=row.household.label, grid_id=row.household.unit.building.grid_id,
            category=row.category, text=row.text, urgency=row.urgency,
            urgent_reasons=list(row.urgent_reasons), channel=row.channel, status=row.status,
            owner=str(row.owner) if row.owner_id else None, created_at=row.created_at,
            take_due_at=row.take_due_at, resolve_due_at=row.resolve_due_at,
            taken_at=row.taken_at, resolved_at=row.resolved_at, overdue=row.overdue_kinds(),
            partner=row.partner, resolution=row.resolution, rating=row.rating,
            rating_comment=row.rating_comment, task_id=row.task_id, has_photo=bool(row.photo),
            care_case_id=row.care_case_id,
        )  # fmt: skip


class RequestDetailOut(RequestOut):
    events: list[EventOut]


class RequestIn(Schema):
    """A request received on a resident's behalf; triage decides the urgency (`urgent` only
    raises it, for what the caller said)."""

    resident_id: int | None = None
    category: str = ""
    text: str = ""
    urgent: bool = False


class RequestFilter(Schema):
    status: str = "open"
    category: str = ""
    urgency: str = ""
    grid: int | None = None
    overdue: bool = False
    limit: int = 50
    offset: int = 0


class StepIn(Schema):
    """`action`: take, assign (`to` a user id), note, transfer (`partner`), resolve
    (`resolution`) or reopen (`reason`)."""

    action: str = ""
    note: str = ""
    partner: str = ""
    resolution: str = ""
    reason: str = ""
    to: int | None = None


class SlaOut(Schema):
    category: str
    urgency: str
    take_minutes: int
    resolve_minutes: int


class SettingsOut(Schema):
    community_id: int
    keywords: list[str]
    tag_rules: list[str]
    service_levels: list[SlaOut]


class SettingsIn(Schema):
    keywords: list[str] | None = None
    tag_rules: list[str] | None = None
    service_levels: list[SlaOut] = []


def _detail(request: AuthedRequest, request_id: int) -> RequestDetailOut:
    row = selectors.request_get(viewer=request.user, pk=request_id)
    events = [EventOut.of(event) for event in selectors.request_events(row)]
    return RequestDetailOut(**RequestOut.of(row).dict(), events=events)


def _settings(community_id: int) -> SettingsOut:
    keywords, tag_rules = services.triage_rules(community_id)
    levels = [
        SlaOut(category=c, urgency=u, take_minutes=t, resolve_minutes=r)
        for c, u, t, r in services.sla_table(community_id)
    ]
    return SettingsOut(
        community_id=community_id, keywords=keywords, tag_rules=tag_rules, service_levels=levels
    )


@router.get("/requests", response=Page[RequestOut])
@api_requires(Permission.HANDLE_REQUESTS)
def request_list(request: AuthedRequest, filters: Query[RequestFilter]):
    found = selectors.request_list(
        viewer=request.user,
        filters=selectors.RequestFilters(
            status=filters.status, category=filters.category, urgency=filters.urgency,
            grid=filters.grid, overdue=filters.overdue,
        ),
    )  # fmt: skip
    limit = max(1, min(filters.limit, 500))
    offset = max(0, filters.offset)
    return {
        "count": found.count(),
        "items": [RequestOut.of(r) for r in found[offset : offset + limit]],
    }


@router.post("/requests", response={201: RequestDetailOut})
@api_requires(Permission.HANDLE_REQUESTS)
def request_create(request: AuthedRequest, payload: RequestIn):
    resident = selectors.request_resident_get(viewer=request.user, pk=payload.resident_id or 0)
    created = services.request_submit(
        actor=request.user, resident=resident, category=payload.category, text=payload.text,
        channel=Channel.API, reported_urgent=payload.urgent,
    )  # fmt: skip
    return Status(201, _detail(request, created.pk))


@router.get("/requests/{request_id}", response=RequestDetailOut)
@api_requires(Permission.HANDLE_REQUESTS, per_object=True)
def request_detail(request: AuthedRequest, request_id: int):
    return _detail(request, request_id)


@router.post("/requests/{request_id}/photo", response=RequestDetailOut)
@api_requires(Permission.HANDLE_REQUESTS, per_object=True)
def request_photo_add(
    request: AuthedRequest, request_id: int, photo: UploadedFile | None = OPTIONAL_FILE
):
    """Multipart upload (field `photo`: JPEG, PNG or WebP, up to 5 MB) for a request that has none."""
    row = selectors.request_get(viewer=request.user, pk=request_id)  # 404 before the body
    if photo is None:
        raise ValidationError({"photo": [_("Choose a photo.")]})
    services.request_attach_photo(actor=request.user, request=row, photo=photo)
    return _detail(request, request_id)


@router.get("/requests/{request_id}/photo")
@api_requires(Permission.HANDLE_REQUESTS, per_object=True)
def request_photo(request: AuthedRequest, request_id: int):
    row = selectors.request_get(viewer=request.user, pk=request_id)
    if not row.photo:
        raise Http404
    return private_file_response(row.photo)


@router.post("/requests/{request_id}/steps", response=RequestDetailOut)
@api_requires(Permission.HANDLE_REQUESTS, per_object=True)
def request_step(request: AuthedRequest, request_id: int, payload: StepIn):
    """One step on the request; every step appends to its timeline."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    row = selectors.request_get(viewer=request.user, pk=request_id)
    if payload.action == "take":
        services.request_take(actor=request.user, request=row)
    elif payload.action == "assign":
        to = next((u for u in services.assign_candidates(row) if u.pk == payload.to), None)
        if to is None:
            raise ValidationError(
                {"to": [_("Choose someone who handles requests where this one is.")]}
            )
        services.request_assign(actor=request.user, request=row, to=to, note=payload.note)
    elif payload.action == "note":
        services.request_note(actor=request.user, request=row, note=payload.note)
    elif payload.action == "transfer":
        services.request_transfer(
            actor=request.user, request=row, partner=payload.partner, note=payload.note
        )
    elif payload.action == "resolve":
        services.request_resolve(actor=request.user, request=row, resolution=payload.resolution)
    elif payload.action == "reopen":
        services.request_reopen(actor=request.user, request=row, reason=payload.reason)
    else:
        raise ValidationError({"action": [_("Choose what to do.")]})
    return _detail(request, request_id)


@router.get("/settings/{community_id}", response=SettingsOut)
@api_requires(Permission.MANAGE_HELPDESK, per_object=True)
def settings_detail(request: AuthedRequest, community_id: int):
    community = selectors.settings_community_get(viewer=request.user, pk=community_id)
    return _settings(community.pk)


@router.put("/settings/{community_id}", response=SettingsOut)
@api_requires(Permission.MANAGE_HELPDESK, per_object=True)
def settings_update(request: AuthedRequest, community_id: int, payload: SettingsIn):
    """Replace the urgent keywords and tag rules (when given) and set the listed service levels,
    all or nothing."""
    from django.db import transaction

    community = selectors.settings_community_get(viewer=request.user, pk=community_id)
    with transaction.atomic():
        if payload.keywords is not None or payload.tag_rules is not None:
            keywords, tag_rules = services.triage_rules(community.pk)
            services.triage_rules_update(
                actor=request.user, community=community,
                keywords=keywords if payload.keywords is None else payload.keywords,
                tag_rules=tag_rules if payload.tag_rules is None else payload.tag_rules,
            )  # fmt: skip
        for level in payload.service_levels:
            services.service_level_update(
                actor=request.user, community=community, category=level.category,
                urgency=level.urgency, take_minutes=level.take_minutes,
                resolve_minutes=level.resolve_minutes,
            )  # fmt: skip
    return _settings(community.pk)
