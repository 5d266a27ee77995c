"""Notices through the API: the same selectors and services as the pages (422 naming every bad
field, 404 outside scope, 403 inside it without the permission)."""

import datetime as dt

from ninja import Query, Router, Schema, Status

from frontline.accounts.access import Permission, api_requires
from frontline.core.http import AuthedRequest
from frontline.core.schemas import Page
from frontline.outreach import selectors, services
from frontline.outreach.models import Lecture, Notice

router = Router(tags=["outreach"])


class NoticeOut(Schema):
    id: int
    community_id: int
    title: str
    body: str
    expires_at: dt.datetime
    tags: list[str]
    channels: list[str]
    status: str
    sent_at: dt.datetime | None
    household_count: int

    @staticmethod
    def of(notice: Notice) -> "NoticeOut":
        return NoticeOut(
            id=notice.pk, community_id=notice.community_id, title=notice.title, body=notice.body,
            expires_at=notice.expires_at, tags=list(notice.tags), channels=list(notice.channels),
            status=notice.status, sent_at=notice.sent_at, household_count=notice.household_count,
        )  # fmt: skip


class NoticeIn(Schema):
    """`grid_ids` and `building_ids` of the community (none: all of it); `tags` a member must
    all carry; `channels` from portal, sms, wecom, email."""

    community_id: int | None = None
    title: str = ""
    body: str = ""
    expires_at: dt.datetime | None = None
    grid_ids: list[int] = []
    building_ids: list[int] = []
    tags: list[str] = []
    channels: list[str] = []


class BuildingOut(Schema):
    building_id: int
    label: str
    households: int
    read: int
    tasks: int


class HouseholdOut(Schema):
    household_id: int
    household: str
    building_id: int
    task_id: int | None


class AcknowledgementsOut(Schema):
    buildings: list[BuildingOut]
    not_reached: list[HouseholdOut]


class HoursFilter(Schema):
    hours: int = 24


class DoorToDoorIn(Schema):
    hours: int | None = None
    building_id: int | None = None


class TasksOut(Schema):
    created: int
    task_ids: list[int]


@router.get("/notices", response=Page[NoticeOut])
@api_requires(Permission.SEND_NOTICES)
def notice_list(request: AuthedRequest, limit: int = 50, offset: int = 0):
    found = selectors.notice_list(viewer=request.user)
    limit = max(1, min(limit, 500))
    page = list(found[max(0, offset) : max(0, offset) + limit])
    return {"count": found.count(), "items": [NoticeOut.of(notice) for notice in page]}


@router.post("/notices", response={201: NoticeOut})
@api_requires(Permission.SEND_NOTICES)
def notice_create(request: AuthedRequest, payload: NoticeIn):
    """A draft; send it with `POST /notices/{id}/send`."""
    community = selectors.community_get(viewer=request.user, pk=payload.community_id or 0)
    notice = services.notice_create(
        actor=request.user, community=community, title=payload.title, body=payload.body,
        expires_at=payload.expires_at, channels=payload.channels, grid_ids=payload.grid_ids,
        building_ids=payload.building_ids, tags=payload.tags,
    )  # fmt: skip
    return Status(201, NoticeOut.of(notice))


@router.get("/notices/{notice_id}", response=NoticeOut)
@api_requires(Permission.SEND_NOTICES, per_object=True)
def notice_detail(request: AuthedRequest, notice_id: int):
    return NoticeOut.of(selectors.notice_get(viewer=request.user, pk=notice_id))


@router.post("/notices/{notice_id}/send", response=NoticeOut)
@api_requires(Permission.SEND_NOTICES, per_object=True)
def notice_send(request: AuthedRequest, notice_id: int):
    """Target and queue; the channels deliver in the background (422 if already sent)."""
    notice = selectors.notice_get(viewer=request.user, pk=notice_id)
    return NoticeOut.of(services.notice_send(actor=request.user, notice=notice))


