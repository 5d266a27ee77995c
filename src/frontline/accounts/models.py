"""Users, their roles and the scope each role assignment covers, and API tokens."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SUBDISTRICT_OFFICER = "subdistrict_officer", _("Sub-district officer")
    COMMUNITY_ADMIN = "community_admin", _("Community admin")
    FULL_TIME_WORKER = "full_time_worker", _("Community worker (full-time)")
    PART_TIME_WORKER = "part_time_worker", _("Community worker (part-time)")
    GRID_WORKER = "grid_worker", _("Grid worker")
    VOLUNTEER = "volunteer", _("Volunteer")
    MEDICAL_SAMPLER = "medical_sampler", _("Medical sampler")
    COUNSELLOR = "counsellor", _("Counsellor")
    CARE_SUPERVISOR = "care_supervisor", _("Counselling supervisor")
    LAB = "lab", _("Laboratory")


class User(AbstractUser):
    display_name = models.CharField(_("display name"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username


class RoleAssignment(models.Model):
    """One role over one scope: a sub-district, a community, a grid or a building."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    subdistrict = models.ForeignKey(
        "places.SubDistrict",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        verbose_name=_("sub-district"),
    )
    community = models.ForeignKey(
        "places.Community",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        verbose_name=_("community"),
    )
    grid = models.ForeignKey(
        "places.Grid", null=True, blank=True, on_delete=models.CASCADE, verbose_name=_("grid")
    )
    building = models.ForeignKey(
        "places.Building",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        verbose_name=_("building"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["user_id", "role"]
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.CheckConstraint(
                name="assignment_has_exactly_one_scope",
                condition=(
                    Q(
                        subdistrict__isnull=False,
                        community__isnull=True,
                        grid__isnull=True,
                        building__isnull=True,
                    )
                    | Q(
                        subdistrict__isnull=True,
                        community__isnull=False,
                        grid__isnull=True,
                        building__isnull=True,
                    )
                    | Q(
                        subdistrict__isnull=True,
                        community__isnull=True,
                        grid__isnull=False,
                        building__isnull=True,
                    )
                    | Q(
                        subdistrict__isnull=True,
                        community__isnull=True,
                        grid__isnull=True,
                        building__isnull=False,
                    )
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.scope}"

    @property
    def scope(self) -> object:
        return self.subdistrict or self.community or self.grid or self.building


class ApiToken(models.Model):
    """A bearer token for the API; only its SHA-256 digest is stored."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(_("prefix"), max_length=12, db_index=True)
    digest = models.CharField(_("digest"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
