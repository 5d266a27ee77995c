"""Writes to the control policy: copy a rule set as a draft, edit the draft, publish it (which
freezes it). Only superusers and holders of the edit-policy permission (community admins and
sub-district officers) change policy; every write is audited."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from frontline.accounts.access import Permission, has_permission
from frontline.accounts.models import User
from frontline.core.audit import audit_record
from frontline.core.models import AuditAction
from frontline.policy.models import (
    Category,
    CategoryRule,
    Measure,
    Phase,
    RuleSet,
    RuleSetStatus,
    ZoneLevel,
    ZoneRule,
)
from frontline.policy.rules import PhaseProblem, PhaseSpec, phase_problems
from frontline.policy.selectors import phase_specs

NAME_MAX_LENGTH = RuleSet._meta.get_field("name").max_length or 100

Problems = dict[str, list[str]]


def may_edit_policy(actor: User) -> bool:
    """Policy is the same for every community, so no scope applies: only the permission counts."""
    if not actor.is_authenticated or not actor.is_active:
        return False
    return actor.is_superuser or has_permission(actor, Permission.EDIT_POLICY)


def _require_policy_admin(actor: User) -> None:
    if not may_edit_policy(actor):
        raise PermissionDenied


def _frozen_error() -> ValidationError:
    return ValidationError(
        {
            "status": [
                _(
                    "This rule set is published and can no longer be changed; "
                    "copy it to make a new version."
                )
            ]
        }
    )


def _lock_draft(rule_set: RuleSet) -> RuleSet:
    locked = RuleSet.objects.select_for_update().get(pk=rule_set.pk)
    if locked.status != RuleSetStatus.DRAFT:
        raise _frozen_error()
    return locked


def _name_problems(name: str) -> list[str]:
    if not name:
        return [_("Give the rule set a name.")]
    if len(name) > NAME_MAX_LENGTH:
        return [_("The name can have at most %(limit)d characters.") % {"limit": NAME_MAX_LENGTH}]
    if RuleSet.objects.filter(name=name).exists():
        return [_("A rule set with this name already exists.")]
    return []


def _phase_messages(category_label: str, order: int, phase: PhaseSpec) -> list[str]:
    messages = []
    if phase.measure not in Measure.values:
        messages.append(
            _("%(category)s, phase %(order)s: %(measure)s is not a known measure.")
            % {"category": category_label, "order": order, "measure": phase.measure}
        )
    for problem, value in phase_problems(phase):
        values = {"category": category_label, "order": order, "day": value, "days": phase.days}
        if problem is PhaseProblem.DAYS_TOO_FEW:
            messages.append(
                _("%(category)s, phase %(order)s: it must last at least 1 day.") % values
            )
        elif problem is PhaseProblem.TEST_DAY_OUT_OF_RANGE:
            messages.append(
                _("%(category)s, phase %(order)s: test day %(day)s is outside days 1 to %(days)s.")
                % values
            )
        else:
            messages.append(
                _("%(category)s, phase %(order)s: test day %(day)s is listed twice.") % values
            )
    return messages


def phase_field_problems(phase: PhaseSpec) -> Problems:
    """What is wrong with one phase, keyed by its fields (`measure`, `days`, `test_days`), for a
    form that shows each message beside its field. The same checks as publishing makes."""
    problems: Problems = {}
    if phase.measure not in Measure.values:
        problems.setdefault("measure", []).append(_("Choose a known measure."))
    for problem, value in phase_problems(phase):
        if problem is PhaseProblem.DAYS_TOO_FEW:
            problems.setdefault("days", []).append(_("A phase lasts at least 1 day."))
        elif problem is PhaseProblem.TEST_DAY_OUT_OF_RANGE:
            problems.setdefault("test_days", []).append(
                _("Test day %(day)s is outside days 1 to %(days)s.")
                % {"day": value, "days": phase.days}
            )
        else:
            problems.setdefault("test_days", []).append(
                _("Test day %(day)s is listed twice.") % {"day": value}
            )
    return problems


def _category_label(category: str) -> str:
    return str(Category(category).label) if category in Category.values else category


def _category_problems(
    *, category: str, identified: bool, phases: Sequence[PhaseSpec], orders: Sequence[int]
) -> Problems:
    label = _category_label(category)
    problems: Problems = {}
    if category not in Category.values:
        problems.setdefault("category_rules", []).append(
            _("%(category)s is not a known category.") % {"category": category}
        )
    if identified and not phases:
        problems.setdefault("category_rules", []).append(
            _("%(category)s is identified but has no phases.") % {"category": label}
        )
    if not identified and phases:
        problems.setdefault("category_rules", []).append(
            _("%(category)s is not identified but has phases.") % {"category": label}
        )
    for order, phase in zip(orders, phases, strict=True):
        messages = _phase_messages(label, order, phase)
        if messages:
            problems.setdefault("phases", []).extend(messages)
    return problems


def _merge(into: Problems, more: Problems) -> None:
    for field, messages in more.items():
        into.setdefault(field, []).extend(messages)


def _level_label(level: str) -> str:
    return str(ZoneLevel(level).label) if level in ZoneLevel.values else level


def _zone_problems(zone_rules: Sequence[ZoneRule]) -> Problems:
    messages: list[str] = []
    levels = {zone.level for zone in zone_rules}
    seen: set[tuple[str, bool]] = set()
    for zone in zone_rules:
        values = {"level": _level_label(zone.level), "next": _level_label(zone.next_level)}
        if zone.level not in ZoneLevel.values:
            messages.append(_("%(level)s is not a known zone level.") % values)
        if zone.next_level and zone.next_level not in ZoneLevel.values:
            messages.append(_("%(next)s is not a known zone level.") % values)
        if (zone.level, zone.designated) in seen:
            messages.append(_("%(level)s has more than one rule of the same kind.") % values)
        seen.add((zone.level, zone.designated))
        if zone.next_level:
            if zone.next_level == zone.level:
                messages.append(_("%(level)s cannot step down to itself.") % values)
            elif zone.next_level not in levels:
                messages.append(
                    _("%(level)s steps down to %(next)s, which this rule set does not define.")
                    % values
                )
        if zone.next_level and not zone.days_without_case:
            messages.append(
                _("%(level)s needs at least 1 day without a new case before it steps down.")
                % values
            )
    return {"zone_rules": messages} if messages else {}


def rule_set_problems(rule_set: RuleSet) -> Problems:
    """Everything that stops a rule set from being published, as messages per field."""
    problems: Problems = {}
    rules = list(rule_set.category_rules.prefetch_related("phases"))
    counts = Counter(rule.category for rule in rules)
    for category, count in counts.items():
        if count > 1:
            problems.setdefault("category_rules", []).append(
                _("%(category)s has more than one rule.") % {"category": _category_label(category)}
            )
    for rule in rules:
        ordered = sorted(rule.phases.all(), key=lambda phase: phase.order)
        _merge(
            problems,
            _category_problems(
                category=rule.category,
                identified=rule.identified,
                phases=phase_specs(rule),
                orders=[phase.order for phase in ordered],
            ),
        )
    _merge(problems, _zone_problems(list(rule_set.zone_rules.all())))
    return problems


@transaction.atomic
def rule_set_copy(*, actor: User, source: RuleSet, name: str) -> RuleSet:
    """A draft copy of `source` with all its category, phase and zone rules, to edit and publish."""
    _require_policy_admin(actor)
    name = name.strip()
    problems = _name_problems(name)
    if problems:
        raise ValidationError({"name": problems})
    try:
        with transaction.atomic():
            copy = RuleSet.objects.create(name=name, copied_from=source, notes=source.notes)
    except IntegrityError as error:  # a concurrent copy under the same name
        raise ValidationError({"name": [_("A rule set with this name already exists.")]}) from error
    for rule in source.category_rules.prefetch_related("phases"):
        rule_copy = CategoryRule.objects.create(
            rule_set=copy, category=rule.category, identified=rule.identified, notes=rule.notes
        )
        Phase.objects.bulk_create(
            [
                Phase(
                    category_rule=rule_copy,
                    order=phase.order,
                    measure=phase.measure,
                    days=phase.days,
                    test_days=list(phase.test_days),
                )
                for phase in rule.phases.all()
            ]
        )
    ZoneRule.objects.bulk_create(
        [
            ZoneRule(
                rule_set=copy,
                level=zone.level,
                designated=zone.designated,
                days_without_case=zone.days_without_case,
                next_level=zone.next_level,
                contacts_cleared_days=zone.contacts_cleared_days,
                area_test_within_days=zone.area_test_within_days,
                notes=zone.notes,
            )
            for zone in source.zone_rules.all()
        ]
    )
    audit_record(
        actor=actor, action=AuditAction.CREATE, target=copy, label=copy.name,
        details={"copied_from": source.pk},
    )  # fmt: skip
    return copy


@transaction.atomic
def category_rule_put(
    *,
    actor: User,
    rule_set: RuleSet,
    category: Category | str,
    identified: bool,
    phases: Sequence[PhaseSpec] = (),
    notes: str = "",
) -> CategoryRule:
    """Set what a draft rule set does with one category, replacing its phases."""
    _require_policy_admin(actor)
    rule_set = _lock_draft(rule_set)
    phases = list(phases)
    problems = _category_problems(
        category=str(category),
        identified=identified,
        phases=phases,
        orders=range(1, len(phases) + 1),
    )
    if problems:
        raise ValidationError(problems)
    rule, _created = CategoryRule.objects.update_or_create(
        rule_set=rule_set,
        category=category,
        defaults={"identified": identified, "notes": notes},
    )
    rule.phases.all().delete()
    Phase.objects.bulk_create(
        [
            Phase(
                category_rule=rule,
                order=order,
                measure=phase.measure,
                days=phase.days,
                test_days=sorted(phase.test_days),
            )
            for order, phase in enumerate(phases, start=1)
        ]
    )
    rule_set.save(update_fields=["updated_at"])
    audit_record(
        actor=actor, action=AuditAction.UPDATE, target=rule_set, label=rule_set.name,
        fields=["category_rules"], details={"category": str(category)},
    )  # fmt: skip
    return rule


@transaction.atomic
def rule_set_publish(*, actor: User, rule_set: RuleSet, effective_from: date) -> RuleSet:
    """Publish a draft to take effect on `effective_from`; a published set is frozen.

    Every problem is reported at once, keyed by field: `status`, `effective_from`,
    `category_rules`, `phases`, `zone_rules`.
    """
    _require_policy_admin(actor)
    rule_set = RuleSet.objects.select_for_update().get(pk=rule_set.pk)
    if rule_set.status != RuleSetStatus.DRAFT:
        raise _frozen_error()
    problems = rule_set_problems(rule_set)
    clash = (
        RuleSet.objects.filter(status=RuleSetStatus.PUBLISHED, effective_from=effective_from)
        .exclude(pk=rule_set.pk)
        .first()
    )
    if clash is not None:
        problems.setdefault("effective_from", []).append(
            _("%(name)s already takes effect on %(date)s; choose another date.")
            % {"name": clash.name, "date": effective_from.isoformat()}
        )
    if problems:
        raise ValidationError(problems)
    rule_set.status = RuleSetStatus.PUBLISHED
    rule_set.effective_from = effective_from
    rule_set.published_at = timezone.now()
    try:
        with transaction.atomic():
            rule_set.save(update_fields=["status", "effective_from", "published_at", "updated_at"])
    except IntegrityError as error:  # another set published on the same date meanwhile
        raise ValidationError(
            {"effective_from": [_("Another rule set already takes effect on this date.")]}
        ) from error
    audit_record(
        actor=actor, action=AuditAction.UPDATE, target=rule_set, label=rule_set.name,
        fields=["status", "effective_from"],
        details={"effective_from": effective_from.isoformat()},
    )  # fmt: skip
    return rule_set


@dataclass(frozen=True)
class ZoneRuleSpec:
    """A zone rule as an editor states it."""

    level: str
    designated: bool = True
    days_without_case: int | None = None
    next_level: str = ""
    contacts_cleared_days: int | None = None
    area_test_within_days: int | None = None
    notes: str = ""


@transaction.atomic
def zone_rules_put(
    *, actor: User, rule_set: RuleSet, zone_rules: Sequence[ZoneRuleSpec]
) -> list[ZoneRule]:
    """Replace a draft's zone rules with `zone_rules`, all or nothing.

    Every problem is reported at once under `zone_rules`, with the same checks publishing makes.
    """
    _require_policy_admin(actor)
    rule_set = _lock_draft(rule_set)
    rows = [
        ZoneRule(
            rule_set=rule_set,
            level=spec.level,
            designated=spec.designated,
            days_without_case=spec.days_without_case,
            next_level=spec.next_level,
            contacts_cleared_days=spec.contacts_cleared_days,
            area_test_within_days=spec.area_test_within_days,
            notes=spec.notes,
        )
        for spec in zone_rules
    ]
    problems = _zone_problems(rows)
    if problems:
        raise ValidationError(problems)
    rule_set.zone_rules.all().delete()
    created = ZoneRule.objects.bulk_create(rows)
    rule_set.save(update_fields=["updated_at"])
    audit_record(
        actor=actor, action=AuditAction.UPDATE, target=rule_set, label=rule_set.name,
        fields=["zone_rules"], details={"zone_rules": len(rows)},
    )  # fmt: skip
    return created
