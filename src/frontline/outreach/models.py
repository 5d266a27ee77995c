"""Notices to households: what was said to whom, through which channels, and who has read it.

A `Notice` is composed as a draft and sent once by `services.notice_send`, which writes one
`NoticeRecipient` per targeted household (the acknowledgement and door-to-door record) and one
`Delivery` per message a channel must carry; the deliveries are sent in the background.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import ClassVar

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from frontline.core.files import PrivateStorage
from frontline.places.models import Building, Community, Grid, Household, TimeStamped


class ChannelName(models.TextChoices):
    PORTAL = "portal", _("Household page")
    SMS = "sms", _("SMS")
    WECOM = "wecom", _("WeCom group robot")
    EMAIL = "email", _("E-mail")


class NoticeStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("notice", "Draft")
    SENT = "sent", pgettext_lazy("notice", "Sent")


class Notice(TimeStamped):
    scope_paths: ClassVar[dict[str, str | None]] = {"community": "community"}

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(
        _("text"),
        help_text=_("A blank line starts a paragraph, “- ” a list item, **two stars** bold."),
    )
    expires_at = models.DateTimeField(_("expires"))
    # No grid and no building: the whole community.
    grids = models.ManyToManyField(Grid, blank=True, related_name="+", verbose_name=_("grids"))
    buildings = models.ManyToManyField(
        Building, blank=True, related_name="+", verbose_name=_("buildings")
    )
    # A household is reached when one present member carries every one of these tags.
    tags = models.JSONField(_("vulnerability tags"), default=list, blank=True)
    channels = models.JSONField(_("channels"), default=list)
    status = models.CharField(
        _("status"), max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("written by"),
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("sent by"),
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    household_count = models.PositiveIntegerField(_("households"), default=0)
    # A support group's reminder: only its households and those who manage care see it.
    confidential = models.BooleanField(_("confidential"), default=False, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        indexes = [models.Index(fields=["community", "-created_at"], name="notice_list")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def channel_labels(self) -> list[str]:
        return [str(ChannelName(name).label) for name in ChannelName if name in self.channels]


def attachment_storage() -> FileSystemStorage:
    """Notice attachments: served to the workers who may see the notice and to its households."""
    return PrivateStorage("outreach/attachments")


def attachment_path(instance: NoticeAttachment, filename: str) -> str:
    """A name of our own on disk (the uploaded name is kept in the row for the download)."""
    return f"{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class NoticeAttachment(models.Model):
    """A file a notice carries (a PDF, a picture): added or removed only while it is a draft."""

    scope_paths: ClassVar[dict[str, str | None]] = {"community": "notice__community"}

    notice = models.ForeignKey(
        Notice, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("notice")
    )
    file = models.FileField(_("file"), storage=attachment_storage, upload_to=attachment_path)
    name = models.CharField(_("file name"), max_length=100)
    content_type = models.CharField(_("file type"), max_length=50)
    size = models.PositiveIntegerField(_("size in bytes"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("added by"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        ordering = ["notice_id", "id"]
        verbose_name = _("notice attachment")
        verbose_name_plural = _("notice attachments")

    def __str__(self) -> str:
        return self.name


class AcknowledgedVia(models.TextChoices):
    PORTAL = "portal", _("Household page")
    WORKER = "worker", _("Worker at the door")


class NoticeRecipient(models.Model):
    """One targeted household of a sent notice: read or not, and its door-to-door task."""

    scope_paths: ClassVar[dict[str, str | None]] = {
        "community": "community",
        "building": "building",
    }

    notice = models.ForeignKey(
        Notice, on_delete=models.CASCADE, related_name="recipients", verbose_name=_("notice")
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="+", verbose_name=_("household")
    )
    # Denormalised from the household when the notice is sent, for scope and the report.
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="+", verbose_name=_("building")
    )
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    acknowledged_at = models.DateTimeField(_("read at"), null=True, blank=True)
    acknowledged_via = models.CharField(
        _("read through"), max_length=10, choices=AcknowledgedVia.choices, blank=True
    )
    # The worker who recorded that the household was told at the door.
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("recorded by"),
    )  # fmt: skip
    # Set once: the door-to-door task for a household the notice did not reach.
    task = models.ForeignKey(
        "tasks.Task",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("door-to-door task"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["notice_id", "building_id", "household_id"]
        verbose_name = _("notice recipient")
        verbose_name_plural = _("notice recipients")
        constraints = [
            models.UniqueConstraint(
                fields=["notice", "household"], name="notice_recipient_unique_household"
            )
        ]
        indexes = [
            models.Index(fields=["notice", "building", "acknowledged_at"], name="notice_ack"),
            models.Index(fields=["household", "notice"], name="notice_recipient_household"),
        ]

    def __str__(self) -> str:
        return f"{self.notice_id}/{self.household_id}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    SENDING = "sending", _("Sending")
    RETRYING = "retrying", _("Failed, will retry")
    SENT = "sent", pgettext_lazy("delivery", "Sent")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired before sending")


DUE_STATUSES = (DeliveryStatus.PENDING, DeliveryStatus.RETRYING)


class Delivery(models.Model):
    """One message a channel carries: an SMS to one household, a post to one WeCom group, an
    e-mail to one configured address. Attempts and the last error stay for the notice's page."""

    scope_paths: ClassVar[dict[str, str | None]] = {"community": "community"}

    notice = models.ForeignKey(
        Notice, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("notice")
    )
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    channel = models.CharField(_("channel"), max_length=10, choices=ChannelName.choices)
    # SMS: the household (its phone is read when sending); the others: the address itself.
    recipient = models.ForeignKey(
        NoticeRecipient,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("household"),
    )
    address = models.CharField(_("address"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    # None: as soon as possible.
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # Which sending run holds the row, so two workers never send the same message.
    claim = models.CharField(max_length=32, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["notice_id", "channel", "id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=["pending", "retrying", "sending"]),
                name="delivery_due",
            ),
            models.Index(fields=["community", "channel", "last_attempt_at"], name="delivery_rate"),
            models.Index(fields=["notice", "channel", "status"], name="delivery_summary"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} #{self.pk}"


class OutreachSettings(TimeStamped):
    """Where a community's notices go besides households: e-mail addresses and its WeCom group."""

    scope_paths: ClassVar[dict[str, str | None]] = {"community": "community"}

    community = models.OneToOneField(
        Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    email_addresses = models.TextField(
        _("e-mail addresses"), blank=True, help_text=_("One address a line.")
    )

    class Meta:
        ordering = ["community_id"]
        verbose_name = _("notice settings")
        verbose_name_plural = _("notice settings")

    def __str__(self) -> str:
        return str(self.community_id)

    @property
    def email_list(self) -> list[str]:
        return [line.strip() for line in self.email_addresses.splitlines() if line.strip()]


class WecomRobot(TimeStamped):
    """A WeCom group robot's webhook: the community's group (no grid) or one grid's group."""

    scope_paths: ClassVar[dict[str, str | None]] = {"community": "community"}

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    grid = models.ForeignKey(
        Grid, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
        verbose_name=_("grid"),
    )  # fmt: skip
    webhook_url = models.URLField(_("webhook URL"), max_length=500)

    class Meta:
        ordering = ["community_id", "grid_id"]
        verbose_name = _("WeCom group robot")
        verbose_name_plural = _("WeCom group robots")
        constraints = [
            models.UniqueConstraint(
                fields=["community"], condition=Q(grid__isnull=True),
                name="wecom_robot_unique_community",
            ),
            models.UniqueConstraint(
                fields=["grid"], condition=Q(grid__isnull=False), name="wecom_robot_unique_grid"
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return str(self.grid_id or self.community_id)


class LectureKind(models.TextChoices):
    LECTURE = "lecture", _("Lecture")
    SUPPORT_GROUP = "support_group", _("Support group")


class Lecture(TimeStamped):
    """An online or in-person talk for residents, e.g. a partner hospital's doctor on caring
    for an elderly relative at home, or a support group a counsellor leads (e.g. "anxiety in
    lockdown"). Residents register from the household page or through a worker; a reminder
    notice goes to the registered households shortly before it starts. Who registered for a
    support group is sensitive: only those who manage care and its host see the names."""

    scope_paths: ClassVar[dict[str, str | None]] = {"community": "community", "building": None}

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=LectureKind.choices, default=LectureKind.LECTURE
    )
    topic = models.CharField(_("topic"), max_length=100)
    # A lecture always names one; a support group may leave it to its host.
    speaker = models.CharField(
        _("speaker"), max_length=100, blank=True,
        help_text=_("A person or an organisation, e.g. a hospital."),
    )  # fmt: skip
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("host"),
        help_text=_("The counsellor who leads a support group."),
    )  # fmt: skip
    starts_at = models.DateTimeField(_("starts at"))
    minutes = models.PositiveSmallIntegerField(_("length in minutes"), default=60)
    joining = models.CharField(
        _("how to join"), max_length=200, help_text=_("A meeting link or number, or a room.")
    )
    capacity = models.PositiveIntegerField(_("places"), default=100)
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("created by"),
    )  # fmt: skip
    # Set once, when the reminder notice to the registered households was sent.
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    reminder = models.ForeignKey(
        Notice, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("reminder notice"),
    )  # fmt: skip

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("lecture")
        verbose_name_plural = _("lectures")
        indexes = [
            models.Index(fields=["community", "starts_at"], name="lecture_upcoming"),
            models.Index(
                fields=["starts_at"], condition=Q(reminded_at__isnull=True), name="lecture_remind"
            ),
        ]

    def __str__(self) -> str:
        return self.topic

    @property
    def is_support_group(self) -> bool:
        return self.kind == LectureKind.SUPPORT_GROUP

    @property
    def ends_at(self) -> dt.datetime:
        return self.starts_at + dt.timedelta(minutes=self.minutes)

    @property
    def has_started(self) -> bool:
        return self.starts_at <= timezone.now()


class RegistrationSource(models.TextChoices):
    PORTAL = "portal", _("Household page")
    WORKER = "worker", _("By a worker")


class LectureRegistration(models.Model):
    """A resident's place at a lecture, and whether they came (unknown until marked)."""

    scope_paths: ClassVar[dict[str, str | None]] = {
        "community": "lecture__community",
        "building": "resident__building",
    }

    lecture = models.ForeignKey(
        Lecture, on_delete=models.CASCADE, related_name="registrations", verbose_name=_("lecture")
    )
    resident = models.ForeignKey(
        "residents.Resident", on_delete=models.CASCADE, related_name="+",
        verbose_name=_("resident"),
    )  # fmt: skip
    source = models.CharField(_("source"), max_length=10, choices=RegistrationSource.choices)
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)

    class Meta:
        ordering = ["lecture_id", "created_at", "id"]
        verbose_name = _("lecture registration")
        verbose_name_plural = _("lecture registrations")
        constraints = [
            models.UniqueConstraint(
                fields=["lecture", "resident"], name="lecture_registration_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.lecture_id}:{self.resident_id}"
