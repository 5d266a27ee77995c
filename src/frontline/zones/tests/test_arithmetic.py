"""The pure step-down arithmetic: days without a case, the step-down date and what is due."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from frontline.zones.arithmetic import Action, RuleSpec, review

DAY = dt.date(2022, 7, 1)
days = st.integers(min_value=0, max_value=60)


def test_a_high_zone_of_the_ninth_edition_steps_down_on_the_eighth_day_after_the_last_case():
    rule = RuleSpec(days_without_case=7, next_level="medium")
    on_day_7 = review(last_case_on=DAY, level_since=DAY, designated=True,
                      on=DAY + dt.timedelta(days=7), rule=rule)  # fmt: skip
    on_day_8 = review(last_case_on=DAY, level_since=DAY, designated=True,
                      on=DAY + dt.timedelta(days=8), rule=rule)  # fmt: skip
    assert on_day_7.step_down_on == on_day_8.step_down_on == dt.date(2022, 7, 9)
    assert (on_day_7.days_without_case, on_day_7.due) == (6, False)
    assert (on_day_8.days_without_case, on_day_8.due) == (7, True)
    assert on_day_8.action is Action.STEP_DOWN and on_day_8.next_level == "medium"


def test_a_stepped_down_zone_counts_its_days_afresh_from_the_step():
    rule = RuleSpec(days_without_case=3, next_level="low")
    stepped = DAY + dt.timedelta(days=8)
    found = review(last_case_on=DAY, level_since=stepped, designated=False,
                   on=stepped + dt.timedelta(days=2), rule=rule)  # fmt: skip
    assert found.step_down_on == stepped + dt.timedelta(days=3)
    assert not found.due


def test_a_level_without_days_never_steps_down_and_says_so():
    found = review(last_case_on=DAY, level_since=DAY, designated=True,
                   on=DAY + dt.timedelta(days=400), rule=RuleSpec(days_without_case=None))  # fmt: skip
    assert found.action is None and not found.due and found.step_down_on is None
    assert [item.ok for item in found.checklist] == [False]


def test_the_checklist_counts_people_under_control_and_a_lift_lists_the_manual_checks():
    rule = RuleSpec(days_without_case=5, contacts_cleared_days=7, area_test_within_days=2)
    found = review(last_case_on=DAY, level_since=DAY, designated=True,
                   on=DAY + dt.timedelta(days=6), rule=rule, under_control=2)  # fmt: skip
    assert found.action is Action.LIFT and found.due
    assert [(item.ok, item.required) for item in found.checklist] == [
        (True, True),
        (False, False),
        (None, False),
        (None, False),
    ]


@given(last=days, since=days, wait=days, needed=days, designated=st.booleans())
def test_due_exactly_when_the_full_days_without_a_case_reach_the_rule(
    last: int, since: int, wait: int, needed: int, designated: bool
) -> None:
    last_case_on = DAY + dt.timedelta(days=last)
    level_since = last_case_on + dt.timedelta(days=since)
    on = level_since + dt.timedelta(days=wait)
    found = review(last_case_on=last_case_on, level_since=level_since, designated=designated,
                   on=on, rule=RuleSpec(days_without_case=needed, next_level="low"))  # fmt: skip
    if needed >= 1:  # a zero-day rule is due the day after the case, with 0 days counted
        assert found.due == (found.days_without_case >= needed)
    assert found.due == (on >= found.step_down_on)  # type: ignore[operator]
    assert found.days_since_last_case == (on - last_case_on).days
    assert found.days_without_case <= max(0, found.days_since_last_case - 1)
    assert found.checklist[0].ok == found.due


@given(last=days, wait=days, needed=st.integers(min_value=0, max_value=30))
def test_a_new_case_never_brings_the_step_down_date_earlier(last: int, wait: int, needed: int):
    rule = RuleSpec(days_without_case=needed, next_level="medium")
    first = DAY + dt.timedelta(days=last)
    later = first + dt.timedelta(days=wait)
    on = later
    before = review(last_case_on=first, level_since=first, designated=True, on=on, rule=rule)
    after = review(last_case_on=later, level_since=first, designated=True, on=on, rule=rule)
    assert after.step_down_on >= before.step_down_on  # type: ignore[operator]
    assert not after.due  # the day of a new case is never a step-down day


def test_stepping_down_to_the_lowest_level_of_the_rule_set_is_a_lift():
    rule = RuleSpec(days_without_case=5, next_level="low", next_is_baseline=True)
    found = review(last_case_on=DAY, level_since=DAY, designated=True,
                   on=DAY + dt.timedelta(days=6), rule=rule)  # fmt: skip
    assert found.action is Action.LIFT and found.next_level == "" and found.due
