"""Writes of the lectures (线上讲座) and support groups (团体心理辅导): announcing one,
residents' registrations from the household page or through a worker, attendance, and the
reminder notice to the registered households shortly before it starts. A lecture is announced
by those who send notices, a support group by those who manage care (with a counsellor as its
host). A full one refuses further registrations (the row is locked while counting); the
reminder goes out once, through the notices' own sending, a support group's as a confidential
notice (its topic reaches the registered households and those who manage care, nobody else).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from frontline.accounts.access import require
from frontline.accounts.models import User
from frontline.core.audit import audit_record
from frontline.core.models import AuditAction
from frontline.health.models import HouseholdLink
from frontline.outreach.models import (
    ChannelName,
    Lecture,
    LectureKind,
    LectureRegistration,
    RegistrationSource,
)
from frontline.outreach.selectors import (
    LECTURE_MAX_MINUTES,
    MANAGED_BY,
    REGISTERED_BY,
    counsellors,
    lecture_managed,
)
from frontline.outreach.services import MAX_TITLE, notice_create, notice_send
from frontline.places.models import Community
from frontline.residents.models import Resident

logger = logging.getLogger(__name__)

TOPIC_MAX = Lecture._meta.get_field("topic").max_length or 100
SPEAKER_MAX = Lecture._meta.get_field("speaker").max_length or 100
JOINING_MAX = Lecture._meta.get_field("joining").max_length or 200
DESCRIPTION_MAX = 2000
MINUTES = (15, LECTURE_MAX_MINUTES)
CAPACITY = (1, 10000)
# How long before the start the registered households are reminded.
REMIND_WITHIN = dt.timedelta(hours=1)
REMINDER_CHANNELS = (ChannelName.PORTAL, ChannelName.SMS)


@transaction.atomic
def lecture_create(
    *, actor: User, community: Community, topic: str, speaker: str,
    starts_at: dt.datetime | None, minutes: int | None, joining: str, capacity: int | None,
    description: str = "", kind: str = LectureKind.LECTURE, host: User | None = None,
) -> Lecture:  # fmt: skip
    """Announce a lecture or a support group to the community's households (it shows on their
    notices page). A support group may leave the speaker to its host, one of the community's
    counsellors."""
    if kind not in LectureKind.values:
        raise ValidationError({"kind": [_("Choose a lecture or a support group.")]})
    kind = LectureKind(kind)
    require(actor, MANAGED_BY[kind], community)
    errors: dict[str, list[str]] = {}
    topic, speaker, joining = topic.strip(), speaker.strip(), joining.strip()
    description = description.strip()
    if not topic or len(topic) > TOPIC_MAX:
        errors["topic"] = [_("Enter a topic of at most %(n)d characters.") % {"n": TOPIC_MAX}]
    if (not speaker and kind == LectureKind.LECTURE) or len(speaker) > SPEAKER_MAX:
        errors["speaker"] = [
            _("Enter the speaker (a person or a hospital), at most %(n)d characters.")
            % {"n": SPEAKER_MAX}
        ]
    if host is not None and kind == LectureKind.LECTURE:
        errors["host"] = [_("Only a support group has a host.")]
    elif (
        host is not None
        and not counsellors(community_ids=[community.pk]).filter(pk=host.pk).exists()
    ):
        errors["host"] = [_("Choose a counsellor of this community.")]
    if starts_at is None or timezone.is_naive(starts_at):
        errors["starts_at"] = [_("Enter when the lecture starts.")]
    elif starts_at <= timezone.now():
        errors["starts_at"] = [_("The lecture must start in the future.")]
    if minutes is None or not MINUTES[0] <= minutes <= MINUTES[1]:
        errors["minutes"] = [
            _("A lecture lasts %(low)d to %(high)d minutes.")
            % {"low": MINUTES[0], "high": MINUTES[1]}
        ]
    if not joining or len(joining) > JOINING_MAX:
        errors["joining"] = [_("Say how to join: a meeting link or number, or a room.")]
    if capacity is None or not CAPACITY[0] <= capacity <= CAPACITY[1]:
        errors["capacity"] = [
            _("A lecture has %(low)d to %(high)d places.")
            % {"low": CAPACITY[0], "high": CAPACITY[1]}
        ]
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = [
            _("Keep the description to %(n)d characters.") % {"n": DESCRIPTION_MAX}
        ]
    if errors:
        raise ValidationError(errors)
    assert starts_at is not None and minutes is not None and capacity is not None
    lecture = Lecture.objects.create(
        community=community, kind=kind, topic=topic, speaker=speaker, host=host,
        starts_at=starts_at, minutes=minutes, joining=joining, capacity=capacity,
        description=description, created_by=actor,
    )  # fmt: skip
    audit_record(
        actor=actor, action=AuditAction.CREATE, target=lecture, community_id=community.pk,
        label=lecture.topic,
    )  # fmt: skip
    return lecture


@transaction.atomic
def register(
    *, lecture: Lecture, resident: Resident, actor: User | None = None,
    link: HouseholdLink | None = None,
) -> LectureRegistration:  # fmt: skip
    """A resident's place at a lecture: by a worker who may act for them (for a support group:
    who may screen them), or from their own household's link. Once per person (registering
    again returns the place they have); refused when the lecture is over or full."""
    if actor is not None:
        require(actor, REGISTERED_BY[LectureKind(lecture.kind)], resident)
        source = RegistrationSource.WORKER
    elif link is not None and link.is_active and link.household_id == resident.household_id:
        source = RegistrationSource.PORTAL
    else:
        raise ValidationError({"member": [_("Choose a member of this household.")]})
    locked = Lecture.objects.select_for_update().get(pk=lecture.pk)
    if locked.community_id != resident.community_id:
        raise ValidationError({"lecture": [_("This lecture is for another community.")]})
    if locked.ends_at <= timezone.now():
        raise ValidationError({"lecture": [_("This lecture is over.")]})
    existing = LectureRegistration.objects.filter(lecture=locked, resident=resident).first()
    if existing is not None:
        # A second registration changes nothing, and says nothing: whoever may not see a support
        # group's registrations cannot learn from a refusal that the person is in it.
        return existing
    if LectureRegistration.objects.filter(lecture=locked).count() >= locked.capacity:
        raise ValidationError({"lecture": [_("This lecture is full.")]})
    try:
        with transaction.atomic():
            registration = LectureRegistration.objects.create(
                lecture=locked, resident=resident, source=source
            )
    except IntegrityError as error:
        raise ValidationError({"member": [_("Already registered for this lecture.")]}) from error
    if actor is not None:
        audit_record(
            actor=actor, action=AuditAction.CREATE, target=registration,
            community_id=locked.community_id, fields=["lecture_registration"],
        )  # fmt: skip
    return registration


@transaction.atomic
def attendance_mark(
    *, actor: User, registration: LectureRegistration, attended: bool
) -> LectureRegistration:
    """Whether a registered resident came; only once the lecture has started (it can be
    corrected later). Those who run it: who may announce its kind there, a support group's host."""
    lecture = registration.lecture
    if not lecture_managed(viewer=actor, lecture=lecture):
        require(actor, MANAGED_BY[LectureKind(lecture.kind)], lecture)
    registration = (
        LectureRegistration.objects.select_for_update(of=("self",))
        .select_related("lecture")
        .get(pk=registration.pk)
    )
    if not registration.lecture.has_started:
        raise ValidationError({"attended": [_("Mark attendance once the lecture has started.")]})
    if registration.attended is not attended:
        registration.attended = attended
        registration.save(update_fields=["attended"])
        audit_record(
            actor=actor, action=AuditAction.UPDATE, target=registration,
            community_id=registration.lecture.community_id, fields=["attended"],
        )  # fmt: skip
    return registration


