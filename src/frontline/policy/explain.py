"""A rule set in plain words, and two rule sets side by side. No database access: callers pass
the rows they read (`selectors.rule_set_with_rules`), so a page needs a fixed number of queries.

The sentences are built from the same phase specs the arithmetic in `rules.py` places on the
calendar, so what a worker reads is what a schedule will do.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from frontline.policy.models import Category, CategoryRule, Measure, Phase, ZoneLevel, ZoneRule
from frontline.policy.rules import PhaseSpec, Schedule


def _measure_words(measure: str) -> str:
    """The measure's name as it reads inside a sentence ("home isolation")."""
    label = str(Measure(measure).label) if measure in Measure.values else measure
    return label[:1].lower() + label[1:]


def _numbers(values: Iterable[object]) -> str:
    return _(", ").join(str(value) for value in values)


def phases_sentence(phases: Sequence[PhaseSpec]) -> str:
    """E.g. "7 days of centralised isolation, then 3 days of home health monitoring; tests on
    days 1, 2, 3, 5, 7 of centralised isolation and day 3 of home health monitoring"."""
    stretches = [
        ngettext(
            "%(days)s day of %(measure)s", "%(days)s days of %(measure)s", phase.days
        ) % {"days": phase.days, "measure": _measure_words(phase.measure)}
        for phase in phases
    ]  # fmt: skip
    tests = [
        ngettext(
            "day %(days)s of %(measure)s", "days %(days)s of %(measure)s", len(phase.test_days)
        ) % {"days": _numbers(sorted(phase.test_days)), "measure": _measure_words(phase.measure)}
        for phase in phases
        if phase.test_days
    ]  # fmt: skip
    course = _(", then ").join(stretches)
    if not tests:
        return _("%(course)s; no tests") % {"course": course}
    return _("%(course)s; tests on %(tests)s") % {"course": course, "tests": _(" and ").join(tests)}


def category_sentence(
    category: str, *, identified: bool | None, phases: Sequence[PhaseSpec]
) -> str:
    """What a rule set does with one category, as a resident could be told it."""
    label = str(Category(category).label) if category in Category.values else category
    if identified is None:
        return _("%(category)s: this rule set has no rule.") % {"category": label}
    if not identified:
        return _("%(category)s: not identified or managed.") % {"category": label}
    if not phases:
        return _("%(category)s: no phases yet.") % {"category": label}
    return _("%(category)s: %(phases)s.") % {"category": label, "phases": phases_sentence(phases)}


def _level_words(level: str) -> str:
    label = str(ZoneLevel(level).label) if level in ZoneLevel.values else level
    return label[:1].lower() + label[1:]


def zone_title(zone: ZoneRule) -> str:
    label = str(ZoneLevel(zone.level).label) if zone.level in ZoneLevel.values else zone.level
    if zone.designated:
        return label
    return _("%(level)s (stepped down from a higher level)") % {"level": label}


def zone_sentence(zone: ZoneRule) -> str:
    """E.g. "High-risk area: steps down to medium-risk area after 7 days without a new case."."""
    parts = []
    if zone.next_level and zone.days_without_case:
        parts.append(
            ngettext(
                "steps down to %(next)s after %(days)s day without a new case",
                "steps down to %(next)s after %(days)s days without a new case",
                zone.days_without_case,
            ) % {"next": _level_words(zone.next_level), "days": zone.days_without_case}
        )  # fmt: skip
    elif zone.days_without_case:
        parts.append(
            ngettext(
                "is lifted after %(days)s day without a new case",
                "is lifted after %(days)s days without a new case",
                zone.days_without_case,
            ) % {"days": zone.days_without_case}
        )  # fmt: skip
    else:
        parts.append(_("does not step down"))
    if zone.contacts_cleared_days:
        parts.append(
            _("the last close contact must be more than %(days)s days past exposure and negative")
            % {"days": zone.contacts_cleared_days}
        )
    if zone.area_test_within_days:
        parts.append(
            _("an all-negative area-wide test round is needed within %(days)s days before")
            % {"days": zone.area_test_within_days}
        )
    return _("%(zone)s: %(rules)s.") % {"zone": zone_title(zone), "rules": _("; ").join(parts)}


