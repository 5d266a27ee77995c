"""Order arithmetic: day N of M, the current phase, the next test, whether release is allowed.
No database, no Django: the services and pages hand in dates, phases and test results.

An order's phases are a snapshot of the rule set in force on its start date, stored as plain
data (`PhaseSnapshot`), so a later rule change never moves an order that already runs.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any


@dataclass(frozen=True)
class PhaseSnapshot:
    """One phase of an order as placed on the calendar when the order was made."""

    measure: str
    days: int
    start: date
    end: date  # inclusive
    test_days: tuple[int, ...] = ()

    @property
    def test_dates(self) -> tuple[date, ...]:
        return tuple(self.start + timedelta(days=n - 1) for n in self.test_days)

    def as_json(self) -> dict[str, Any]:
        return {
            "measure": self.measure,
            "days": self.days,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "test_days": list(self.test_days),
            "test_dates": [day.isoformat() for day in self.test_dates],
        }

    @staticmethod
    def of_json(value: dict[str, Any]) -> PhaseSnapshot:
        return PhaseSnapshot(
            measure=str(value["measure"]),
            days=int(value["days"]),
            start=date.fromisoformat(value["start"]),
            end=date.fromisoformat(value["end"]),
            test_days=tuple(int(n) for n in value.get("test_days", ())),
        )


@dataclass(frozen=True)
class PlannedTest:
    """A test day of an order: which phase (0-based), which day of it, and its date."""

    phase_index: int
    day_in_phase: int
    day: date


def phases_from(
    specs: Iterable[tuple[str, int, Sequence[int]]], start: date
) -> list[PhaseSnapshot]:
    """Lay (measure, days, test days) phases end to end from `start`."""
    placed: list[PhaseSnapshot] = []
    begin = start
    for measure, days, test_days in specs:
        end = begin + timedelta(days=days - 1)
        placed.append(PhaseSnapshot(measure, days, begin, end, tuple(sorted(set(test_days)))))
        begin = end + timedelta(days=1)
    return placed


def release_date(phases: Sequence[PhaseSnapshot], start: date) -> date:
    """The first day free of every measure: the day after the last phase ends."""
    return phases[-1].end + timedelta(days=1) if phases else start


def total_days(phases: Sequence[PhaseSnapshot]) -> int:
    return sum(phase.days for phase in phases)


def planned_tests(phases: Sequence[PhaseSnapshot]) -> list[PlannedTest]:
    return [
        PlannedTest(index, n, phase.start + timedelta(days=n - 1))
        for index, phase in enumerate(phases)
        for n in phase.test_days
    ]


def extended(phases: Sequence[PhaseSnapshot], days: int) -> list[PhaseSnapshot]:
    """The phases with the last one `days` longer; its test days stay where they were."""
    if days < 1:
        raise ValueError("an extension is at least one day")
    if not phases:
        raise ValueError("an order without phases cannot be extended")
    last = phases[-1]
    longer = PhaseSnapshot(
        last.measure, last.days + days, last.start, last.end + timedelta(days=days), last.test_days
    )
    return [*phases[:-1], longer]


def _clipped(phase: PhaseSnapshot, *, first: date, last: date) -> PhaseSnapshot | None:
    """The part of `phase` between `first` and `last` (inclusive), its test days renumbered
    from its new first day; None when nothing is left."""
    start, end = max(phase.start, first), min(phase.end, last)
    if start > end:
        return None
    tests = tuple((day - start).days + 1 for day in phase.test_dates if start <= day <= end)
    return PhaseSnapshot(phase.measure, (end - start).days + 1, start, end, tests)


def _joined(phases: Sequence[PhaseSnapshot]) -> list[PhaseSnapshot]:
    """Phases with each run of back-to-back pieces under the same measure made one phase."""
    joined: list[PhaseSnapshot] = []
    for phase in phases:
        previous = joined[-1] if joined else None
        if (
            previous is None
            or previous.measure != phase.measure
            or previous.end + timedelta(days=1) != phase.start
        ):
            joined.append(phase)
            continue
        tests = (*previous.test_days, *(n + previous.days for n in phase.test_days))
        joined[-1] = PhaseSnapshot(
            phase.measure, previous.days + phase.days, previous.start, phase.end, tests
        )
    return joined


def replanned(
    phases: Sequence[PhaseSnapshot],
    *,
    start: date,
    effective: date,
    specs: Iterable[tuple[str, int, Sequence[int]]] | None,
) -> list[PhaseSnapshot]:
    """An order's phases once new rules take effect on `effective`, mid-order.

    The days before `effective` keep the phases the order had; from `effective` on, the order
    follows what the new rules (`specs`, laid from the order's own start, so the days already
    served count) hold for those days. `specs=None` means the new rules no longer identify the
    category, so nothing follows. Back-to-back pieces under the same measure join into one phase.
    The release date is the day after the last phase, so never before `effective` when the
    order ran before it.
    """
    before = [_clipped(phase, first=start, last=effective - timedelta(days=1)) for phase in phases]
    after = [
        _clipped(phase, first=effective, last=phase.end) for phase in phases_from(specs, start)
    ] if specs is not None else []  # fmt: skip
    return _joined([phase for phase in (*before, *after) if phase is not None])


@dataclass(frozen=True)
class DayCount:
    """Day `number` of `total`; `number` is 0 before the start and past `total` after the end."""

    number: int
    total: int

    @property
    def running(self) -> bool:
        return 1 <= self.number <= self.total


def day_count(*, start: date, total: int, on: date) -> DayCount:
    return DayCount((on - start).days + 1 if on >= start else 0, total)


def phase_on(phases: Sequence[PhaseSnapshot], on: date) -> tuple[int, PhaseSnapshot] | None:
    """The phase (with its index) that `on` falls in, if any."""
    for index, phase in enumerate(phases):
        if phase.start <= on <= phase.end:
            return index, phase
    return None


class Result(enum.StrEnum):
    PENDING = "pending"
    NEGATIVE = "negative"
    POSITIVE = "positive"


def next_test(tests: Sequence[tuple[date, str]], on: date) -> date | None:
    """The earliest test day still waiting for a result (overdue ones first), else None."""
    pending = sorted(day for day, result in tests if result == Result.PENDING)
    return pending[0] if pending else None


class Blocker(enum.StrEnum):
    TOO_EARLY = "too_early"
    RESULTS_MISSING = "results_missing"
    RESULT_POSITIVE = "result_positive"
    NOT_ACTIVE = "not_active"


@dataclass(frozen=True)
class ReleaseCheck:
    blockers: tuple[Blocker, ...]

    @property
    def allowed(self) -> bool:
        return not self.blockers


def release_check(
    *, active: bool, release_on: date, results: Iterable[str], on: date
) -> ReleaseCheck:
    """Whether an order may be released on `on` without an override: it is active, its release
    date has come, and every required test has a negative result."""
    blockers: list[Blocker] = []
    if not active:
        blockers.append(Blocker.NOT_ACTIVE)
    if on < release_on:
        blockers.append(Blocker.TOO_EARLY)
    listed = list(results)
    if any(result == Result.POSITIVE for result in listed):
        blockers.append(Blocker.RESULT_POSITIVE)
    if any(result == Result.PENDING for result in listed):
        blockers.append(Blocker.RESULTS_MISSING)
    return ReleaseCheck(tuple(blockers))
