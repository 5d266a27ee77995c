"""The three shipped rule sets say what DOMAIN.md says, and the right one is in force each day."""

from datetime import date

import pytest
from django.apps import apps

from frontline.policy.models import Category, Measure, RuleSet, RuleSetStatus, ZoneRule
from frontline.policy.presets import install_presets, remove_presets
from frontline.policy.rules import Outcome
from frontline.policy.selectors import rule_set_in_force, schedule, zone_rule_for

C = Category
D = date


def dated(sched):
    return [
        (phase.measure, phase.start, phase.end, list(phase.test_dates)) for phase in sched.phases
    ]


def test_the_migration_loads_three_published_presets(presets):
    assert sorted(presets) == ["class-b", "ninth-edition", "twenty-measures"]
    assert {(r.effective_from, r.status) for r in presets.values()} == {
        (D(2022, 6, 28), RuleSetStatus.PUBLISHED),
        (D(2022, 11, 11), RuleSetStatus.PUBLISHED),
        (D(2023, 1, 8), RuleSetStatus.PUBLISHED),
    }


def test_a_close_contact_under_the_9th_edition_has_7_days_isolation_then_3_of_monitoring(presets):
    sched = schedule(
        rule_set=presets["ninth-edition"], category=C.CLOSE_CONTACT, start=D(2022, 7, 1)
    )
    assert sched.outcome is Outcome.SCHEDULED
    assert dated(sched) == [
        (Measure.CENTRALISED_ISOLATION, D(2022, 7, 1), D(2022, 7, 7),
         [D(2022, 7, 1), D(2022, 7, 2), D(2022, 7, 3), D(2022, 7, 5), D(2022, 7, 7)]),
        (Measure.HOME_HEALTH_MONITORING, D(2022, 7, 8), D(2022, 7, 10), [D(2022, 7, 10)]),
    ]  # fmt: skip
    assert sched.release_on == D(2022, 7, 11)
    assert (sched.day_number(D(2022, 7, 8)), sched.total_days) == (8, 10)


def test_a_contact_of_contact_under_the_9th_edition_has_7_days_home_isolation(presets):
    sched = schedule(
        rule_set=presets["ninth-edition"], category=C.CONTACT_OF_CONTACT, start=D(2022, 7, 30)
    )
    assert dated(sched) == [
        (Measure.HOME_ISOLATION, D(2022, 7, 30), D(2022, 8, 5),
         [D(2022, 7, 30), D(2022, 8, 2), D(2022, 8, 5)]),
    ]  # fmt: skip
    assert sched.release_on == D(2022, 8, 6)


def test_arrivals_under_the_9th_edition_follow_the_risk_of_the_area(presets):
    ninth = presets["ninth-edition"]
    start = D(2022, 9, 1)
    high = schedule(rule_set=ninth, category=C.ARRIVAL_HIGH_RISK, start=start)
    medium = schedule(rule_set=ninth, category=C.ARRIVAL_MEDIUM_RISK, start=start)
    low = schedule(rule_set=ninth, category=C.ARRIVAL_LOW_RISK, start=start)
    assert dated(high) == [(Measure.CENTRALISED_ISOLATION, D(2022, 9, 1), D(2022, 9, 7), [])]
    assert dated(medium) == [(Measure.HOME_ISOLATION, D(2022, 9, 1), D(2022, 9, 7), [])]
    # "2 tests within 3 days"
    assert dated(low) == [
        (
            Measure.HOME_HEALTH_MONITORING,
            D(2022, 9, 1),
            D(2022, 9, 3),
            [D(2022, 9, 1), D(2022, 9, 3)],
        )
    ]
    assert low.release_on == D(2022, 9, 4)


def test_a_close_contact_under_the_20_measures_has_5_days_centralised_then_3_at_home(presets):
    sched = schedule(
        rule_set=presets["twenty-measures"], category=C.CLOSE_CONTACT, start=D(2022, 11, 28)
    )
    assert dated(sched) == [
        (Measure.CENTRALISED_ISOLATION, D(2022, 11, 28), D(2022, 12, 2),
         [D(2022, 11, 28), D(2022, 11, 29), D(2022, 11, 30), D(2022, 12, 2)]),
        (Measure.HOME_ISOLATION, D(2022, 12, 3), D(2022, 12, 5), [D(2022, 12, 3), D(2022, 12, 5)]),
    ]  # fmt: skip
    assert sched.release_on == D(2022, 12, 6)


