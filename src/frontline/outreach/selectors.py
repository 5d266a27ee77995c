"""Reads of the notices, each scoped to the viewer: the targeting, lists, the acknowledgement
report per building and the households a notice has not reached, attachments; the lectures and
support groups with who registered (for a support group, only those who manage care and its
host see the names; the others see the count)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from frontline.accounts.access import ROLE_PERMISSIONS, Permission, scope_q, scoped
from frontline.accounts.models import RoleAssignment, User
from frontline.health.links import CHECKING_IN
from frontline.outreach.models import (
    ChannelName,
    Delivery,
    DeliveryStatus,
    Lecture,
    LectureKind,
    LectureRegistration,
    Notice,
    NoticeAttachment,
    NoticeRecipient,
    NoticeStatus,
)
from frontline.places.models import Community, Household, address_key
from frontline.residents.models import Resident, ResidentTag, Tag, senior_born_before

Viewer = User | AnonymousUser


def tagged_residents(tags: Sequence[str], *, today: dt.date | None = None) -> QuerySet[Resident]:
    """Residents who carry every one of `tags` (65+ from the birth date, the rest as stored)."""
    residents = Resident.objects.all()
    for tag in tags:
        if tag == Tag.SENIOR:
            residents = residents.filter(
                birth_date__lte=senior_born_before(today or timezone.localdate())
            )
        else:
            residents = residents.filter(
                pk__in=ResidentTag.objects.filter(tag=tag).values("resident_id")
            )
    return residents


def target_households(
    *,
    community: Community | int,
    grid_ids: Iterable[int] = (),
    building_ids: Iterable[int] = (),
    tags: Sequence[str] = (),
) -> QuerySet[Household]:
    """The households a notice reaches: in the community, in the chosen grids or buildings (all
    when none is chosen), with a present member who carries every chosen tag (any present
    member when no tag is chosen). Homes where nobody lives any more are not addressed."""
    community_id = community if isinstance(community, int) else community.pk
    households = Household.objects.filter(unit__building__community_id=community_id)
    grid_ids, building_ids = list(grid_ids), list(building_ids)
    if grid_ids or building_ids:
        households = households.filter(
            Q(unit__building__grid_id__in=grid_ids) | Q(unit__building_id__in=building_ids)
        )
    members = tagged_residents(tags).filter(community_id=community_id, status__in=CHECKING_IN)
    return households.filter(pk__in=members.values("household_id"))


# -- notices ------------------------------------------------------------------------------------


def visible_notices(viewer: Viewer) -> QuerySet[Notice]:
    """The notices of the communities the viewer sends notices to; a support group's reminder
    (confidential) only where they also manage care."""
    return Notice.objects.filter(scoped(viewer, Permission.SEND_NOTICES, Notice)).filter(
        Q(confidential=False) | scoped(viewer, Permission.MANAGE_CARE, Notice)
    )


def notice_list(*, viewer: Viewer) -> QuerySet[Notice]:
    return (
        visible_notices(viewer)
        .select_related("community", "created_by")
        .annotate(
            read_count=Count("recipients", filter=Q(recipients__acknowledged_at__isnull=False))
        )
        .order_by("-created_at", "-id")
    )


def notice_get(*, viewer: Viewer, pk: int) -> Notice:
    """One notice the viewer may send or follow up; 404 outside their scope."""
    return get_object_or_404(
        visible_notices(viewer).select_related("community", "created_by", "sent_by"), pk=pk
    )


def attachment_get(*, viewer: Viewer, pk: int) -> NoticeAttachment:
    """A file of a notice the viewer may see; 404 otherwise."""
    return get_object_or_404(
        NoticeAttachment.objects.filter(notice__in=visible_notices(viewer).values("pk")), pk=pk
    )


def notice_communities(*, viewer: Viewer) -> QuerySet[Community]:
    """The communities the viewer may send notices to."""
    return Community.objects.filter(scoped(viewer, Permission.SEND_NOTICES, Community)).order_by(
        "name"
    )


def community_get(*, viewer: Viewer, pk: int) -> Community:
    return get_object_or_404(notice_communities(viewer=viewer), pk=pk)


@dataclass(frozen=True)
class ChannelSummary:
    channel: str
    label: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def waiting(self) -> int:
        return self.counts.get("pending", 0) + self.counts.get("sending", 0)


def delivery_summary(*, notice: Notice) -> list[ChannelSummary]:
    """Deliveries per channel and status (one grouped query)."""
    counts: dict[str, dict[str, int]] = {}
    for channel, status, n in (
        Delivery.objects.filter(notice=notice)
        .values_list("channel", "status")
        .order_by()
        .annotate(n=Count("id"))
    ):
        counts.setdefault(channel, {})[status] = n
    return [
        ChannelSummary(channel=name.value, label=str(name.label), counts=counts.get(name, {}))
        for name in ChannelName
        if name in notice.channels and name != ChannelName.PORTAL
    ]


def delivery_problems(*, notice: Notice, limit: int = 50) -> QuerySet[Delivery]:
    """Deliveries that failed at least once and are not sent, the most tried first."""
    return (
        Delivery.objects.filter(notice=notice, attempts__gt=0)
        .exclude(status=DeliveryStatus.SENT)
        .select_related("recipient__household__unit__building")
        .order_by("-attempts", "id")[:limit]
    )


# -- acknowledgements ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BuildingAcknowledgements:
    building_id: int
    label: str
    households: int
    read: int
    tasks: int

    @property
    def unread(self) -> int:
        return self.households - self.read

    @property
    def percent(self) -> int:
        return round(100 * self.read / self.households) if self.households else 0


def acknowledgement_report(*, viewer: Viewer, notice: Notice) -> list[BuildingAcknowledgements]:
    """Per building in the viewer's reach: households addressed, read, door-to-door tasks made.
    One grouped query whatever the number of households."""
    rows = list(
        NoticeRecipient.objects.filter(notice=notice)
        .filter(scoped(viewer, Permission.SEND_NOTICES, NoticeRecipient))
        .values_list("building_id", "building__number", "building__name")
        .order_by()
        .annotate(
            households=Count("id"),
            read=Count("id", filter=Q(acknowledged_at__isnull=False)),
            tasks=Count("task_id"),
        )
    )
    report = [
        BuildingAcknowledgements(
            building_id=building_id,
            label=name or str(_("Building %(number)s") % {"number": number}),
            households=households,
            read=read,
            tasks=tasks,
        )
        for building_id, number, name, households, read, tasks in rows
    ]
    numbers = {building_id: number for building_id, number, *_rest in rows}
    return sorted(report, key=lambda row: address_key(numbers[row.building_id], "", ""))


def not_reached_since(notice: Notice, hours: int) -> dt.datetime | None:
    """When a household still unread counts as not reached; None until the hours have passed."""
    if notice.status != NoticeStatus.SENT or notice.sent_at is None:
        return None
    deadline = notice.sent_at + dt.timedelta(hours=hours)
    return deadline if deadline <= timezone.now() else None


def not_reached(
    *, viewer: Viewer, notice: Notice, hours: int, building_id: int | None = None
) -> QuerySet[NoticeRecipient]:
    """Households that have not read the notice `hours` after it was sent (none before then),
    by building and address, with their door-to-door task if one was made."""
    recipients = NoticeRecipient.objects.filter(
        scoped(viewer, Permission.SEND_NOTICES, NoticeRecipient)
    ).filter(notice=notice, acknowledged_at__isnull=True)
    if not_reached_since(notice, hours) is None:
        return recipients.none()
    if building_id is not None:
        recipients = recipients.filter(building_id=building_id)
    return recipients.select_related("household__unit__building", "task__owner").order_by(
        "building_id", "household__unit__number", "household__room", "id"
    )


def door_recipient(*, viewer: Viewer, notice_id: int, household_id: int) -> NoticeRecipient:
    """A household's row of a sent notice, to record that it was told at the door: for those who
    send notices where it lives (and may see the notice) and for the owner of its door-to-door
    task; 404 for anyone else."""
    reach = scoped(viewer, Permission.SEND_NOTICES, NoticeRecipient) & Q(
        notice__in=visible_notices(viewer).values("pk")
    )
    if viewer.is_authenticated:
        reach |= Q(task__owner_id=viewer.pk)
    return get_object_or_404(
        NoticeRecipient.objects.filter(reach).select_related(
            "notice", "household__unit__building", "task__owner", "acknowledged_by"
        ),
        notice_id=notice_id,
        household_id=household_id,
    )


# -- the household page -------------------------------------------------------------------------


def household_notices(*, household_id: int) -> list[NoticeRecipient]:
    """The sent, unexpired notices addressed to one household on its page, newest first."""
    recipients = (
        NoticeRecipient.objects.filter(
            household_id=household_id,
            notice__status=NoticeStatus.SENT,
            notice__expires_at__gt=timezone.now(),
        )
        .select_related("notice__community")
        .prefetch_related("notice__attachments")
        .order_by("-notice__sent_at", "-id")
    )
    # A household has a handful of live notices: the channel list is read here, not in SQL
    # (SQLite has no JSON containment).
    return [r for r in recipients if ChannelName.PORTAL in r.notice.channels]


def household_attachment(*, household_id: int, pk: int) -> NoticeAttachment:
    """A file of a live notice shown on this household's page; 404 for any other."""
    attachment = (
        NoticeAttachment.objects.filter(
            pk=pk,
            notice__status=NoticeStatus.SENT,
            notice__expires_at__gt=timezone.now(),
            notice__recipients__household_id=household_id,
        )
        .select_related("notice")
        .first()
    )
    if attachment is None or ChannelName.PORTAL not in attachment.notice.channels:
        raise Http404
    return attachment


