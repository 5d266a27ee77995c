"""The order arithmetic without a database: examples from DOMAIN.md and properties."""

from __future__ import annotations

import datetime as dt
import itertools

from hypothesis import given
from hypothesis import strategies as st

from frontline.control.arithmetic import (
    Blocker,
    PhaseSnapshot,
    day_count,
    extended,
    next_test,
    phase_on,
    phases_from,
    planned_tests,
    release_check,
    release_date,
    replanned,
    total_days,
)

D = dt.date
NINTH_CLOSE_CONTACT = [
    ("centralised_isolation", 7, [1, 2, 3, 5, 7]),
    ("home_health_monitoring", 3, [3]),
]


def test_a_9th_edition_close_contact_from_july_1st():
    phases = phases_from(NINTH_CLOSE_CONTACT, D(2022, 7, 1))
    assert release_date(phases, D(2022, 7, 1)) == D(2022, 7, 11)
    assert total_days(phases) == 10
    assert [t.day.day for t in planned_tests(phases)] == [1, 2, 3, 5, 7, 10]
    assert day_count(start=D(2022, 7, 1), total=10, on=D(2022, 7, 1)).number == 1
    assert phase_on(phases, D(2022, 7, 8)) == (1, phases[1])


phase_specs = st.lists(
    st.integers(min_value=1, max_value=30).flatmap(
        lambda days: st.tuples(
            st.sampled_from(["centralised_isolation", "home_isolation", "home_health_monitoring"]),
            st.just(days),
            st.lists(st.integers(min_value=1, max_value=days), unique=True, max_size=days),
        )
    ),
    min_size=1,
    max_size=4,
)
starts = st.dates(min_value=D(2020, 1, 1), max_value=D(2030, 12, 31))


@given(phase_specs, starts)
def test_every_day_of_an_order_lies_in_exactly_one_phase_and_counts_up(specs, start):
    phases = phases_from(specs, start)
    total = total_days(phases)
    assert release_date(phases, start) == start + dt.timedelta(days=total)
    for offset in range(total):
        day = start + dt.timedelta(days=offset)
        assert sum(1 for phase in phases if phase.start <= day <= phase.end) == 1
        count = day_count(start=start, total=total, on=day)
        assert count.number == offset + 1 and count.running
    assert not day_count(start=start, total=total, on=start + dt.timedelta(days=total)).running
    assert phase_on(phases, start + dt.timedelta(days=total)) is None


@given(phase_specs, starts)
def test_test_days_fall_inside_their_phase_in_date_order_and_survive_json(specs, start):
    phases = phases_from(specs, start)
    tests = planned_tests(phases)
    assert len(tests) == sum(len(set(days)) for _m, _d, days in specs)
    assert [t.day for t in tests] == sorted(t.day for t in tests)
    for test in tests:
        phase = phases[test.phase_index]
        assert phase.start <= test.day <= phase.end
    assert [PhaseSnapshot.of_json(p.as_json()) for p in phases] == phases


@given(phase_specs, starts, st.integers(min_value=1, max_value=60))
def test_an_extension_moves_only_the_end_and_keeps_the_tests(specs, start, days):
    phases = phases_from(specs, start)
    longer = extended(phases, days)
    assert release_date(longer, start) == release_date(phases, start) + dt.timedelta(days=days)
    assert planned_tests(longer) == planned_tests(phases)
    assert longer[:-1] == phases[:-1]


results = st.lists(st.sampled_from(["pending", "negative", "positive"]), max_size=8)


@given(results, st.booleans(), starts, starts)
def test_release_is_allowed_exactly_when_active_due_and_all_negative(
    listed, active, release_on, on
):
    check = release_check(active=active, release_on=release_on, results=listed, on=on)
    expected = active and on >= release_on and all(r == "negative" for r in listed)
    assert check.allowed == expected
    assert (Blocker.TOO_EARLY in check.blockers) == (on < release_on)
    assert (Blocker.RESULT_POSITIVE in check.blockers) == ("positive" in listed)


@given(st.lists(st.tuples(starts, st.sampled_from(["pending", "negative", "positive"]))), starts)
def test_the_next_test_is_the_earliest_one_still_waiting(tests, on):
    pending = [day for day, result in tests if result == "pending"]
    assert next_test(tests, on) == (min(pending) if pending else None)


