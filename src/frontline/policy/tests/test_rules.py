"""The policy arithmetic on its own: no database."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from frontline.policy.rules import (
    Outcome,
    PhaseProblem,
    PhaseSpec,
    build_schedule,
    phase_problems,
    place_phases,
    step_down_on,
)

MEASURES = ["centralised_isolation", "home_isolation", "home_health_monitoring", "none"]


@st.composite
def sound_phases(draw: st.DrawFn) -> PhaseSpec:
    days = draw(st.integers(min_value=1, max_value=30))
    test_days = draw(st.lists(st.integers(min_value=1, max_value=days), unique=True, max_size=days))
    return PhaseSpec(measure=draw(st.sampled_from(MEASURES)), days=days, test_days=tuple(test_days))


starts = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))


@given(st.lists(sound_phases(), min_size=1, max_size=6), starts)
def test_phases_follow_each_other_without_gaps_and_release_comes_after_the_last_day(phases, start):
    schedule = build_schedule(category="close_contact", start=start, identified=True, phases=phases)
    assert schedule.outcome is Outcome.SCHEDULED
    assert schedule.phases[0].start == start
    for before, after in zip(schedule.phases, schedule.phases[1:], strict=False):
        assert after.start == before.end + timedelta(days=1)
    for spec, placed in zip(phases, schedule.phases, strict=True):
        assert (placed.end - placed.start).days + 1 == spec.days == placed.days
    assert schedule.total_days == sum(phase.days for phase in phases)
    assert schedule.release_on == start + timedelta(days=schedule.total_days)
    assert schedule.release_on == schedule.phases[-1].end + timedelta(days=1)


@given(st.lists(sound_phases(), min_size=1, max_size=6), starts)
def test_every_test_date_is_the_stated_day_of_its_own_phase(phases, start):
    schedule = build_schedule(category="close_contact", start=start, identified=True, phases=phases)
    for spec, placed in zip(phases, schedule.phases, strict=True):
        assert all(test in placed for test in placed.test_dates)
        assert [(test - placed.start).days + 1 for test in placed.test_dates] == sorted(
            spec.test_days
        )
    assert list(schedule.test_dates) == sorted(schedule.test_dates)


@given(st.lists(sound_phases(), min_size=1, max_size=6), starts, st.integers(-5, 200))
def test_day_numbers_run_from_1_to_the_total_inside_the_schedule_only(phases, start, offset):
    schedule = build_schedule(category="close_contact", start=start, identified=True, phases=phases)
    day = start + timedelta(days=offset)
    number = schedule.day_number(day)
    if 0 <= offset < schedule.total_days:
        assert number == offset + 1
        assert schedule.phase_on(day) is not None
    else:
        assert number is None
        assert schedule.phase_on(day) is None


@given(sound_phases())
def test_a_sound_phase_has_no_problems(phase):
    assert phase_problems(phase) == []


def test_it_names_every_problem_of_a_phase():
    problems = phase_problems(PhaseSpec(measure="home_isolation", days=3, test_days=(0, 2, 2, 4)))
    assert problems == [
        (PhaseProblem.TEST_DAY_OUT_OF_RANGE, 0),
        (PhaseProblem.TEST_DAY_REPEATED, 2),
        (PhaseProblem.TEST_DAY_OUT_OF_RANGE, 4),
    ]
    assert phase_problems(PhaseSpec(measure="none", days=0, test_days=(1,))) == [
        (PhaseProblem.DAYS_TOO_FEW, 0),
        (PhaseProblem.TEST_DAY_OUT_OF_RANGE, 1),
    ]
    assert phase_problems(PhaseSpec(measure="none", days=2, test_days=("1", True))) == [  # type: ignore[arg-type]
        (PhaseProblem.TEST_DAY_OUT_OF_RANGE, "1"),
        (PhaseProblem.TEST_DAY_OUT_OF_RANGE, True),
    ]


def test_not_identified_and_no_rule_have_no_dates():
    for identified, outcome in ((False, Outcome.NOT_IDENTIFIED), (None, Outcome.NO_RULE)):
        schedule = build_schedule(
            category="close_contact", start=date(2023, 1, 8), identified=identified, phases=()
        )
        assert schedule.outcome is outcome and not schedule.identified
        assert (schedule.phases, schedule.release_on, schedule.test_dates) == ((), None, ())
        assert schedule.day_number(date(2023, 1, 8)) is None


def test_placing_no_phases_releases_on_the_start_day():
    assert place_phases([], date(2022, 7, 1)) == ((), date(2022, 7, 1))


def test_the_next_test_is_the_first_on_or_after_a_day():
    schedule = build_schedule(
        category="close_contact", start=date(2022, 7, 1), identified=True,
        phases=[PhaseSpec("centralised_isolation", 7, (1, 2, 3, 5, 7))],
    )  # fmt: skip
    assert schedule.next_test_on_or_after(date(2022, 7, 4)) == date(2022, 7, 5)
    assert schedule.next_test_on_or_after(date(2022, 7, 8)) is None


def test_a_zone_steps_down_after_the_full_days_without_a_case():
    # last case on 07-01; 07-02..07-08 are 7 days without one; it steps down on 07-09
    assert step_down_on(last_case_on=date(2022, 7, 1), days_without_case=7) == date(2022, 7, 9)