# -- lectures and support groups ----------------------------------------------------------------

LECTURE_MAX_MINUTES = 480
# A lecture stays listed this long after it starts, so attendance can be marked.
LECTURE_LISTED_AFTER = dt.timedelta(days=7)
# Who opens the lectures: those who announce them or act for residents, and those who see care
# (support groups).
LECTURE_READERS = (Permission.SEND_NOTICES, Permission.EDIT_RESIDENTS, Permission.VIEW_CARE)
# Who announces each kind (and marks attendance), and who registers a resident for it.
MANAGED_BY = {
    LectureKind.LECTURE: Permission.SEND_NOTICES,
    LectureKind.SUPPORT_GROUP: Permission.MANAGE_CARE,
}
REGISTERED_BY = {
    LectureKind.LECTURE: Permission.EDIT_RESIDENTS,
    LectureKind.SUPPORT_GROUP: Permission.SCREEN_RESIDENTS,
}


def lecture_communities(*, viewer: Viewer) -> QuerySet[Community]:
    """The communities whose lectures the viewer sees: those they send notices to, and those
    where they act for residents (a grid worker: the community of their grids)."""
    return Community.objects.filter(
        pk__in=Community.objects.filter(
            scope_q(viewer, Permission.SEND_NOTICES, community="pk")
            | scope_q(
                viewer, Permission.EDIT_RESIDENTS, community="pk", grid="grids",
                building="buildings",
            )
        ).values("pk")
    ).order_by("name")  # fmt: skip


