"""Versioned control policy: rule sets of category rules (measures, days, test days) and zone rules.

Policy is data (DESIGN.md rule 4): every duration, test day and zone threshold lives in these rows,
never in code. A rule set is edited as a draft and frozen once published; the published set with
the latest `effective_from` on a date is the one in force on that date.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from frontline.places.models import TimeStamped
from frontline.policy.rules import PhaseProblem, PhaseSpec, phase_problems


class RuleSetStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class Category(models.TextChoices):
    CONFIRMED_CASE = "confirmed_case", _("Confirmed case")
    CLOSE_CONTACT = "close_contact", _("Close contact")
    CONTACT_OF_CONTACT = "contact_of_contact", _("Contact of a close contact")
    ARRIVAL_HIGH_RISK = "arrival_high_risk", _("Arrival from a high-risk area")
    ARRIVAL_MEDIUM_RISK = "arrival_medium_risk", _("Arrival from a medium-risk area")
    ARRIVAL_LOW_RISK = "arrival_low_risk", _("Arrival from a low-risk area")
    INBOUND_TRAVELLER = "inbound_traveller", _("Inbound traveller")


class Measure(models.TextChoices):
    CENTRALISED_ISOLATION = "centralised_isolation", _("Centralised isolation")
    HOME_ISOLATION = "home_isolation", _("Home isolation")
    HOME_HEALTH_MONITORING = "home_health_monitoring", _("Home health monitoring")
    NONE = "none", _("No measure")


class ZoneLevel(models.TextChoices):
    HIGH = "high", _("High-risk area")
    MEDIUM = "medium", _("Medium-risk area")
    LOW = "low", _("Low-risk area")
    SEALED = "sealed", _("Sealed zone")
    CONTROLLED = "controlled", _("Controlled zone")
    PRECAUTION = "precaution", _("Precaution zone")


class RuleSet(TimeStamped):
    """One version of the control policy, e.g. the 9th edition plan from 2022-06-28."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    preset = models.CharField(
        _("preset"),
        max_length=30,
        blank=True,
        help_text=_("Key of the shipped preset this row was loaded from; empty for copies."),
    )
    effective_from = models.DateField(
        _("effective from"),
        null=True,
        blank=True,
        help_text=_("Set when the rule set is published."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=RuleSetStatus, default=RuleSetStatus.DRAFT
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    copied_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="copies",
        verbose_name=_("copied from"),
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = [F("effective_from").desc(nulls_first=True), "name"]
        verbose_name = _("rule set")
        verbose_name_plural = _("rule sets")
        constraints = [
            models.CheckConstraint(
                condition=Q(status=RuleSetStatus.DRAFT) | Q(effective_from__isnull=False),
                name="ruleset_published_has_date",
            ),
            # Two published sets on one date would make "the set in force" ambiguous.
            models.UniqueConstraint(
                fields=["effective_from"],
                condition=Q(status=RuleSetStatus.PUBLISHED),
                name="ruleset_one_published_per_date",
            ),
            models.UniqueConstraint(
                fields=["preset"], condition=~Q(preset=""), name="ruleset_unique_preset"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_published(self) -> bool:
        return self.status == RuleSetStatus.PUBLISHED


class CategoryRule(models.Model):
    """What a rule set does with one category of person: its ordered phases, or nothing."""

    rule_set = models.ForeignKey(
        RuleSet, on_delete=models.CASCADE, related_name="category_rules", verbose_name=_("rule set")
    )
    category = models.CharField(_("category"), max_length=30, choices=Category)
    identified = models.BooleanField(
        _("identified"),
        default=True,
        help_text=_("Whether people in this category are identified and managed at all."),
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["rule_set_id", "category"]
        verbose_name = _("category rule")
        verbose_name_plural = _("category rules")
        constraints = [
            models.UniqueConstraint(
                fields=["rule_set", "category"], name="categoryrule_unique_category"
            )
        ]

    def __str__(self) -> str:
        return str(self.get_category_display())


class Phase(models.Model):
    """One stretch of a measure, e.g. 7 days of centralised isolation with tests on days 1,2,3,5,7."""

    category_rule = models.ForeignKey(
        CategoryRule,
        on_delete=models.CASCADE,
        related_name="phases",
        verbose_name=_("category rule"),
    )
    order = models.PositiveSmallIntegerField(_("order"))
    measure = models.CharField(_("measure"), max_length=30, choices=Measure)
    days = models.PositiveSmallIntegerField(_("days"))
    test_days = models.JSONField(
        _("test days"),
        default=list,
        blank=True,
        help_text=_("Day numbers within the phase (day 1 is its first day) with a test."),
    )

    class Meta:
        ordering = ["category_rule_id", "order"]
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        constraints = [
            models.UniqueConstraint(fields=["category_rule", "order"], name="phase_unique_order")
        ]

    def __str__(self) -> str:
        return _("%(measure)s, %(days)s days") % {
            "measure": self.get_measure_display(),
            "days": self.days,
        }

    def clean(self) -> None:
        test_days = self.test_days if isinstance(self.test_days, list) else [self.test_days]
        problems = phase_problems(PhaseSpec(self.measure, self.days or 0, tuple(test_days)))
        if any(problem is PhaseProblem.DAYS_TOO_FEW for problem, _value in problems):
            raise ValidationError({"days": _("A phase lasts at least 1 day.")})
        if problems:
            raise ValidationError(
                {
                    "test_days": _(
                        "Test days are whole numbers from 1 to the phase's days, each once."
                    )
                }
            )


class ZoneRule(models.Model):
    """A zone level of a rule set and how it steps down (or is lifted)."""

    rule_set = models.ForeignKey(
        RuleSet, on_delete=models.CASCADE, related_name="zone_rules", verbose_name=_("rule set")
    )
    level = models.CharField(_("level"), max_length=20, choices=ZoneLevel)
    designated = models.BooleanField(
        _("designated at this level"),
        default=True,
        help_text=_(
            "Whether the rule is for zones designated at this level directly; "
            "unticked for zones that stepped down to it from a higher level."
        ),
    )
    days_without_case = models.PositiveSmallIntegerField(
        _("days without a new case"),
        null=True,
        blank=True,
        help_text=_("Days with no new case before the zone steps down; empty if it never does."),
    )
    next_level = models.CharField(
        _("next level"),
        max_length=20,
        choices=ZoneLevel,
        blank=True,
        help_text=_("The level it steps down to; empty when stepping down lifts the zone."),
    )
    contacts_cleared_days = models.PositiveSmallIntegerField(
        _("days since the last close contact's exposure"),
        null=True,
        blank=True,
        help_text=_(
            "Lifting also needs the last close contact to be more than this many days past "
            "exposure and negative; empty when not required."
        ),
    )
    area_test_within_days = models.PositiveSmallIntegerField(
        _("area-wide negative test round within days"),
        null=True,
        blank=True,
        help_text=_(
            "Lifting also needs an all-negative area-wide test round within this many days "
            "before lifting; empty when not required."
        ),
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["rule_set_id", "level", "-designated"]
        verbose_name = _("zone rule")
        verbose_name_plural = _("zone rules")
        constraints = [
            models.UniqueConstraint(
                fields=["rule_set", "level", "designated"], name="zonerule_unique_level"
            )
        ]

    def __str__(self) -> str:
        return str(self.get_level_display())
