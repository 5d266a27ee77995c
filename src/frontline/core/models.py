"""The append-only audit log: reveals, exports and every change to people and places."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from frontline.core.labels import field_label


class AuditAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Updated")
    DELETE = "delete", _("Deleted")
    REVEAL = "reveal", _("Revealed")
    EXPORT = "export", _("Exported")


class AppendOnlyQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: Any) -> int:
        raise TypeError(f"{self.model._meta.verbose_name_plural} cannot be changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError(f"{self.model._meta.verbose_name_plural} cannot be deleted.")


class AppendOnly(models.Model):
    """Rows written once (audit entries, timelines, the stock ledger): no update and no delete
    through the model or its queryset; corrections are new rows."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError(f"{self._meta.verbose_name_plural} cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError(f"{self._meta.verbose_name_plural} cannot be deleted.")


class AuditEntry(AppendOnly):
    scope_paths: ClassVar[dict[str, str | None]] = {"community": "community"}

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("actor"),
    )
    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices)
    # No index: entries are listed by community or time, never by type alone.
    target_type = models.ForeignKey(
        ContentType,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("object type"),
        db_index=False,
    )
    target_id = models.CharField(_("object id"), max_length=64, blank=True)
    target_label = models.CharField(_("object"), max_length=200, blank=True)
    community = models.ForeignKey(
        "places.Community",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("community"),
        db_index=False,  # audit_community_time leads with it
    )
    fields = models.JSONField(_("fields"), default=list, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [models.Index(fields=["community", "-created_at"], name="audit_community_time")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.target_label}"

    @property
    def field_labels(self) -> list[str]:
        """The recorded field names in the reader's language."""
        model = self.target_type.model_class() if self.target_type else None
        return [field_label(model, name) for name in self.fields]
