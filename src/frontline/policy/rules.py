"""Policy arithmetic: phases and test days to calendar dates. No database, no Django.

Day numbers count from 1: day 1 of a phase is its first calendar day, and the next phase starts
the day after the previous one ends. A person is released the day after the last phase's last day.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class PhaseSpec:
    """A phase as a rule set states it: a measure for some days, tests on some of those days."""

    measure: str
    days: int
    test_days: tuple[int, ...] = ()


@dataclass(frozen=True)
class ScheduledPhase:
    """A phase placed on the calendar."""

    measure: str
    days: int
    start: date
    end: date  # the phase's last day, inclusive
    test_dates: tuple[date, ...]

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


class Outcome(enum.StrEnum):
    SCHEDULED = "scheduled"
    NOT_IDENTIFIED = "not_identified"  # the rule set says people in this category are not managed
    NO_RULE = "no_rule"  # the rule set says nothing about the category


@dataclass(frozen=True)
class Schedule:
    """What a rule set means for one person in one category from one start date."""

    outcome: Outcome
    category: str
    start: date
    phases: tuple[ScheduledPhase, ...] = ()
    release_on: date | None = None  # the first day free of every measure

    @property
    def identified(self) -> bool:
        return self.outcome is Outcome.SCHEDULED

    @property
    def total_days(self) -> int:
        return sum(phase.days for phase in self.phases)

    @property
    def test_dates(self) -> tuple[date, ...]:
        return tuple(day for phase in self.phases for day in phase.test_dates)

    def phase_on(self, day: date) -> ScheduledPhase | None:
        return next((phase for phase in self.phases if day in phase), None)

    def day_number(self, day: date) -> int | None:
        """Day N of `total_days` on `day` (1-based), or None outside the schedule."""
        if self.release_on is None or not self.start <= day < self.release_on:
            return None
        return (day - self.start).days + 1

    def next_test_on_or_after(self, day: date) -> date | None:
        return next((test for test in self.test_dates if test >= day), None)


def place_phases(
    phases: Iterable[PhaseSpec], start: date
) -> tuple[tuple[ScheduledPhase, ...], date]:
    """Lay phases end to end from `start`; return them with the release date."""
    placed: list[ScheduledPhase] = []
    begin = start
    for phase in phases:
        end = begin + timedelta(days=phase.days - 1)
        tests = tuple(begin + timedelta(days=n - 1) for n in sorted(set(phase.test_days)))
        placed.append(ScheduledPhase(phase.measure, phase.days, begin, end, tests))
        begin = end + timedelta(days=1)
    return tuple(placed), begin


def build_schedule(
    *, category: str, start: date, identified: bool | None, phases: Sequence[PhaseSpec]
) -> Schedule:
    """A schedule from a category rule's content; `identified=None` means the rule set has no rule."""
    if identified is None:
        return Schedule(Outcome.NO_RULE, category, start)
    if not identified:
        return Schedule(Outcome.NOT_IDENTIFIED, category, start)
    placed, release_on = place_phases(phases, start)
    return Schedule(Outcome.SCHEDULED, category, start, placed, release_on)


class PhaseProblem(enum.StrEnum):
    DAYS_TOO_FEW = "days_too_few"
    TEST_DAY_OUT_OF_RANGE = "test_day_out_of_range"
    TEST_DAY_REPEATED = "test_day_repeated"


def phase_problems(phase: PhaseSpec) -> list[tuple[PhaseProblem, object]]:
    """What is wrong with one phase, as (problem, offending value) pairs; empty when it is sound."""
    problems: list[tuple[PhaseProblem, object]] = []
    if not isinstance(phase.days, int) or phase.days < 1:
        problems.append((PhaseProblem.DAYS_TOO_FEW, phase.days))
    seen: set[object] = set()
    for test_day in phase.test_days:
        valid = isinstance(test_day, int) and not isinstance(test_day, bool)
        if not valid or not 1 <= test_day <= max(phase.days, 0):
            problems.append((PhaseProblem.TEST_DAY_OUT_OF_RANGE, test_day))
        elif test_day in seen:
            problems.append((PhaseProblem.TEST_DAY_REPEATED, test_day))
        else:
            seen.add(test_day)
    return problems


def step_down_on(*, last_case_on: date, days_without_case: int) -> date:
    """The first day a zone may step down: after `days_without_case` full days with no new case."""
    return last_case_on + timedelta(days=days_without_case + 1)
