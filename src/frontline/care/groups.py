"""Group support sessions and sign-ups: a counsellor's online or in-person group, and residents'
places in it, from the household page or by a worker. Full sessions refuse further sign-ups
(the session row is locked while counting)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from frontline.accounts.access import Permission, require, scope_q
from frontline.accounts.models import User
from frontline.care.models import GroupSession, ScreeningSource, SessionSignup
from frontline.core.audit import audit_record
from frontline.core.models import AuditAction
from frontline.health.models import HouseholdLink
from frontline.places.models import Community
from frontline.residents.models import Resident

TITLE_MAX = GroupSession._meta.get_field("title").max_length or 100
JOINING_MAX = GroupSession._meta.get_field("joining").max_length or 200


@transaction.atomic
def session_create(
    *, actor: User, community: Community, title: str, starts_at: dt.datetime | None,
    minutes: int, capacity: int, joining: str, description: str = "",
    counsellor: User | None = None,
) -> GroupSession:  # fmt: skip
    require(actor, Permission.MANAGE_CARE, community)
    errors: dict[str, list[str]] = {}
    if not title.strip() or len(title.strip()) > TITLE_MAX:
        errors["title"] = [_("Give the session a title (at most 100 characters).")]
    if starts_at is None:
        errors["starts_at"] = [_("Enter when the session starts.")]
    elif starts_at < timezone.now():
        errors["starts_at"] = [_("The session must start in the future.")]
    if not 15 <= minutes <= 240:
        errors["minutes"] = [_("A session lasts 15 to 240 minutes.")]
    if not 1 <= capacity <= 500:
        errors["capacity"] = [_("A session has 1 to 500 places.")]
    if not joining.strip() or len(joining.strip()) > JOINING_MAX:
        errors["joining"] = [_("Say how to join: a meeting link or number, or a place.")]
    if errors:
        raise ValidationError(errors)
    assert starts_at is not None
    session = GroupSession.objects.create(
        community=community, title=title.strip(), description=description.strip(),
        counsellor=counsellor, starts_at=starts_at, minutes=minutes, capacity=capacity,
        joining=joining.strip(), created_by=actor,
    )  # fmt: skip
    audit_record(
        actor=actor, action=AuditAction.CREATE, target=session, community_id=community.pk,
        label=session.title,
    )  # fmt: skip
    return session


def upcoming(community_ids: Iterable[int]) -> QuerySet[GroupSession]:
    """Sessions not yet over, soonest first, with their sign-up counts."""
    return (
        GroupSession.objects.filter(community__in=list(community_ids))
        .filter(starts_at__gte=timezone.now() - dt.timedelta(hours=4))
        .annotate(taken=Count("signups"))
        .select_related("counsellor")
        .order_by("starts_at", "id")
    )


def sessions_for(viewer: User) -> QuerySet[GroupSession]:
    """Upcoming sessions of the communities the viewer works in (a grid worker: their grids')."""
    reach = Community.objects.filter(
        scope_q(viewer, Permission.VIEW_CARE, community="pk", grid="grids")
    ).distinct()
    return upcoming(reach.values_list("pk", flat=True))


@transaction.atomic
def signup(
    *, session: GroupSession, resident: Resident, actor: User | None = None,
    link: HouseholdLink | None = None,
) -> SessionSignup:  # fmt: skip
    """Sign a resident up: by a worker who may screen them, or from their household's link."""
    if actor is not None:
        require(actor, Permission.SCREEN_RESIDENTS, resident)
        source = ScreeningSource.WORKER
    elif link is not None and link.household_id == resident.household_id:
        source = ScreeningSource.PORTAL
    else:
        raise ValidationError({"member": [_("Choose a member of this household.")]})
    locked = GroupSession.objects.select_for_update().get(pk=session.pk)
    if locked.community_id != resident.community_id:
        raise ValidationError({"session": [_("This session is for another community.")]})
    if locked.starts_at + dt.timedelta(minutes=locked.minutes) < timezone.now():
        raise ValidationError({"session": [_("This session is over.")]})
    if SessionSignup.objects.filter(session=locked, resident=resident).exists():
        raise ValidationError({"member": [_("Already signed up for this session.")]})
    if SessionSignup.objects.filter(session=locked).count() >= locked.capacity:
        raise ValidationError({"session": [_("This session is full.")]})
    try:
        with transaction.atomic():
            return SessionSignup.objects.create(session=locked, resident=resident, source=source)
    except IntegrityError as error:
        raise ValidationError({"member": [_("Already signed up for this session.")]}) from error