# -- reminders ----------------------------------------------------------------------------------


def send_reminders(
    *, now: dt.datetime | None = None, within: dt.timedelta = REMIND_WITHIN
) -> list[Lecture]:
    """For each lecture or support group starting within `within` that has registrations and no
    reminder yet, a notice to the registered people's households only (household page and SMS),
    sent through `notice_send` as written by its author, who must still be able to announce it.
    A support group's reminder is confidential. Each one is locked and checked again, so two
    runs never remind twice."""
    now = now or timezone.now()
    due = (
        Lecture.objects.filter(
            reminded_at__isnull=True, starts_at__gt=now, starts_at__lte=now + within
        )
        .filter(registrations__isnull=False)
        .distinct()
        .order_by("starts_at", "id")
        .values_list("id", flat=True)
    )
    reminded: list[Lecture] = []
    for lecture_id in list(due):
        try:
            with transaction.atomic():
                lecture = _remind(lecture_id, now=now)
        except (ValidationError, PermissionDenied, Http404) as refused:
            logger.warning("Lecture %s: no reminder sent (%s)", lecture_id, refused)
            continue
        if lecture is not None:
            reminded.append(lecture)
    return reminded


def _remind(lecture_id: int, *, now: dt.datetime) -> Lecture | None:
    lecture = (
        Lecture.objects.select_for_update(of=("self",))  # the author is an outer join
        .filter(pk=lecture_id, reminded_at__isnull=True)
        .select_related("created_by", "community")
        .first()
    )
    if lecture is None:
        return None
    if lecture.created_by is None:
        raise ValidationError(_("The lecture's author is no longer there to send the reminder."))
    households = set(
        LectureRegistration.objects.filter(lecture=lecture).values_list(
            "resident__household_id", flat=True
        )
    )
    prefix = _("Support group reminder: ") if lecture.is_support_group else _("Lecture reminder: ")
    title = prefix + lecture.topic
    if len(title) > MAX_TITLE:
        title = title[: MAX_TITLE - 1] + "…"
    values = {
        "topic": lecture.topic, "speaker": lecture.speaker, "minutes": lecture.minutes,
        "time": timezone.localtime(lecture.starts_at).strftime("%m-%d %H:%M"),
        "joining": lecture.joining,
    }  # fmt: skip
    if lecture.speaker:
        body = _(
            "**%(topic)s** by %(speaker)s starts at %(time)s (%(minutes)d minutes).\n\n"
            "How to join: %(joining)s"
        )
    else:
        body = _(
            "**%(topic)s** starts at %(time)s (%(minutes)d minutes).\n\nHow to join: %(joining)s"
        )
    notice = notice_create(
        actor=lecture.created_by, community=lecture.community, title=title, body=body % values,
        expires_at=lecture.ends_at, channels=[channel.value for channel in REMINDER_CHANNELS],
        confidential=lecture.is_support_group,
    )  # fmt: skip
    notice_send(actor=lecture.created_by, notice=notice, household_ids=households)
    lecture.reminded_at = now
    lecture.reminder = notice
    lecture.save(update_fields=["reminded_at", "reminder", "updated_at"])
    return lecture
