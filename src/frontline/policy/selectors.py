"""Reads of the control policy. Rule sets are public rules, the same for every community, so these
take no acting user: whoever may act on a person may know the rules that apply to them."""

from __future__ import annotations

from datetime import date

from frontline.policy.models import Category, CategoryRule, RuleSet, RuleSetStatus, ZoneRule
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