SIGNATURES = (b"%PDF-", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")


@given(st.binary(min_size=0, max_size=64))
def test_a_document_is_accepted_only_as_pdf_png_or_jpeg(content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from frontline.control.services import DocumentEvidence, evidence_errors
    from frontline.residents.models import Resident

    evidence = DocumentEvidence(
        resident=Resident(name="张三丰"), file=SimpleUploadedFile("x", content), reference="街道7号"
    )
    errors = evidence_errors(evidence, "close_contact")
    assert ("document" in errors) == (not content.startswith(SIGNATURES))
    assert set(errors) <= {"document"}


# -- a rule change mid-order ---------------------------------------------------------------------

TWENTY_CLOSE_CONTACT = [
    ("centralised_isolation", 5, [1, 2, 3, 5]),
    ("home_isolation", 3, [1, 3]),
]


def _plan(phases: list[PhaseSnapshot]) -> list[tuple[str, dt.date, dt.date, tuple[int, ...]]]:
    return [(p.measure, p.start, p.end, p.test_days) for p in phases]


def test_the_20_measures_taking_effect_on_day_4_of_a_9th_edition_close_contact():
    start, effective = D(2022, 11, 8), D(2022, 11, 11)
    old = phases_from(NINTH_CLOSE_CONTACT, start)
    new = replanned(old, start=start, effective=effective, specs=TWENTY_CLOSE_CONTACT)
    # days 1-3 as they were; from day 4 the new plan counted from day 1: 5 centralised + 3 home
    assert _plan(new) == [
        ("centralised_isolation", D(2022, 11, 8), D(2022, 11, 12), (1, 2, 3, 5)),
        ("home_isolation", D(2022, 11, 13), D(2022, 11, 15), (1, 3)),
    ]
    assert release_date(old, start) == D(2022, 11, 18)
    assert release_date(new, start) == D(2022, 11, 16)
    assert total_days(new) == 8


def test_new_rules_shorter_than_the_days_served_release_on_the_effective_date():
    start, effective = D(2022, 11, 2), D(2022, 11, 11)  # day 10: the new 8 days are over
    old = phases_from(NINTH_CLOSE_CONTACT, start)
    new = replanned(old, start=start, effective=effective, specs=TWENTY_CLOSE_CONTACT)
    assert _plan(new) == [
        ("centralised_isolation", D(2022, 11, 2), D(2022, 11, 8), (1, 2, 3, 5, 7)),
        ("home_health_monitoring", D(2022, 11, 9), D(2022, 11, 10), ()),  # home day 3 lapses
    ]
    assert release_date(new, start) == effective


def test_a_category_no_longer_identified_ends_the_day_before_the_rules_take_effect():
    start, effective = D(2023, 1, 5), D(2023, 1, 8)
    old = phases_from(TWENTY_CLOSE_CONTACT, start)
    new = replanned(old, start=start, effective=effective, specs=None)
    assert _plan(new) == [("centralised_isolation", D(2023, 1, 5), D(2023, 1, 7), (1, 2, 3))]
    assert release_date(new, start) == effective


def test_rules_in_force_before_the_order_began_replace_it_whole():
    start = D(2022, 11, 12)
    old = phases_from(NINTH_CLOSE_CONTACT, start)
    new = replanned(old, start=start, effective=D(2022, 11, 11), specs=TWENTY_CLOSE_CONTACT)
    assert new == phases_from(TWENTY_CLOSE_CONTACT, start)


measures = st.sampled_from(["centralised_isolation", "home_isolation", "home_health_monitoring"])


@st.composite
def phase_specs_(draw: st.DrawFn) -> list[tuple[str, int, list[int]]]:
    specs = []
    for _ in range(draw(st.integers(1, 3))):
        days = draw(st.integers(1, 10))
        specs.append((draw(measures), days, draw(st.sets(st.integers(1, days), max_size=4))))
    return [(m, d, sorted(t)) for m, d, t in specs]


def _measure_on(phases: list[PhaseSnapshot], day: dt.date) -> str | None:
    found = phase_on(phases, day)
    return found[1].measure if found else None


def _test_dates(phases: list[PhaseSnapshot]) -> set[dt.date]:
    return {test.day for test in planned_tests(phases)}


@given(
    old_specs=phase_specs_(),
    new_specs=st.one_of(st.none(), phase_specs_()),
    start=st.dates(D(2022, 1, 1), D(2023, 12, 31)),
    offset=st.integers(-5, 40),
)
def test_a_replanned_order_keeps_the_past_and_follows_the_new_rules_from_the_effective_date(
    old_specs, new_specs, start, offset
):
    old = phases_from(old_specs, start)
    effective = min(start + dt.timedelta(days=offset), release_date(old, start))  # still running
    new = replanned(old, start=start, effective=effective, specs=new_specs)
    fresh = phases_from(new_specs, start) if new_specs is not None else []
    release = release_date(new, start)
    # back to back from the start, no two neighbours under the same measure
    for before, after in itertools.pairwise(new):
        assert after.start == before.end + dt.timedelta(days=1)
        assert after.measure != before.measure
    if new:
        assert new[0].start == start
    # each day: the old measure before the effective date, the new one from it
    day = start - dt.timedelta(days=1)
    while day <= max(release, release_date(old, start)) + dt.timedelta(days=1):
        expected = _measure_on(old, day) if day < effective else _measure_on(fresh, day)
        assert _measure_on(new, day) == expected, day
        day += dt.timedelta(days=1)
    assert _test_dates(new) == {d for d in _test_dates(old) if d < effective} | {
        d for d in _test_dates(fresh) if d >= effective
    }
    assert release == max(release_date(fresh, start) if fresh else start, effective)
    assert total_days(new) == sum(phase.days for phase in new)
