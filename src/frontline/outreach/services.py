"""Writes of the notices: compose, send (targeting and queueing in bulk), deliver through the
channels with retries and the SMS rate limit, acknowledge from the household page or record a
household told at the door, turn the households not reached into door-to-door tasks, and each
community's channel settings.
Typed, keyword-only; scope checked with `require`; follow-up work through `task_create`.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.db.models import Count, Exists, F, Min, OuterRef, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from frontline.accounts.access import Permission, require, scoped
from frontline.accounts.models import User
from frontline.core.audit import audit_record
from frontline.core.bulk import RowWriter, allocate_ids
from frontline.core.models import AuditAction
from frontline.health.links import CHECKING_IN
from frontline.health.models import HouseholdLink
from frontline.outreach.channels import ChannelError, Message, channel_for, sms
from frontline.outreach.formatting import to_plain
from frontline.outreach.models import (
    DUE_STATUSES,
    AcknowledgedVia,
    ChannelName,
    Delivery,
    DeliveryStatus,
    Notice,
    NoticeRecipient,
    NoticeStatus,
    OutreachSettings,
    WecomRobot,
)
from frontline.outreach.selectors import not_reached_since, target_households
from frontline.places.models import Building, Community, Grid
from frontline.residents.models import Resident, Tag
from frontline.tasks.models import Task, TaskPriority, TaskStatus
from frontline.tasks.services import task_create, task_follow

logger = logging.getLogger(__name__)

MAX_TITLE = 100
MAX_BODY = 5000
MAX_ATTEMPTS = 5
SEND_BATCH = 500
# A run that died while sending leaves its rows "sending"; after this they are due again.
STALE_SENDING = dt.timedelta(minutes=10)
RATE_WINDOW = dt.timedelta(minutes=1)
MAX_HOURS = 24 * 30
# The channels that reach one household and nobody else.
PRIVATE_CHANNELS = {ChannelName.PORTAL.value, ChannelName.SMS.value}


def _writer_permission(confidential: bool) -> Permission:
    return Permission.MANAGE_CARE if confidential else Permission.SEND_NOTICES


# -- composing ----------------------------------------------------------------------------------


@transaction.atomic
def notice_create(
    *,
    actor: User,
    community: Community,
    title: str,
    body: str,
    expires_at: dt.datetime | None,
    channels: Sequence[str],
    grid_ids: Sequence[int] = (),
    building_ids: Sequence[int] = (),
    tags: Sequence[str] = (),
    confidential: bool = False,
) -> Notice:
    """A draft notice: its text, expiry, targeting (grids and buildings of the community, none
    for all of it; vulnerability tags a member must all carry) and channels. A confidential
    notice (a support group's reminder) is written by those who manage care, goes only to the
    households it is sent to (their page and SMS: never a group robot or an e-mail list) and is
    seen by no worker who does not manage care."""
    require(actor, _writer_permission(confidential), community)
    errors: dict[str, list[str]] = {}
    title = title.strip()
    body = body.strip()
    if not title or len(title) > MAX_TITLE:
        errors["title"] = [_("Enter a title of at most %(n)d characters.") % {"n": MAX_TITLE}]
    if not body or len(body) > MAX_BODY:
        errors["body"] = [_("Enter a text of at most %(n)d characters.") % {"n": MAX_BODY}]
    if expires_at is None or timezone.is_naive(expires_at):
        errors["expires_at"] = [_("Enter when the notice expires.")]
    elif expires_at <= timezone.now():
        errors["expires_at"] = [_("The expiry must be in the future.")]
    chosen_channels = [name.value for name in ChannelName if name.value in set(channels)]
    if not chosen_channels or len(chosen_channels) != len(set(channels)):
        errors["channels"] = [_("Choose at least one channel from the list.")]
    elif confidential and not set(chosen_channels) <= PRIVATE_CHANNELS:
        errors["channels"] = [_("A confidential notice goes only by the household page and SMS.")]
    grid_ids, building_ids = sorted(set(grid_ids)), sorted(set(building_ids))
    grids = list(Grid.objects.filter(community=community, pk__in=grid_ids))
    if len(grids) != len(grid_ids):
        errors["grids"] = [_("Choose grids of this community.")]
    buildings = list(Building.objects.filter(community=community, pk__in=building_ids))
    if len(buildings) != len(building_ids):
        errors["buildings"] = [_("Choose buildings of this community.")]
    chosen_tags = [tag.value for tag in Tag if tag.value in set(tags)]
    if len(chosen_tags) != len(set(tags)):
        errors["tags"] = [_("Choose vulnerability tags from the list.")]
    if errors:
        raise ValidationError(errors)
    assert expires_at is not None  # checked above
    notice = Notice.objects.create(
        community=community, title=title, body=body, expires_at=expires_at,
        tags=chosen_tags, channels=chosen_channels, created_by=actor, confidential=confidential,
    )  # fmt: skip
    notice.grids.set(grids)
    notice.buildings.set(buildings)
    audit_record(
        actor=actor, action=AuditAction.CREATE, target=notice, community_id=community.pk,
        fields=["notice"],
    )  # fmt: skip
    return notice


def notice_households_count(*, notice: Notice) -> int:
    """How many households the notice would reach if sent now (the draft's preview)."""
    return target_households(
        community=notice.community_id,
        grid_ids=notice.grids.values_list("id", flat=True),
        building_ids=notice.buildings.values_list("id", flat=True),
        tags=notice.tags,
    ).count()


# -- sending ------------------------------------------------------------------------------------


@transaction.atomic
def notice_send(
    *, actor: User, notice: Notice, household_ids: Collection[int] | None = None
) -> Notice:
    """Send a draft: one recipient row per targeted household and one delivery per message,
    written in bulk (a notice to 30k households is a few statements), audited; the deliveries
    go out in the background once the transaction commits. `household_ids` narrows the
    targeting to those households (e.g. the people registered for a lecture); a confidential
    notice needs them."""
    require(actor, _writer_permission(notice.confidential), notice)
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    now = timezone.now()
    if notice.status != NoticeStatus.DRAFT:
        raise ValidationError(_("This notice has already been sent."))
    if notice.confidential and household_ids is None:
        raise ValidationError(_("A confidential notice is sent only to the households it names."))
    if notice.expires_at <= now:
        raise ValidationError({"expires_at": [_("The notice has expired; write a new one.")]})
    member_phone = Resident.objects.filter(
        household_id=OuterRef("pk"), status__in=CHECKING_IN
    ).exclude(phone="")
    targeted = target_households(
        community=notice.community_id,
        grid_ids=notice.grids.values_list("id", flat=True),
        building_ids=notice.buildings.values_list("id", flat=True),
        tags=notice.tags,
    )
    if household_ids is not None:
        targeted = targeted.filter(pk__in=list(household_ids))
    households = list(
        targeted.annotate(member_phone=Exists(member_phone))
        .values_list("id", "unit__building_id", "phone", "member_phone")
        .order_by("id")
    )
    if not households:
        raise ValidationError(_("No household matches this notice's targeting."))
    community_id = notice.community_id
    recipient_ids = allocate_ids(NoticeRecipient, len(households))
    RowWriter(
        NoticeRecipient, ["id", "notice_id", "household_id", "building_id", "community_id"]
    ).write(
        (recipient_id, notice.pk, household_id, building_id, community_id)
        for recipient_id, (household_id, building_id, _phone, _member) in zip(
            recipient_ids, households, strict=True
        )
    )
    deliveries = 0
    for name in notice.channels:
        channel = channel_for(name)
        if channel.per_household:
            deliveries += RowWriter(
                Delivery, ["notice_id", "community_id", "channel", "recipient_id"]
            ).write(
                (notice.pk, community_id, name, recipient_id)
                for recipient_id, (_household, _building, phone, member_phone) in zip(
                    recipient_ids, households, strict=True
                )
                if phone or member_phone
            )
        else:
            deliveries += len(
                Delivery.objects.bulk_create(
                    Delivery(notice=notice, community_id=community_id, channel=name, address=to)
                    for to in dict.fromkeys(channel.destinations(notice))
                )
            )
    notice.status = NoticeStatus.SENT
    notice.sent_at = now
    notice.sent_by = actor
    notice.household_count = len(households)
    notice.save(update_fields=["status", "sent_at", "sent_by", "household_count", "updated_at"])
    audit_record(
        actor=actor, action=AuditAction.UPDATE, target=notice, community_id=community_id,
        fields=["status"],
        details={"households": len(households), "deliveries": deliveries,
                 "channels": list(notice.channels)},
    )  # fmt: skip
    _deliver_after_commit(notice.pk)
    return notice


def _deliver_after_commit(notice_id: int | None) -> None:
    from frontline.outreach.background import deliver_notices

    transaction.on_commit(lambda: deliver_notices.enqueue(notice_id))


@transaction.atomic
def notice_retry(*, actor: User, notice: Notice) -> int:
    """Try the failed deliveries again now (and the waiting retries without waiting)."""
    require(actor, Permission.SEND_NOTICES, notice)
    count = (
        Delivery.objects.filter(notice=notice)
        .filter(Q(status=DeliveryStatus.FAILED) | Q(status=DeliveryStatus.RETRYING))
        .update(status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=None)
    )
    if count:
        _deliver_after_commit(notice.pk)
    return count


# -- delivering ---------------------------------------------------------------------------------


@dataclass
class SendSummary:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    expired: int = 0
    deferred: int = 0  # SMS held back by the rate limit, sent by a later run
    next_due: dt.datetime | None = field(default=None)

    def as_dict(self) -> dict[str, object]:
        return {
            "sent": self.sent, "retrying": self.retrying, "failed": self.failed,
            "expired": self.expired, "deferred": self.deferred,
            "next_due": self.next_due.isoformat() if self.next_due else None,
        }  # fmt: skip


def _due(now: dt.datetime) -> Q:
    waiting = Q(status__in=DUE_STATUSES) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    stale = Q(status=DeliveryStatus.SENDING, last_attempt_at__lt=now - STALE_SENDING)
    return waiting | stale


def retry_delay(attempts: int) -> dt.timedelta:
    """1, 2, 4, 8 minutes after the first, second, third, fourth failure."""
    return dt.timedelta(minutes=2 ** max(0, attempts - 1))


def deliveries_send(*, notice_id: int | None = None, now: dt.datetime | None = None) -> SendSummary:
    """Send every due delivery (of one notice, or all): each channel on its own, so a failing
    one never holds the others back. A failure is retried later (1, 2, 4, 8 minutes) up to
    five attempts, then shown as failed. SMS go out at most `FRONTLINE_SMS_PER_MINUTE` a
    minute per community, counted from the deliveries tried in the last minute (so it holds
    across processes); the rest wait for the next run. Not one transaction: nothing is locked
    while a gateway answers, and each row is claimed before it is sent, so two runs never send
    the same message."""
    now = now or timezone.now()
    summary = SendSummary()
    due = Delivery.objects.filter(_due(now))
    if notice_id is not None:
        due = due.filter(notice_id=notice_id)
    summary.expired = due.filter(
        notice_id__in=Notice.objects.filter(expires_at__lte=now).values("id")
    ).update(status=DeliveryStatus.EXPIRED, claim="")
    ids = list(due.exclude(channel=ChannelName.SMS).order_by("id").values_list("id", flat=True))
    waiting_sms = dict(
        due.filter(channel=ChannelName.SMS)
        .values_list("community_id")
        .order_by()
        .annotate(n=Count("id"))
    )
    if waiting_sms:
        used = dict(
            Delivery.objects.filter(
                channel=ChannelName.SMS, community_id__in=list(waiting_sms),
                last_attempt_at__gt=now - RATE_WINDOW,
            )
            .values_list("community_id")
            .order_by()
            .annotate(n=Count("id"))
        )  # fmt: skip
        limit = sms.per_minute()
        for community_id, waiting in waiting_sms.items():
            budget = max(0, limit - used.get(community_id, 0))
            ids += list(
                due.filter(channel=ChannelName.SMS, community_id=community_id)
                .order_by("id")
                .values_list("id", flat=True)[:budget]
            )
            summary.deferred += max(0, waiting - budget)
    for start in range(0, len(ids), SEND_BATCH):
        _send_batch(ids[start : start + SEND_BATCH], now=now, summary=summary)
    pending = Delivery.objects.filter(status__in=DUE_STATUSES)
    if notice_id is not None:
        pending = pending.filter(notice_id=notice_id)
    if summary.deferred:
        summary.next_due = now + RATE_WINDOW
    later = pending.aggregate(at=Min("next_attempt_at"))["at"]
    if later is not None and (summary.next_due is None or later < summary.next_due):
        summary.next_due = later
    return summary


def _send_batch(ids: list[int], *, now: dt.datetime, summary: SendSummary) -> None:
    claim = uuid.uuid4().hex
    Delivery.objects.filter(pk__in=ids).filter(_due(now)).update(
        status=DeliveryStatus.SENDING, claim=claim, attempts=F("attempts") + 1,
        last_attempt_at=now,
    )  # fmt: skip
    claimed = list(
        Delivery.objects.filter(claim=claim).select_related("notice__community").order_by("id")
    )
    phones = household_phones(
        recipient_ids=[d.recipient_id for d in claimed if d.recipient_id is not None]
    )
    messages: dict[int, Message] = {}
    sent: list[int] = []
    failed: list[tuple[Delivery, str]] = []
    for delivery in claimed:
        notice = delivery.notice
        if notice.pk not in messages:
            messages[notice.pk] = Message(
                title=notice.title, body=notice.body, community=notice.community.name,
                hotline=notice.community.hotline, expires_at=notice.expires_at,
            )  # fmt: skip
        if delivery.recipient_id is not None:
            destination = phones.get(delivery.recipient_id, "")
        else:
            destination = delivery.address
        try:
            channel_for(delivery.channel).send(messages[notice.pk], destination)
        except ChannelError as refused:
            failed.append((delivery, str(refused)))
        except Exception as broken:  # a broken channel must not stop the others
            logger.exception("Notice channel %s failed", delivery.channel)
            failed.append((delivery, f"{type(broken).__name__}: {broken}"))
        else:
            sent.append(delivery.pk)
    Delivery.objects.filter(pk__in=sent).update(
        status=DeliveryStatus.SENT, sent_at=now, last_error="", claim="", next_attempt_at=None
    )
    summary.sent += len(sent)
    for delivery, error in failed:
        gave_up = delivery.attempts >= MAX_ATTEMPTS
        Delivery.objects.filter(pk=delivery.pk, claim=claim).update(
            status=DeliveryStatus.FAILED if gave_up else DeliveryStatus.RETRYING,
            last_error=error[:500], claim="",
            next_attempt_at=None if gave_up else now + retry_delay(delivery.attempts),
        )  # fmt: skip
        if gave_up:
            summary.failed += 1
        else:
            summary.retrying += 1


def household_phones(*, recipient_ids: Iterable[int]) -> dict[int, str]:
    """Per recipient, the number its SMS goes to: the household's phone, else its first present
    member's (two queries for a batch)."""
    rows = list(
        NoticeRecipient.objects.filter(pk__in=list(recipient_ids)).values_list(
            "id", "household_id", "household__phone"
        )
    )
    without = [household_id for _r, household_id, phone in rows if not phone]
    members: dict[int, str] = {}
    for household_id, phone in (
        Resident.objects.filter(household_id__in=without, status__in=CHECKING_IN)
        .exclude(phone="")
        .order_by("household_id", "id")
        .values_list("household_id", "phone")
    ):
        members.setdefault(household_id, phone)
    return {
        recipient_id: phone or members.get(household_id, "")
        for recipient_id, household_id, phone in rows
    }


# -- acknowledging ------------------------------------------------------------------------------


@transaction.atomic
def notice_acknowledge(*, link: HouseholdLink, notice_id: int) -> NoticeRecipient:
    """ "I have read it" from the household page: only for a notice addressed to the link's own
    household (404 otherwise); a second press changes nothing. A door-to-door task made for the
    household meanwhile is finished: the notice has reached it."""
    if not link.is_active:
        raise Http404
    recipient = (
        NoticeRecipient.objects.select_for_update()
        .filter(household_id=link.household_id, notice_id=notice_id)
        .filter(notice__status=NoticeStatus.SENT)
        .first()
    )
    if recipient is None:
        raise Http404
    if recipient.acknowledged_at is None:
        recipient.acknowledged_at = timezone.now()
        recipient.acknowledged_via = AcknowledgedVia.PORTAL
        recipient.save(update_fields=["acknowledged_at", "acknowledged_via"])
        if recipient.task_id is not None:
            task_follow(
                actor=None, task=Task(pk=recipient.task_id), to_status=TaskStatus.DONE,
                note=_("Read on the household page."),
            )  # fmt: skip
    return recipient


@transaction.atomic
def notice_read_at_door(*, actor: User, recipient: NoticeRecipient) -> NoticeRecipient:
    """A worker told the household in person: it counts as read (through a worker, recorded by
    whom), audited, and its door-to-door task, if still open, is finished. For those who send
    notices where the household lives (and may see the notice) and for the owner of its
    door-to-door task. A household that has read it already is left as it was."""
    recipient = (
        NoticeRecipient.objects.select_for_update(of=("self",))
        .select_related("notice", "task", "household__unit__building")
        .get(pk=recipient.pk)
    )
    if recipient.task is None or recipient.task.owner_id != actor.pk:
        require(actor, Permission.SEND_NOTICES, recipient)
        if recipient.notice.confidential:
            require(actor, Permission.MANAGE_CARE, recipient)
    if recipient.acknowledged_at is not None:
        return recipient
    recipient.acknowledged_at = timezone.now()
    recipient.acknowledged_via = AcknowledgedVia.WORKER
    recipient.acknowledged_by = actor
    recipient.save(update_fields=["acknowledged_at", "acknowledged_via", "acknowledged_by"])
    audit_record(
        actor=actor, action=AuditAction.UPDATE, target=recipient,
        label=recipient.household.label, community_id=recipient.community_id,
        fields=["acknowledged_at"], details={"notice": recipient.notice_id, "via": "worker"},
    )  # fmt: skip
    if recipient.task is not None:
        finished = task_follow(
            actor=actor, task=recipient.task, to_status=TaskStatus.DONE,
            note=_("Told at the door."),
        )  # fmt: skip
        recipient.task = finished or recipient.task
    return recipient


# -- door to door -------------------------------------------------------------------------------


def _hours(value: object) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_HOURS:
        raise ValidationError({"hours": [_("Enter a number of hours from 0 to 720.")]})
    return value


@transaction.atomic
def door_to_door_tasks_create(
    *, actor: User, notice: Notice, hours: object, building_id: int | None = None
) -> list[Task]:
    """One door-to-door task per household (in the actor's reach, optionally of one building)
    that has not read the notice `hours` after it was sent; a household gets at most one such
    task per notice, however often this runs."""
    require(actor, Permission.SEND_NOTICES, notice)
    hours = _hours(hours)
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if notice.confidential:
        raise ValidationError(_("A confidential notice never becomes door-to-door work."))
    if not_reached_since(notice, hours) is None:
        raise ValidationError(
            {"hours": [_("Wait until %(hours)d hours after sending.") % {"hours": hours}]}
        )
    recipients = NoticeRecipient.objects.filter(
        scoped(actor, Permission.SEND_NOTICES, NoticeRecipient)
    ).filter(notice=notice, acknowledged_at__isnull=True, task__isnull=True)
    if building_id is not None:
        recipients = recipients.filter(building_id=building_id)
    now = timezone.now()
    due_at = now + dt.timedelta(days=1)
    if notice.expires_at > now:
        due_at = min(due_at, notice.expires_at)
    summary = to_plain(notice.body)
    if len(summary) > 500:
        summary = summary[:499] + "…"
    created: list[Task] = []
    changed: list[NoticeRecipient] = []
    for recipient in recipients.select_related("household__unit__building__community").order_by(
        "building_id", "household_id"
    ):
        recipient.task = task_create(
            title=_("Bring the notice “%(title)s” to %(household)s")
            % {"title": notice.title, "household": recipient.household.label},
            description=_(
                "This household has not read the notice on its page. Tell them in person or "
                "leave a printed copy, then finish the task.\n\n%(text)s"
            )
            % {"text": summary},
            target=recipient.household, source=notice, due_at=due_at,
            priority=TaskPriority.HIGH, actor=actor,
        )  # fmt: skip
        created.append(recipient.task)
        changed.append(recipient)
    NoticeRecipient.objects.bulk_update(changed, ["task"], batch_size=500)
    if created:
        audit_record(
            actor=actor, action=AuditAction.CREATE, target=notice,
            community_id=notice.community_id, fields=["door_to_door_tasks"],
            details={"tasks": len(created), "hours": hours},
        )  # fmt: skip
    return created


# -- channel settings ---------------------------------------------------------------------------


def outreach_settings_for(community_id: int) -> OutreachSettings:
    found = OutreachSettings.objects.filter(community_id=community_id).first()
    return found if found is not None else OutreachSettings(community_id=community_id)


@transaction.atomic
def outreach_settings_update(
    *,
    actor: User,
    community: Community,
    email_addresses: str,
    community_webhook: str,
    grid_webhooks: dict[int, str],
) -> OutreachSettings:
    """The e-mail addresses that receive every notice, and the WeCom robots of the community's
    group and of each grid's group (a blank URL removes one). Those who edit the community."""
    require(actor, Permission.SEND_NOTICES, community)
    require(actor, Permission.EDIT_PLACES, community)
    errors: dict[str, list[str]] = {}
    addresses = [line.strip() for line in email_addresses.splitlines() if line.strip()]
    for address in addresses:
        try:
            validate_email(address)
        except ValidationError:
            errors["email_addresses"] = [
                _("“%(address)s” is not an e-mail address.") % {"address": address}
            ]
            break
    if len(addresses) > 20:
        errors["email_addresses"] = [_("Enter at most 20 addresses.")]
    check_url = URLValidator(schemes=["https", "http"])
    webhooks: dict[int | None, str] = {None: community_webhook.strip()}
    grids = set(Grid.objects.filter(community=community).values_list("id", flat=True))
    for grid_id, url in grid_webhooks.items():
        if grid_id not in grids:
            errors["grids"] = [_("Choose grids of this community.")]
        webhooks[grid_id] = url.strip()
    for target_grid, url in webhooks.items():
        if not url:
            continue
        try:
            check_url(url)
        except ValidationError:
            name = "community_webhook" if target_grid is None else f"grid_{target_grid}"
            errors[name] = [_("Enter the robot's webhook URL (https://…).")]
    if errors:
        raise ValidationError(errors)
    row, _created = OutreachSettings.objects.select_for_update().get_or_create(community=community)
    row.email_addresses = "\n".join(addresses)
    row.save(update_fields=["email_addresses", "updated_at"])
    for target_grid, url in webhooks.items():
        robots = WecomRobot.objects.filter(community=community).filter(
            Q(grid__isnull=True) if target_grid is None else Q(grid_id=target_grid)
        )
        if not url:
            robots.delete()
        elif not robots.update(webhook_url=url, updated_at=timezone.now()):
            WecomRobot.objects.create(community=community, grid_id=target_grid, webhook_url=url)
    audit_record(
        actor=actor, action=AuditAction.UPDATE, target=row, community_id=community.pk,
        fields=["email_addresses", "wecom_robots"],
    )  # fmt: skip
    return row