def support_group_communities(*, viewer: Viewer) -> QuerySet[Community]:
    """The communities whose support groups the viewer sees: where they see care (a grid
    worker: the community of their grids)."""
    return Community.objects.filter(
        pk__in=Community.objects.filter(
            scope_q(
                viewer, Permission.VIEW_CARE, community="pk", grid="grids", building="buildings"
            )
        ).values("pk")
    ).order_by("name")


def announcing_communities(*, viewer: Viewer, kind: str) -> QuerySet[Community]:
    """The communities where the viewer may announce a lecture or a support group."""
    return Community.objects.filter(scoped(viewer, MANAGED_BY[LectureKind(kind)], Community))


def visible_lectures(viewer: Viewer) -> QuerySet[Lecture]:
    return Lecture.objects.filter(
        Q(kind=LectureKind.LECTURE, community__in=lecture_communities(viewer=viewer).values("pk"))
        | Q(
            kind=LectureKind.SUPPORT_GROUP,
            community__in=support_group_communities(viewer=viewer).values("pk"),
        )
    )


def lecture_list(
    *, viewer: Viewer, since: dt.datetime | None = None, kind: str = ""
) -> QuerySet[Lecture]:
    """Lectures and support groups of the viewer's communities (or one kind) that have not
    started more than a week ago (or `since`), soonest first, with their registration counts."""
    since = since or timezone.now() - LECTURE_LISTED_AFTER
    lectures = visible_lectures(viewer).filter(starts_at__gte=since)
    if kind in LectureKind.values:
        lectures = lectures.filter(kind=kind)
    return (
        lectures.select_related("community", "host")
        .annotate(taken=Count("registrations"))
        .order_by("starts_at", "id")
    )


