"""The order arithmetic without a database: examples from DOMAIN.md and properties."""

from __future__ import annotations

import datetime as dt

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
