"""Copy a rule set as a draft, edit it, publish it; publishing validates everything and freezes it."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from frontline.core.models import AuditAction, AuditEntry
from frontline.policy.models import (
    Category,
    CategoryRule,
    Measure,
    Phase,
    RuleSet,
    RuleSetStatus,
    ZoneRule,
)
from frontline.policy.rules import Outcome, PhaseSpec
from frontline.policy.selectors import rule_set_in_force, schedule
from frontline.policy.services import (
    category_rule_put,
    rule_set_copy,
    rule_set_problems,
    rule_set_publish,
    zone_rules_put,
)


@pytest.fixture
def english():
    """Messages are checked in English; the default language is Chinese."""
    with translation.override("en"):
        yield


@pytest.fixture
def admin_user(world):
    return world.users["admin"]


@pytest.fixture
def draft(presets, admin_user):
    return rule_set_copy(actor=admin_user, source=presets["twenty-measures"], name="二十条（本市）")


def rules_of(rule_set):
    return [
        (rule.category, rule.identified, [(p.order, p.measure, p.days, p.test_days) for p in rule.phases.all()])
        for rule in CategoryRule.objects.filter(rule_set=rule_set).prefetch_related("phases")
    ]  # fmt: skip


def zones_of(rule_set):
    return list(
        ZoneRule.objects.filter(rule_set=rule_set).values_list(
            "level", "designated", "days_without_case", "next_level"
        )
    )


def test_a_copy_is_a_draft_with_every_rule_of_its_source(presets, draft):
    source = presets["twenty-measures"]
    assert (draft.status, draft.effective_from, draft.copied_from, draft.preset) == (
        RuleSetStatus.DRAFT, None, source, "",
    )  # fmt: skip
    assert rules_of(draft) == rules_of(source)
    assert zones_of(draft) == zones_of(source)
    assert AuditEntry.objects.filter(
        action=AuditAction.CREATE, target_id=str(draft.pk), target_label=draft.name
    ).exists()


def test_a_copy_needs_a_new_name(presets, admin_user, english):
    for name, message in (("  ", "name"), ("第九版防控方案", "already exists"), ("x" * 101, "100")):
        with pytest.raises(ValidationError) as error:
            rule_set_copy(actor=admin_user, source=presets["ninth-edition"], name=name)
        assert list(error.value.message_dict) == ["name"]
        assert message in error.value.message_dict["name"][0]
    assert RuleSet.objects.count() == 3


def test_only_policy_editors_and_superusers_change_policy(world, presets, draft):
    for name in ("fulltime", "grid1", "sampler", "volunteer"):
        with pytest.raises(PermissionDenied):
            rule_set_copy(actor=world.users[name], source=presets["class-b"], name=f"copy {name}")
        with pytest.raises(PermissionDenied):
            zone_rules_put(actor=world.users[name], rule_set=draft, zone_rules=[])
        with pytest.raises(PermissionDenied):
            rule_set_publish(
                actor=world.users[name], rule_set=draft, effective_from=date(2023, 2, 1)
            )
    draft.refresh_from_db()
    assert draft.status == RuleSetStatus.DRAFT
    # the sub-district officer sets policy for all its communities
    officer_copy = rule_set_copy(
        actor=world.users["officer"], source=presets["class-b"], name="乙类乙管（街道）"
    )
    assert officer_copy.status == RuleSetStatus.DRAFT


def test_publishing_a_draft_puts_it_in_force_from_its_date(draft, admin_user):
    published = rule_set_publish(actor=admin_user, rule_set=draft, effective_from=date(2022, 12, 1))
    assert (published.status, published.effective_from) == (
        RuleSetStatus.PUBLISHED,
        date(2022, 12, 1),
    )
    assert published.published_at is not None
    assert getattr(rule_set_in_force(date(2022, 11, 30)), "preset", None) == "twenty-measures"
    assert rule_set_in_force(date(2022, 12, 1)) == published
    assert getattr(rule_set_in_force(date(2023, 1, 8)), "preset", None) == "class-b"
    assert AuditEntry.objects.filter(action=AuditAction.UPDATE, target_id=str(draft.pk)).exists()


def test_an_edited_draft_schedules_with_its_own_numbers(draft, admin_user):
    category_rule_put(
        actor=admin_user, rule_set=draft, category=Category.CLOSE_CONTACT, identified=True,
        phases=[PhaseSpec(Measure.CENTRALISED_ISOLATION, 5, (5, 1)), PhaseSpec(Measure.HOME_ISOLATION, 2)],
    )  # fmt: skip
    assert list(
        Phase.objects.filter(category_rule__rule_set=draft, category_rule__category="close_contact")
        .values_list("order", "days", "test_days")
    ) == [(1, 5, [1, 5]), (2, 2, [])]  # fmt: skip
    rule_set_publish(actor=admin_user, rule_set=draft, effective_from=date(2022, 12, 1))
    sched = schedule(rule_set=draft, category=Category.CLOSE_CONTACT, start=date(2022, 12, 1))
    assert sched.release_on == date(2022, 12, 8)
    assert sched.test_dates == (date(2022, 12, 1), date(2022, 12, 5))


def test_a_category_can_stop_being_identified(draft, admin_user):
    category_rule_put(actor=admin_user, rule_set=draft, category="close_contact", identified=False)
    assert schedule(rule_set=draft, category="close_contact", start=date(2023, 1, 1)).outcome is (
        Outcome.NOT_IDENTIFIED
    )


def test_a_bad_category_rule_is_refused_with_every_problem_and_changes_nothing(draft, admin_user):
    before = rules_of(draft)
    with pytest.raises(ValidationError) as error:
        category_rule_put(
            actor=admin_user, rule_set=draft, category="close_contact", identified=True,
            phases=[PhaseSpec("centralised_isolation", 0, (1,)), PhaseSpec("quarantine_hotel", 3, (3, 4))],
        )  # fmt: skip
    messages = error.value.message_dict
    assert list(messages) == ["phases"]
    assert len(messages["phases"]) == 4  # 0 days, day 1 of 0, unknown measure, day 4 of 3
    assert rules_of(draft) == before


def test_publishing_reports_every_problem_keyed_by_field(presets, draft, admin_user, english):
    # drafts edited outside the services (the admin) can hold anything; publishing is the gate
    rule = CategoryRule.objects.get(rule_set=draft, category="close_contact")
    Phase.objects.filter(category_rule=rule, order=1).update(days=0, test_days=[1, 2])
    Phase.objects.filter(category_rule=rule, order=2).update(test_days=[0, 3, 3, 4])
    CategoryRule.objects.create(rule_set=draft, category="arrival_high_risk", identified=True)
    ZoneRule.objects.filter(rule_set=draft, level="high").update(next_level="medium")
    ZoneRule.objects.create(rule_set=draft, level="low", designated=False, next_level="low")
    with pytest.raises(ValidationError) as error:
        rule_set_publish(actor=admin_user, rule_set=draft, effective_from=date(2022, 11, 11))
    messages = error.value.message_dict
    assert set(messages) == {"phases", "category_rules", "zone_rules", "effective_from"}
    assert len(messages["phases"]) == 6
    assert messages["category_rules"] == [
        "Arrival from a high-risk area is identified but has no phases."
    ]
    assert len(messages["zone_rules"]) == 3  # medium undefined; low to itself, without days
    assert "二十条优化措施" in messages["effective_from"][0]
    draft.refresh_from_db()
    assert draft.status == RuleSetStatus.DRAFT
    assert rule_set_problems(draft) == {k: v for k, v in messages.items() if k != "effective_from"}


def test_a_sound_draft_has_no_problems(draft):
    assert rule_set_problems(draft) == {}


def test_a_published_set_is_frozen(presets, admin_user):
    ninth = presets["ninth-edition"]
    with pytest.raises(ValidationError) as error:
        rule_set_publish(actor=admin_user, rule_set=ninth, effective_from=date(2022, 7, 1))
    assert list(error.value.message_dict) == ["status"]
    with pytest.raises(ValidationError) as error:
        category_rule_put(
            actor=admin_user, rule_set=ninth, category="close_contact", identified=False
        )
    assert list(error.value.message_dict) == ["status"]
    ninth.refresh_from_db()
    assert ninth.effective_from == date(2022, 6, 28)
    assert CategoryRule.objects.get(rule_set=ninth, category="close_contact").identified


def test_a_phase_row_explains_bad_days_and_test_days_in_forms(english):
    phase = Phase(order=1, measure=Measure.HOME_ISOLATION, days=0, test_days=[1])
    with pytest.raises(ValidationError) as error:
        phase.clean()
    assert list(error.value.message_dict) == ["days"]
    phase.days, phase.test_days = 3, [1, 4]
    with pytest.raises(ValidationError) as error:
        phase.clean()
    assert list(error.value.message_dict) == ["test_days"]
    phase.test_days = [1, 3]
    phase.clean()
