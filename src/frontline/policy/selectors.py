"""Reads of the control policy. Rule sets are public rules, the same for every community, so the
arithmetic takes no acting user: whoever may act on a person may know the rules that apply to them.
The pages and the API read through `rule_set_list` and `rule_set_get`, which let in anyone who
works with people's health or edits policy; there is no community scope to apply."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import F, QuerySet
from django.http import Http404

from frontline.accounts.access import Permission, has_permission
from frontline.accounts.models import User
from frontline.policy.models import (
    Category,
    CategoryRule,
    RuleSet,
    RuleSetStatus,
    ZoneLevel,
    ZoneRule,
)
from frontline.policy.rules import PhaseSpec, Schedule, build_schedule


def rule_set_in_force(on: date) -> RuleSet | None:
    """The published rule set with the latest effective date on or before `on`."""
    return (
        RuleSet.objects.filter(status=RuleSetStatus.PUBLISHED, effective_from__lte=on)
        .order_by("-effective_from")
        .first()
    )


def phase_specs(category_rule: CategoryRule) -> list[PhaseSpec]:
    """A category rule's phases in order, as the arithmetic takes them."""
    return [
        PhaseSpec(
            measure=phase.measure,
            days=phase.days,
            # a draft edited in the admin may hold any JSON here; publishing reports it
            test_days=tuple(
                phase.test_days if isinstance(phase.test_days, list) else [phase.test_days]
            ),
        )
        for phase in sorted(category_rule.phases.all(), key=lambda phase: phase.order)
    ]


def schedule(*, rule_set: RuleSet, category: Category | str, start: date) -> Schedule:
    """What `rule_set` means for a person of `category` from `start`: dated phases, test dates and
    release date; or an outcome saying the category is not identified, or has no rule, there."""
    category = Category(category)  # ValueError for an unknown category
    rule = (
        CategoryRule.objects.filter(rule_set=rule_set, category=category)
        .prefetch_related("phases")
        .first()
    )
    if rule is None:
        return build_schedule(category=category, start=start, identified=None, phases=())
    return build_schedule(
        category=category, start=start, identified=rule.identified, phases=phase_specs(rule)
    )


def zone_rule_for(*, rule_set: RuleSet, level: str, designated: bool = True) -> ZoneRule | None:
    """The rule for a zone at `level`: designated there directly, or stepped down to it."""
    return ZoneRule.objects.filter(rule_set=rule_set, level=level, designated=designated).first()


def may_read_policy(viewer: User | AnonymousUser) -> bool:
    """Health workers read the rules they apply; policy editors read what they edit."""
    if not viewer.is_authenticated or not viewer.is_active:
        return False
    return (
        viewer.is_superuser
        or has_permission(viewer, Permission.VIEW_HEALTH)
        or has_permission(viewer, Permission.EDIT_POLICY)
    )


def rule_set_list(
    *, viewer: User | AnonymousUser, query: str = "", sort: str = "effective"
) -> QuerySet[RuleSet]:
    """Every rule set whose name contains `query`: by default drafts first, then the newest
    effective date first; `sort="name"` orders by name."""
    if not may_read_policy(viewer):
        raise PermissionDenied
    rule_sets = RuleSet.objects.select_related("copied_from")
    if query.strip():
        rule_sets = rule_sets.filter(name__icontains=query.strip())
    if sort == "name":
        return rule_sets.order_by("name", "pk")
    return rule_sets.order_by(F("effective_from").desc(nulls_first=True), "name", "pk")


def rule_set_get(*, viewer: User | AnonymousUser, pk: int) -> RuleSet:
    """One rule set: 404 when there is no such set, then 403 for a user who may not read policy."""
    rule_set = RuleSet.objects.select_related("copied_from").filter(pk=pk).first()
    if rule_set is None:
        raise Http404
    if not may_read_policy(viewer):
        raise PermissionDenied
    return rule_set


def rule_set_with_rules(rule_set: RuleSet) -> tuple[list[CategoryRule], list[ZoneRule]]:
    """A rule set's category rules (phases prefetched) and zone rules, in two fixed queries."""
    rules = list(
        CategoryRule.objects.filter(rule_set=rule_set).prefetch_related("phases").order_by("pk")
    )
    levels = list(ZoneLevel.values)
    zones = sorted(
        ZoneRule.objects.filter(rule_set=rule_set),
        key=lambda zone: (
            levels.index(zone.level) if zone.level in levels else len(levels),
            not zone.designated,
        ),
    )  # highest level first; a level's designated rule before its stepped-down one
    return rules, zones
