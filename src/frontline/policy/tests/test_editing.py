"""The pieces behind the editing pages: test-day parsing, per-field phase problems, zone rules,
and the plain-words sentences, checked against the arithmetic they describe."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from frontline.core.models import AuditAction, AuditEntry
from frontline.policy.explain import category_sentence, phases_sentence
from frontline.policy.forms import PhaseForm, parse_test_days
from frontline.policy.models import Measure, ZoneRule
from frontline.policy.rules import PhaseSpec, phase_problems
from frontline.policy.services import (
    ZoneRuleSpec,
    phase_field_problems,
    rule_set_copy,
    rule_set_problems,
    zone_rules_put,
)

MEASURES = st.sampled_from(Measure.values)
DAYS = st.integers(min_value=-3, max_value=40)
TEST_DAYS = st.lists(st.integers(min_value=-3, max_value=45), max_size=8)


@pytest.fixture
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def draft(presets, world):
    return rule_set_copy(
        actor=world.users["admin"], source=presets["ninth-edition"], name="第九版（草稿）"
    )


# -- parsing and per-field problems ------------------------------------------------------------


@given(
    st.lists(st.integers(min_value=0, max_value=999), max_size=12),
    st.sampled_from([", ", "，", "、", " ", ";"]),
)
def test_test_days_read_back_whatever_separator_was_typed(days, separator):  # fmt: skip
    assert parse_test_days(separator.join(str(day) for day in days)) == tuple(days)


@given(st.text(alphabet="0123456789,， x-.", max_size=12))
def test_test_days_are_read_or_refused_never_guessed(text):
    try:
        days = parse_test_days(text)
    except ValueError:
        assert any(ch in text for ch in "x-.")
    else:
        assert all(isinstance(day, int) and day >= 0 for day in days)


def test_full_width_digits_are_read():
    assert parse_test_days("１，３、５") == (1, 3, 5)


@given(MEASURES, DAYS, TEST_DAYS)
def test_a_phase_has_field_problems_exactly_when_the_arithmetic_finds_some(measure, days, tests):
    phase = PhaseSpec(measure, days, tuple(tests))
    assert bool(phase_field_problems(phase)) == bool(phase_problems(phase))
    assert set(phase_field_problems(phase)) <= {"days", "test_days"}


@given(DAYS, TEST_DAYS)
def test_the_phase_form_accepts_what_publishing_accepts(days, tests):
    form = PhaseForm(
        {"measure": "home_isolation", "days": str(days), "test_days": ", ".join(map(str, tests))}
    )
    sound = not phase_problems(PhaseSpec("home_isolation", days, tuple(tests)))
    assert form.is_valid() == sound


def test_the_phase_form_names_each_bad_field(english):
    form = PhaseForm({"measure": "home_isolation", "days": "3", "test_days": "0, 2, 2"})
    assert not form.is_valid()
    assert form.errors == {
        "test_days": ["Test day 0 is outside days 1 to 3.", "Test day 2 is listed twice."]
    }


# -- sentences ---------------------------------------------------------------------------------


@given(st.lists(st.tuples(MEASURES, st.integers(1, 30), st.lists(st.integers(1, 30), unique=True, max_size=5)), min_size=1, max_size=4))  # fmt: skip
def test_the_sentence_names_every_phase_length_and_test_day(phases):
    specs = [PhaseSpec(m, d, tuple(t for t in tests if t <= d)) for m, d, tests in phases]
    with translation.override("en"):
        sentence = phases_sentence(specs)
    assert sentence.count(", then ") == len(specs) - 1
    for spec in specs:
        assert f"{spec.days} day" in sentence
        for test in spec.test_days:
            assert str(test) in sentence
    assert ("no tests" in sentence) == (not any(spec.test_days for spec in specs))


def test_the_9th_edition_close_contact_in_plain_words(english):
    sentence = category_sentence(
        "close_contact",
        identified=True,
        phases=[
            PhaseSpec("centralised_isolation", 7, (1, 2, 3, 5, 7)),
            PhaseSpec("home_health_monitoring", 3, (3,)),
        ],
    )
    assert sentence == (
        "Close contact: 7 days of centralised isolation, then 3 days of home health monitoring; "
        "tests on days 1, 2, 3, 5, 7 of centralised isolation and day 3 of home health "
        "monitoring."
    )


def test_one_day_reads_in_the_singular(english):
    assert phases_sentence([PhaseSpec("home_isolation", 1, (1,))]) == (
        "1 day of home isolation; tests on day 1 of home isolation"
    )


# -- zone rules --------------------------------------------------------------------------------


def test_zone_rules_are_replaced_all_at_once_and_audited(draft, world):
    zone_rules_put(
        actor=world.users["officer"],
        rule_set=draft,
        zone_rules=[
            ZoneRuleSpec("high", days_without_case=5, next_level="low"),
            ZoneRuleSpec("low"),
        ],
    )
    assert list(
        ZoneRule.objects.filter(rule_set=draft).values_list("level", "days_without_case")
    ) == [("high", 5), ("low", None)]
    assert rule_set_problems(draft) == {}
    assert AuditEntry.objects.filter(
        action=AuditAction.UPDATE, target_id=str(draft.pk), fields=["zone_rules"]
    ).exists()


def test_bad_zone_rules_report_every_problem_and_change_nothing(draft, world, english):
    before = list(ZoneRule.objects.filter(rule_set=draft).values_list("level", "designated"))
    with pytest.raises(ValidationError) as error:
        zone_rules_put(
            actor=world.users["admin"],
            rule_set=draft,
            zone_rules=[
                ZoneRuleSpec("volcano"),
                ZoneRuleSpec("high", next_level="medium"),
                ZoneRuleSpec("high", days_without_case=3),
            ],
        )
    messages = error.value.message_dict["zone_rules"]
    assert len(messages) == 4, messages
    assert (
        list(ZoneRule.objects.filter(rule_set=draft).values_list("level", "designated")) == before
    )


def test_zone_rules_of_a_published_set_cannot_change(presets, world, english):
    with pytest.raises(ValidationError) as error:
        zone_rules_put(actor=world.users["admin"], rule_set=presets["class-b"], zone_rules=[])
    assert "published" in error.value.message_dict["status"][0]