def lecture_get(*, viewer: Viewer, pk: int) -> Lecture:
    """One lecture or support group of the viewer's communities, whenever it was; 404 otherwise."""
    return get_object_or_404(
        visible_lectures(viewer)
        .select_related("community", "created_by", "host", "reminder")
        .annotate(taken=Count("registrations")),
        pk=pk,
    )


def lecture_managed(*, viewer: Viewer, lecture: Lecture) -> bool:
    """Whether the viewer runs this lecture (marks attendance): those who may announce its kind
    in its community, and a support group's host."""
    if viewer.is_authenticated and lecture.host_id == viewer.pk:
        return True
    return (
        Lecture.objects.filter(pk=lecture.pk)
        .filter(scoped(viewer, MANAGED_BY[LectureKind(lecture.kind)], Lecture))
        .exists()
    )


def registrants_shown(*, viewer: Viewer, lecture: Lecture) -> bool:
    """Whether the viewer sees who registered, or only how many: a support group's names are
    for those who manage care in its community and its host."""
    if not lecture.is_support_group:
        return True
    if viewer.is_authenticated and lecture.host_id == viewer.pk:
        return True
    return (
        Lecture.objects.filter(pk=lecture.pk)
        .filter(scoped(viewer, Permission.MANAGE_CARE, Lecture))
        .exists()
    )


def lecture_registrations(*, viewer: Viewer, lecture: Lecture) -> QuerySet[LectureRegistration]:
    """The registrations of the people the viewer may see (a grid worker: their grids'), by
    address; for a support group, none unless `registrants_shown`."""
    registrations = LectureRegistration.objects.filter(lecture=lecture)
    if not lecture.is_support_group:
        registrations = registrations.filter(
            scoped(viewer, Permission.VIEW_RESIDENTS, LectureRegistration)
        )
    elif not registrants_shown(viewer=viewer, lecture=lecture):
        registrations = registrations.none()
    return registrations.select_related("resident__household__unit__building").order_by(
        "resident__address_key", "resident_id"
    )


def counsellors(*, community_ids: Iterable[int]) -> QuerySet[User]:
    """Active users who counsel in these communities: who may host their support groups."""
    ids = list(community_ids)
    roles = [role for role, granted in ROLE_PERMISSIONS.items() if Permission.COUNSEL in granted]
    assignments = RoleAssignment.objects.filter(role__in=roles).filter(
        Q(community_id__in=ids)
        | Q(subdistrict_id__in=Community.objects.filter(pk__in=ids).values("subdistrict_id"))
        | Q(grid__community_id__in=ids)
        | Q(building__community_id__in=ids)
    )
    return User.objects.filter(is_active=True, pk__in=assignments.values("user_id")).order_by(
        "display_name", "username"
    )


def upcoming_lectures(*, community_ids: Iterable[int]) -> list[Lecture]:
    """Lectures and support groups not yet over in these communities, soonest first, with
    registration counts (the household page; no viewer: the household link stands for its
    community)."""
    now = timezone.now()
    longest = dt.timedelta(minutes=LECTURE_MAX_MINUTES)
    lectures = (
        Lecture.objects.filter(community_id__in=list(community_ids))
        .filter(starts_at__gt=now - longest)
        .annotate(taken=Count("registrations"))
        .order_by("starts_at", "id")
    )
    return [lecture for lecture in lectures if lecture.ends_at > now]


def registered_pairs(
    *, lecture_ids: Iterable[int], resident_ids: Iterable[int]
) -> set[tuple[int, int]]:
    """(lecture, resident) pairs already registered, for a household's page."""
    return set(
        LectureRegistration.objects.filter(
            lecture_id__in=list(lecture_ids), resident_id__in=list(resident_ids)
        ).values_list("lecture_id", "resident_id")
    )