def specs_of(phases: Iterable[Phase]) -> list[PhaseSpec]:
    """Phase rows (already fetched) in order, as the arithmetic takes them."""
    return [
        PhaseSpec(
            measure=phase.measure,
            days=phase.days,
            test_days=tuple(
                phase.test_days if isinstance(phase.test_days, list) else [phase.test_days]
            ),
        )
        for phase in sorted(phases, key=lambda phase: phase.order)
    ]


@dataclass(frozen=True)
class CategorySummary:
    """One category of a rule set, ready to show."""

    category: str
    label: str
    rule: CategoryRule | None
    phases: list[Phase] = field(default_factory=list)
    specs: list[PhaseSpec] = field(default_factory=list)

    @property
    def identified(self) -> bool | None:
        return None if self.rule is None else self.rule.identified

    @property
    def total_days(self) -> int:
        return sum(spec.days for spec in self.specs)

    @property
    def sentence(self) -> str:
        return category_sentence(self.category, identified=self.identified, phases=self.specs)

    @property
    def content(self) -> tuple[object, ...]:
        """What the rule says, for comparing two rule sets."""
        return (self.identified, tuple(self.specs))


def summarise(rules: Sequence[CategoryRule]) -> list[CategorySummary]:
    """Every category, in the order of `Category`, with the rule for it if there is one."""
    by_category = {rule.category: rule for rule in rules}
    summaries = []
    for category in Category:
        rule = by_category.get(category.value)
        phases = sorted(rule.phases.all(), key=lambda phase: phase.order) if rule else []
        summaries.append(
            CategorySummary(category.value, str(category.label), rule, phases, specs_of(phases))
        )
    return summaries


def _zone_content(zone: ZoneRule | None) -> tuple[object, ...] | None:
    if zone is None:
        return None
    return (
        zone.days_without_case, zone.next_level, zone.contacts_cleared_days,
        zone.area_test_within_days,
    )  # fmt: skip


@dataclass(frozen=True)
class ComparedRow:
    """One line of a side-by-side comparison: what each rule set says, and whether they differ."""

    label: str
    this: str
    other: str
    differs: bool


def _zone_order(key: tuple[str, bool]) -> tuple[int, bool]:
    order = list(ZoneLevel.values)
    level, designated = key
    return (order.index(level) if level in order else len(order), not designated)


def compare(
    this: tuple[Sequence[CategoryRule], Sequence[ZoneRule]],
    other: tuple[Sequence[CategoryRule], Sequence[ZoneRule]],
) -> tuple[list[ComparedRow], list[ComparedRow]]:
    """Category rows and zone rows of two rule sets side by side, differences marked."""
    categories = [
        ComparedRow(mine.label, mine.sentence, theirs.sentence, mine.content != theirs.content)
        for mine, theirs in zip(summarise(this[0]), summarise(other[0]), strict=True)
    ]
    my_zones = {(zone.level, zone.designated): zone for zone in this[1]}
    their_zones = {(zone.level, zone.designated): zone for zone in other[1]}
    zones = []
    for key in sorted(my_zones.keys() | their_zones.keys(), key=_zone_order):
        mine_zone, their_zone = my_zones.get(key), their_zones.get(key)
        title = zone_title(mine_zone or their_zone)  # type: ignore[arg-type]
        zones.append(
            ComparedRow(
                title,
                zone_sentence(mine_zone) if mine_zone else _("No rule."),
                zone_sentence(their_zone) if their_zone else _("No rule."),
                _zone_content(mine_zone) != _zone_content(their_zone),
            )
        )
    return categories, zones


@dataclass(frozen=True)
class TestDay:
    day: int  # the day number within its phase, as the rule set states it
    date: date


@dataclass(frozen=True)
class ScheduleRow:
    """One phase of a schedule as the calculator shows it."""

    measure_label: str
    start: date
    end: date
    days: int
    tests: list[TestDay]


def schedule_rows(schedule: Schedule) -> list[ScheduleRow]:
    return [
        ScheduleRow(
            measure_label=str(Measure(phase.measure).label)
            if phase.measure in Measure.values else phase.measure,
            start=phase.start, end=phase.end, days=phase.days,
            tests=[TestDay((test - phase.start).days + 1, test) for test in phase.test_dates],
        )
        for phase in schedule.phases
    ]  # fmt: skip