def test_the_20_measures_no_longer_identify_contacts_of_contacts(presets):
    sched = schedule(
        rule_set=presets["twenty-measures"], category=C.CONTACT_OF_CONTACT, start=D(2022, 11, 28)
    )
    assert sched.outcome is Outcome.NOT_IDENTIFIED
    assert (sched.phases, sched.release_on) == ((), None)


@pytest.mark.parametrize(
    "category",
    [C.CLOSE_CONTACT, C.CONTACT_OF_CONTACT, C.ARRIVAL_HIGH_RISK, C.ARRIVAL_MEDIUM_RISK,
     C.ARRIVAL_LOW_RISK],
)  # fmt: skip
def test_class_b_management_identifies_no_contacts_and_no_arrivals(presets, category):
    sched = schedule(rule_set=presets["class-b"], category=category, start=D(2023, 1, 8))
    assert sched.outcome is Outcome.NOT_IDENTIFIED


def test_a_category_domain_md_gives_no_rule_for_answers_no_rule(presets):
    sched = schedule(
        rule_set=presets["ninth-edition"], category="inbound_traveller", start=D(2022, 7, 1)
    )
    assert sched.outcome is Outcome.NO_RULE


def test_an_unknown_category_is_refused(presets):
    with pytest.raises(ValueError):
        schedule(rule_set=presets["ninth-edition"], category="neighbour", start=D(2022, 7, 1))


def test_zone_rules_step_down_as_domain_md_says(presets):
    def steps(rule_set: RuleSet) -> set[tuple[str, bool, int | None, str]]:
        return {
            (z.level, z.designated, z.days_without_case, z.next_level)
            for z in ZoneRule.objects.filter(rule_set=rule_set)
        }

    assert steps(presets["ninth-edition"]) == {
        ("high", True, 7, "medium"),
        ("medium", False, 3, "low"),  # stepped down from high: 3 more days
        ("medium", True, 7, "low"),  # designated medium
        ("low", True, None, ""),
    }
    assert steps(presets["twenty-measures"]) == {("high", True, 5, "low"), ("low", True, None, "")}
    assert steps(presets["class-b"]) == set()
    high = zone_rule_for(rule_set=presets["ninth-edition"], level="high")
    assert high is not None and high.days_without_case == 7


@pytest.mark.parametrize(
    ("on", "preset"),
    [
        (D(2022, 6, 27), None),
        (D(2022, 6, 28), "ninth-edition"),
        (D(2022, 11, 10), "ninth-edition"),
        (D(2022, 11, 11), "twenty-measures"),
        (D(2023, 1, 7), "twenty-measures"),
        (D(2023, 1, 8), "class-b"),
        (D(2030, 1, 1), "class-b"),
    ],
)
def test_the_rule_set_in_force_is_the_latest_published_one_on_or_before_the_day(
    presets, on, preset
):
    in_force = rule_set_in_force(on)
    assert (in_force.preset if in_force else None) == preset


def test_a_draft_is_never_in_force(presets):
    RuleSet.objects.create(name="draft", effective_from=D(2023, 2, 1))
    in_force = rule_set_in_force(D(2023, 3, 1))
    assert in_force is not None and in_force.preset == "class-b"


def test_removing_the_presets_and_installing_them_again_round_trips(presets):
    copy = RuleSet.objects.create(name="local copy", copied_from=presets["class-b"])
    remove_presets(apps.get_model)
    assert not RuleSet.objects.exclude(preset="").exists()
    copy.refresh_from_db()
    assert copy.copied_from is None  # copies outlive their source
    assert install_presets(apps.get_model) == 3
    assert install_presets(apps.get_model) == 0
    sched = schedule(
        rule_set=RuleSet.objects.get(preset="ninth-edition"),
        category=C.CLOSE_CONTACT,
        start=D(2022, 7, 1),
    )
    assert sched.release_on == D(2022, 7, 11)
