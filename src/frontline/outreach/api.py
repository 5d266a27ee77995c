"""Notices and lectures through the API: the same selectors and services as the pages (422
naming every bad field, 404 outside scope, 403 inside it without the permission)."""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from frontline.accounts.access import Permission, api_requires
from frontline.core.http import AuthedRequest
from frontline.core.schemas import Page
from frontline.outreach import attachments, selectors, services
from frontline.outreach.models import Lecture, LectureKind, Notice, NoticeAttachment

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


class RecipientOut(Schema):
    household_id: int
    household: str
    acknowledged_at: dt.datetime | None
    acknowledged_via: str
    acknowledged_by_id: int | None
    task_id: int | None
    task_status: str | None


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    created_at: dt.datetime

    @staticmethod
    def of(attachment: NoticeAttachment) -> "AttachmentOut":
        return AttachmentOut(
            id=attachment.pk, name=attachment.name, content_type=attachment.content_type,
            size=attachment.size, created_at=attachment.created_at,
        )  # fmt: skip


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


@router.post("/notices/{notice_id}/households/{household_id}/read-at-door", response=RecipientOut)
@api_requires(Permission.SEND_NOTICES, Permission.WORK_TASKS, per_object=True)
def notice_read_at_door(request: AuthedRequest, notice_id: int, household_id: int):
    """The household was told in person: it counts as read and its door-to-door task, if open,
    is finished. Those who send notices there, or the owner of that task; a household that has
    read it already is left as it was."""
    recipient = selectors.door_recipient(
        viewer=request.user, notice_id=notice_id, household_id=household_id
    )
    recipient = services.notice_read_at_door(actor=request.user, recipient=recipient)
    return RecipientOut(
        household_id=recipient.household_id, household=recipient.household.label,
        acknowledged_at=recipient.acknowledged_at, acknowledged_via=recipient.acknowledged_via,
        acknowledged_by_id=recipient.acknowledged_by_id, task_id=recipient.task_id,
        task_status=recipient.task.status if recipient.task else None,
    )  # fmt: skip


@router.get("/notices/{notice_id}/attachments", response=list[AttachmentOut])
@api_requires(Permission.SEND_NOTICES, per_object=True)
def notice_attachments(request: AuthedRequest, notice_id: int):
    notice = selectors.notice_get(viewer=request.user, pk=notice_id)
    return [AttachmentOut.of(attachment) for attachment in notice.attachments.all()]


@router.post("/notices/{notice_id}/attachments", response={201: list[AttachmentOut]})
@api_requires(Permission.SEND_NOTICES, per_object=True)
def notice_attach(
    request: AuthedRequest,
    notice_id: int,
    files: File[list[UploadedFile]] = None,  # type: ignore[assignment]
):
    """Multipart upload (field `files`, repeated): up to 5 files a notice, PDF, JPEG, PNG or
    WebP, each at most 10 MB; only while the notice is a draft. All or none are attached."""
    notice = selectors.notice_get(viewer=request.user, pk=notice_id)
    added = attachments.attachments_add(actor=request.user, notice=notice, files=files or [])
    return Status(201, [AttachmentOut.of(attachment) for attachment in added])


@router.get("/notices/{notice_id}/attachments/{attachment_id}")
@api_requires(Permission.SEND_NOTICES, per_object=True)
def notice_attachment(request: AuthedRequest, notice_id: int, attachment_id: int):
    """The file itself, as a download."""
    attachment = selectors.attachment_get(viewer=request.user, pk=attachment_id)
    if attachment.notice_id != notice_id:
        raise Http404
    return attachments.attachment_response(attachment)


@router.delete("/notices/{notice_id}/attachments/{attachment_id}", response={204: None})
@api_requires(Permission.SEND_NOTICES, per_object=True)
def notice_attachment_remove(request: AuthedRequest, notice_id: int, attachment_id: int):
    """Only while the notice is a draft."""
    attachment = selectors.attachment_get(viewer=request.user, pk=attachment_id)
    if attachment.notice_id != notice_id:
        raise Http404
    attachments.attachment_remove(actor=request.user, attachment=attachment)
    return Status(204, None)


# -- lectures and support groups ----------------------------------------------------------------


class LectureOut(Schema):
    id: int
    community_id: int
    kind: str
    host_id: int | None
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
            id=lecture.pk, community_id=lecture.community_id, kind=lecture.kind,
            host_id=lecture.host_id, topic=lecture.topic,
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


class KindFilter(Schema):
    kind: LectureKind | None = None


@router.get("/lectures", response=Page[LectureOut])
@api_requires(*selectors.LECTURE_READERS)
def lecture_list(
    request: AuthedRequest, filters: Query[KindFilter], limit: int = 50, offset: int = 0
):
    """Lectures and support groups (`kind`: lecture, support_group) of the caller's communities
    from a week ago on, soonest first."""
    found = selectors.lecture_list(viewer=request.user, kind=filters.kind or "")
    limit = max(1, min(limit, 500))
    page = list(found[max(0, offset) : max(0, offset) + limit])
    return {"count": found.count(), "items": [LectureOut.of(lecture) for lecture in page]}


@router.get("/lectures/{lecture_id}/registrations", response=list[RegistrationOut])
@api_requires(*selectors.LECTURE_READERS, per_object=True)
def lecture_registrations(request: AuthedRequest, lecture_id: int):
    """The registrations of the people the caller may see, phones masked; a support group's
    only for those who manage care and its host (403 for the others: they see the count)."""
    lecture = selectors.lecture_get(viewer=request.user, pk=lecture_id)
    if not selectors.registrants_shown(viewer=request.user, lecture=lecture):
        raise PermissionDenied
    return [
        RegistrationOut(
            id=r.pk, resident_id=r.resident_id, name=r.resident.name,
            phone=r.resident.masked_phone, household=r.resident.household.label,
            source=r.source, attended=r.attended, created_at=r.created_at,
        )
        for r in selectors.lecture_registrations(viewer=request.user, lecture=lecture)
    ]  # fmt: skip