@router.get("/notices/{notice_id}/acknowledgements", response=AcknowledgementsOut)
@api_requires(Permission.SEND_NOTICES, per_object=True)
def notice_acknowledgements(request: AuthedRequest, notice_id: int, filters: Query[HoursFilter]):
    """Read per building, and the households not reached `hours` after sending."""
    notice = selectors.notice_get(viewer=request.user, pk=notice_id)
    hours = max(0, min(filters.hours, services.MAX_HOURS))
    buildings = selectors.acknowledgement_report(viewer=request.user, notice=notice)
    unread = selectors.not_reached(viewer=request.user, notice=notice, hours=hours)
    return AcknowledgementsOut(
        buildings=[
            BuildingOut(building_id=row.building_id, label=row.label, households=row.households,
                        read=row.read, tasks=row.tasks)
            for row in buildings
        ],
        not_reached=[
            HouseholdOut(household_id=r.household_id, household=r.household.label,
                         building_id=r.building_id, task_id=r.task_id)
            for r in unread
        ],
    )  # fmt: skip


@router.post("/notices/{notice_id}/door-to-door", response={201: TasksOut})
@api_requires(Permission.SEND_NOTICES, per_object=True)
def notice_door_to_door(request: AuthedRequest, notice_id: int, payload: DoorToDoorIn):
    """One task per household not reached after `hours` (optionally of one building); a
    household never gets a second task for the same notice."""
    notice = selectors.notice_get(viewer=request.user, pk=notice_id)
    created = services.door_to_door_tasks_create(
        actor=request.user, notice=notice, hours=payload.hours, building_id=payload.building_id
    )
    return Status(201, TasksOut(created=len(created), task_ids=[task.pk for task in created]))


# -- lectures -----------------------------------------------------------------------------------


class LectureOut(Schema):
    id: int
    community_id: int
    topic: str
    speaker: str
    starts_at: dt.datetime
    minutes: int
    joining: str
    capacity: int
    registered: int
    reminded_at: dt.datetime | None

    @staticmethod
    def of(lecture: Lecture) -> "LectureOut":
        return LectureOut(
            id=lecture.pk, community_id=lecture.community_id, topic=lecture.topic,
            speaker=lecture.speaker, starts_at=lecture.starts_at, minutes=lecture.minutes,
            joining=lecture.joining, capacity=lecture.capacity,
            registered=getattr(lecture, "taken", 0), reminded_at=lecture.reminded_at,
        )  # fmt: skip


class RegistrationOut(Schema):
    id: int
    resident_id: int
    name: str
    phone: str  # masked
    household: str
    source: str
    attended: bool | None
    created_at: dt.datetime


@router.get("/lectures", response=Page[LectureOut])
@api_requires(Permission.SEND_NOTICES, Permission.EDIT_RESIDENTS)
def lecture_list(request: AuthedRequest, limit: int = 50, offset: int = 0):
    """Lectures of the caller's communities from a week ago on, soonest first."""
    found = selectors.lecture_list(viewer=request.user)
    limit = max(1, min(limit, 500))
    page = list(found[max(0, offset) : max(0, offset) + limit])
    return {"count": found.count(), "items": [LectureOut.of(lecture) for lecture in page]}


@router.get("/lectures/{lecture_id}/registrations", response=list[RegistrationOut])
@api_requires(Permission.SEND_NOTICES, Permission.EDIT_RESIDENTS, per_object=True)
def lecture_registrations(request: AuthedRequest, lecture_id: int):
    """The registrations of the people the caller may see, phones masked."""
    lecture = selectors.lecture_get(viewer=request.user, pk=lecture_id)
    return [
        RegistrationOut(
            id=r.pk, resident_id=r.resident_id, name=r.resident.name,
            phone=r.resident.masked_phone, household=r.resident.household.label,
            source=r.source, attended=r.attended, created_at=r.created_at,
        )
        for r in selectors.lecture_registrations(viewer=request.user, lecture=lecture)
    ]  # fmt: skip
