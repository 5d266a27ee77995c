"""The control policy over the API: rule sets with their rules, and the schedule calculator.

Reading needs the view-health or edit-policy permission anywhere (rule sets are installation-wide;
no community scope applies). A missing rule set answers 404 before any permission is checked.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema

from frontline.accounts.access import Permission, api_requires
from frontline.core.http import AuthedRequest
from frontline.policy import explain, selectors
from frontline.policy.models import Category, RuleSet

router = Router(tags=["policy"])


class RuleSetOut(Schema):
    id: int
    name: str
    status: str
    effective_from: dt.date | None
    in_force_today: bool
    copied_from_id: int | None

    @staticmethod
    def of(rule_set: RuleSet, in_force: RuleSet | None) -> "RuleSetOut":
        return RuleSetOut(
            id=rule_set.pk,
            name=rule_set.name,
            status=rule_set.status,
            effective_from=rule_set.effective_from,
            in_force_today=in_force is not None and in_force.pk == rule_set.pk,
            copied_from_id=rule_set.copied_from_id,
        )


class PhaseOut(Schema):
    measure: str
    days: int
    test_days: list[int]


class CategoryRuleOut(Schema):
    category: str
    label: str
    identified: bool | None  # None: the rule set has no rule for the category
    phases: list[PhaseOut]
    total_days: int
    summary: str


class ZoneRuleOut(Schema):
    level: str
    designated: bool
    days_without_case: int | None
    next_level: str
    contacts_cleared_days: int | None
    area_test_within_days: int | None
    summary: str


class RuleSetDetailOut(RuleSetOut):
    notes: str
    categories: list[CategoryRuleOut]
    zone_rules: list[ZoneRuleOut]


class ScheduleIn(Schema):
    # Both optional in the schema so that a missing rule set answers 404 before the body is
    # judged; the operation reports missing or bad fields itself.
    category: str = ""
    start: str = ""


class ScheduledPhaseOut(Schema):
    measure: str
    days: int
    start: dt.date
    end: dt.date
    test_dates: list[dt.date]


class ScheduleOut(Schema):
    outcome: str
    category: str
    start: dt.date
    total_days: int
    release_on: dt.date | None
    phases: list[ScheduledPhaseOut]


@router.get("/rule-sets", response=list[RuleSetOut], summary="Rule sets")
@api_requires(Permission.VIEW_HEALTH, Permission.EDIT_POLICY, per_object=True)
def rule_set_list(request: AuthedRequest, q: str = "") -> list[RuleSetOut]:
    rule_sets = selectors.rule_set_list(viewer=request.user, query=q)
    in_force = selectors.rule_set_in_force(timezone.localdate())
    return [RuleSetOut.of(rule_set, in_force) for rule_set in rule_sets]


@router.get("/rule-sets/{rule_set_id}", response=RuleSetDetailOut, summary="One rule set")
@api_requires(Permission.VIEW_HEALTH, Permission.EDIT_POLICY, per_object=True)
def rule_set_detail(request: AuthedRequest, rule_set_id: int) -> RuleSetDetailOut:
    rule_set = selectors.rule_set_get(viewer=request.user, pk=rule_set_id)
    rules, zones = selectors.rule_set_with_rules(rule_set)
    in_force = selectors.rule_set_in_force(timezone.localdate())
    return RuleSetDetailOut(
        **RuleSetOut.of(rule_set, in_force).model_dump(),
        notes=rule_set.notes,
        categories=[
            CategoryRuleOut(
                category=summary.category, label=summary.label, identified=summary.identified,
                phases=[PhaseOut(measure=s.measure, days=s.days, test_days=sorted(s.test_days))
                        for s in summary.specs],
                total_days=summary.total_days, summary=summary.sentence,
            )
            for summary in explain.summarise(rules)
        ],
        zone_rules=[
            ZoneRuleOut(
                level=zone.level, designated=zone.designated,
                days_without_case=zone.days_without_case, next_level=zone.next_level,
                contacts_cleared_days=zone.contacts_cleared_days,
                area_test_within_days=zone.area_test_within_days,
                summary=explain.zone_sentence(zone),
            )
            for zone in zones
        ],
    )  # fmt: skip


@router.post(
    "/rule-sets/{rule_set_id}/schedule", response=ScheduleOut, summary="Schedule calculation"
)
@api_requires(Permission.VIEW_HEALTH, Permission.EDIT_POLICY, per_object=True)
def rule_set_schedule(request: AuthedRequest, rule_set_id: int, body: ScheduleIn) -> ScheduleOut:
    """The phases, test dates and release date for a person of `category` from `start`."""
    rule_set = selectors.rule_set_get(viewer=request.user, pk=rule_set_id)
    problems: dict[str, list[str]] = {}
    if body.category not in Category.values:
        problems["category"] = [
            _("Choose one of: %(values)s.") % {"values": ", ".join(Category.values)}
        ]
    try:
        start = dt.date.fromisoformat(body.start)
    except ValueError:
        problems["start"] = [_("Give the first day as a date, e.g. 2022-07-01.")]
    if problems:
        raise ValidationError(problems)
    schedule = selectors.schedule(rule_set=rule_set, category=body.category, start=start)
    return ScheduleOut(
        outcome=str(schedule.outcome), category=str(schedule.category), start=schedule.start,
        total_days=schedule.total_days, release_on=schedule.release_on,
        phases=[
            ScheduledPhaseOut(measure=p.measure, days=p.days, start=p.start, end=p.end,
                              test_dates=list(p.test_dates))
            for p in schedule.phases
        ],
    )  # fmt: skip
