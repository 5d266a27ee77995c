"""When a new rule set takes effect: which running orders it changes, how, and moving them to it.

An order is planned under the rule set in force on its start date and keeps those phases. When a
later rule set takes effect while the order still runs, the order does not change by itself:
the policy editor sees the impact (counts per community, no names) before publishing, and each
community's admin sees a preview of every affected order (release date before and after, test
days added and no longer needed) and confirms it. Confirming re-plans each order with
`arithmetic.replanned`: the days before the effective date stay as they were, the days from it
follow the new rules counted from the order's own start. The confirmation carries a fingerprint
of the preview, so nothing changes that the admin has not seen.

Categories the new rule set has no rule for are left alone. When it no longer identifies a
category, the order's release date becomes the effective date and its waiting tests lapse.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from frontline.accounts.access import Permission, has_permission, scoped
from frontline.accounts.models import User
from frontline.control import arithmetic
from frontline.control.models import (
    ControlOrder,
    EventKind,
    OrderEvent,
    OrderStatus,
    OrderTest,
    SampleResult,
)
from frontline.control.services import audit_order, test_add
from frontline.core.models import AuditAction
from frontline.policy.models import CategoryRule, RuleSet, RuleSetStatus
from frontline.policy.selectors import phase_specs
from frontline.tasks.models import ACTIVE_STATUSES
from frontline.tasks.services import task_cancel

Viewer = User | AnonymousUser
Specs = list[tuple[str, int, tuple[int, ...]]] | None  # None: the category is not identified


@dataclass(frozen=True)
class Replan:
    """What the new rules make of one running order."""

    order: ControlOrder
    effective: dt.date
    identified: bool  # False: the new rules no longer identify the order's category
    phases: list[arithmetic.PhaseSnapshot]
    release_on: dt.date
    added: tuple[dt.date, ...]  # test days the new rules add
    dropped: tuple[dt.date, ...]  # test days still waiting that are no longer required

    @property
    def shift(self) -> int:
        """Days the release date moves: negative when it comes earlier."""
        return (self.release_on - self.order.release_on).days

    @property
    def days_moved(self) -> int:
        return abs(self.shift)

    @property
    def measure_before(self) -> str | None:
        """The measure the order held for the effective date before the change."""
        found = arithmetic.phase_on(self.order.phase_snapshots, self.effective)
        return found[1].measure if found else None

    @property
    def measure_after(self) -> str | None:
        """The measure on the effective date under the new rules; None: free that day."""
        found = arithmetic.phase_on(self.phases, self.effective)
        return found[1].measure if found else None


@dataclass(frozen=True)
class Counts:
    orders: int
    earlier: int
    later: int
    ended: int
    tests_added: int
    tests_dropped: int

    @staticmethod
    def of(plans: Sequence[Replan]) -> Counts:
        return Counts(
            orders=len(plans),
            earlier=sum(plan.identified and plan.shift < 0 for plan in plans),
            later=sum(plan.identified and plan.shift > 0 for plan in plans),
            ended=sum(not plan.identified for plan in plans),
            tests_added=sum(len(plan.added) for plan in plans),
            tests_dropped=sum(len(plan.dropped) for plan in plans),
        )


def category_specs(rule_set: RuleSet) -> dict[str, Specs]:
    """Per category the rule set has a rule for: its phases as the arithmetic takes them, or
    None when the category is not identified. Categories without a rule are left out."""
    rules = CategoryRule.objects.filter(rule_set=rule_set).prefetch_related("phases")
    return {
        rule.category: (
            [(spec.measure, spec.days, tuple(spec.test_days)) for spec in phase_specs(rule)]
            if rule.identified
            else None
        )
        for rule in rules
    }


def affected_orders(
    *, viewer: Viewer, permission: Permission, rule_set: RuleSet, effective: dt.date,
    categories: Iterable[str],
) -> QuerySet[ControlOrder]:  # fmt: skip
    """Active orders in the viewer's scope that began under an older rule set and still run on
    `effective`, of a category `rule_set` has a rule for, and starting before the next published
    rule set takes over (whose own change governs them)."""
    orders = ControlOrder.objects.filter(
        scoped(viewer, permission, ControlOrder),
        status=OrderStatus.ACTIVE,
        rule_set__effective_from__lt=effective,
        release_on__gt=effective,
        category__in=list(categories),
    ).exclude(rule_set=rule_set)
    following = (
        RuleSet.objects.filter(status=RuleSetStatus.PUBLISHED, effective_from__gt=effective)
        .exclude(pk=rule_set.pk)
        .order_by("effective_from")
        .values_list("effective_from", flat=True)
        .first()
    )
    return orders.filter(start_on__lt=following) if following is not None else orders


def replan(order: ControlOrder, *, specs: Specs, effective: dt.date) -> Replan:
    """Uses the order's prefetched tests. A test still waiting lapses from the effective date on
    when the new plan has no test that day, and on any day when the category is no longer
    identified. Results already recorded are never touched."""
    phases = arithmetic.replanned(
        order.phase_snapshots, start=order.start_on, effective=effective, specs=specs
    )
    planned = {test.day for test in arithmetic.planned_tests(phases)}
    tests = list(order.tests.all())
    dropped = sorted(
        test.day
        for test in tests
        if test.result == SampleResult.PENDING
        and (specs is None or (test.day not in planned and test.day >= effective))
    )
    existing = {test.day for test in tests}
    added = sorted(day for day in planned - existing if day >= effective)
    return Replan(
        order=order, effective=effective, identified=specs is not None, phases=phases,
        release_on=arithmetic.release_date(phases, order.start_on),
        added=tuple(added), dropped=tuple(dropped),
    )  # fmt: skip


def replans(
    orders: QuerySet[ControlOrder], *, specs: dict[str, Specs], effective: dt.date
) -> list[Replan]:
    """Every order's re-plan, in a fixed number of queries."""
    rows = orders.select_related(
        "resident__household__unit__building", "rule_set", "community"
    ).prefetch_related(Prefetch("tests", OrderTest.objects.order_by("day")))
    return [replan(order, specs=specs[order.category], effective=effective) for order in rows]


def fingerprint(plans: Sequence[Replan]) -> str:
    """A digest of exactly what confirming would change, to refuse the confirmation of a
    preview that no longer holds (an order released, extended or made since)."""
    digest = hashlib.sha256()
    for plan in sorted(plans, key=lambda plan: plan.order.pk):
        added = ",".join(day.isoformat() for day in plan.added)
        dropped = ",".join(day.isoformat() for day in plan.dropped)
        digest.update(
            f"{plan.order.pk}:{plan.order.release_on}:{plan.release_on}:{added}:{dropped};".encode()
        )
    return digest.hexdigest()[:32]


# -- the community admin's preview and confirmation ---------------------------------------------


@dataclass(frozen=True)
class Preview:
    rule_set: RuleSet
    effective: dt.date
    plans: list[Replan]
    fingerprint: str
    counts: Counts


def _effective(rule_set: RuleSet) -> dt.date:
    if rule_set.status != RuleSetStatus.PUBLISHED or rule_set.effective_from is None:
        raise ValidationError(
            {"rule_set": [_("Only a published rule set can take over running orders.")]}
        )
    return rule_set.effective_from


def _orders(
    viewer: Viewer, rule_set: RuleSet
) -> tuple[dt.date, dict[str, Specs], QuerySet[ControlOrder]]:
    if not has_permission(viewer, Permission.MANAGE_CONTROL):
        raise PermissionDenied
    effective = _effective(rule_set)
    specs = category_specs(rule_set)
    orders = affected_orders(
        viewer=viewer, permission=Permission.MANAGE_CONTROL, rule_set=rule_set,
        effective=effective, categories=specs,
    )  # fmt: skip
    return effective, specs, orders


def transition_preview(*, viewer: Viewer, rule_set: RuleSet) -> Preview:
    """The running orders in the viewer's scope that `rule_set` changes, soonest release first."""
    effective, specs, orders = _orders(viewer, rule_set)
    plans = replans(orders.order_by("release_on", "id"), specs=specs, effective=effective)
    return Preview(rule_set, effective, plans, fingerprint(plans), Counts.of(plans))


def pending_transitions(*, viewer: Viewer) -> list[tuple[RuleSet, int]]:
    """Published rule sets with running orders in the viewer's scope still to move to them:
    one query per published rule set (there are a handful)."""
    if not has_permission(viewer, Permission.MANAGE_CONTROL):
        return []
    found = []
    published = RuleSet.objects.filter(status=RuleSetStatus.PUBLISHED).prefetch_related(
        "category_rules"
    )
    for rule_set in published.order_by("effective_from"):
        assert rule_set.effective_from is not None
        count = affected_orders(
            viewer=viewer, permission=Permission.MANAGE_CONTROL, rule_set=rule_set,
            effective=rule_set.effective_from,
            categories=[rule.category for rule in rule_set.category_rules.all()],
        ).count()  # fmt: skip
        if count:
            found.append((rule_set, count))
    return found


def _apply(actor: User, plan: Replan, *, rule_set: RuleSet, reason: str) -> None:
    order = plan.order
    before = {"rule_set": order.rule_set.name, "release_on": order.release_on.isoformat(),
              "phases": order.phases}  # fmt: skip
    order.rule_set = rule_set
    order.phases = [phase.as_json() for phase in plan.phases]
    order.release_on = plan.release_on
    order.total_days = arithmetic.total_days(plan.phases)
    order.measures = ",".join(dict.fromkeys(phase.measure for phase in plan.phases))
    order.save(
        update_fields=["rule_set", "phases", "release_on", "total_days", "measures", "updated_at"]
    )
    note = _("No longer required under %(rules)s.") % {"rules": rule_set.name}
    kept = {test.day: test for test in order.tests.select_related("task")}
    for day in plan.dropped:
        test = kept.pop(day)
        if test.task is not None and test.task.status in ACTIVE_STATUSES:
            task_cancel(actor=actor, task=test.task, note=note)
        test.delete()
    placed = {test.day: test for test in arithmetic.planned_tests(plan.phases)}
    for day, test in kept.items():  # joined phases renumber the days of the tests kept
        if day in placed and (test.phase_index, test.day_in_phase) != (
            placed[day].phase_index, placed[day].day_in_phase,
        ):  # fmt: skip
            test.phase_index, test.day_in_phase = placed[day].phase_index, placed[day].day_in_phase
            test.save(update_fields=["phase_index", "day_in_phase"])
    for day in plan.added:
        test_add(actor=actor, order=order, test=placed[day], phases=plan.phases)
    evidence = _("%(rules)s, in force from %(day)s") % {
        "rules": rule_set.name, "day": plan.effective.isoformat(),
    }  # fmt: skip
    OrderEvent.objects.create(
        order=order, kind=EventKind.REPLANNED, actor=actor, reason=reason, evidence=evidence[:300],
        details={"before": before, "rule_set": rule_set.name, "identified": plan.identified,
                 "release_on": plan.release_on.isoformat(),
                 "tests_added": [day.isoformat() for day in plan.added],
                 "tests_dropped": [day.isoformat() for day in plan.dropped]},
    )  # fmt: skip
    audit_order(
        actor=actor, order=order, action=AuditAction.UPDATE,
        fields=["rule_set", "phases", "release_on"], reason=reason,
        details={"rule_set": rule_set.pk, "release_before": before["release_on"],
                 "release_on": plan.release_on.isoformat()},
    )  # fmt: skip


@transaction.atomic
def transition_apply(
    *, actor: User, rule_set: RuleSet, fingerprint_seen: str, reason: str = ""
) -> int:
    """Move every order of the actor's preview to `rule_set`, all or nothing; how many moved.

    Refused when the preview the admin confirmed (`fingerprint_seen`) no longer matches what
    would change now. Each order gets an event and an audit entry; test days no longer required
    lose their sampling tasks and new ones get theirs.
    """
    effective, specs, orders = _orders(actor, rule_set)
    locked = orders.select_for_update(of=("self",)).order_by("id")
    plans = replans(locked, specs=specs, effective=effective)
    if fingerprint(plans) != fingerprint_seen:
        raise ValidationError(
            {
                "__all__": [
                    _(
                        "The orders changed since this preview was made; "
                        "look at the new one before confirming."
                    )
                ]
            }
        )
    reason = reason.strip() or _("%(rules)s took effect on %(day)s.") % {
        "rules": rule_set.name, "day": effective.isoformat(),
    }  # fmt: skip
    for plan in plans:
        _apply(actor, plan, rule_set=rule_set, reason=reason)
    return len(plans)


# -- the policy editor's impact summary, without names ------------------------------------------


def impact(*, viewer: Viewer, rule_set: RuleSet, effective: dt.date) -> list[tuple[str, Counts]]:
    """For a policy editor about to publish `rule_set` on `effective`: per community in their
    scope, how many running orders it would change and how. Counts only, never a name."""
    if not has_permission(viewer, Permission.EDIT_POLICY):
        raise PermissionDenied
    specs = category_specs(rule_set)
    orders = affected_orders(
        viewer=viewer, permission=Permission.EDIT_POLICY, rule_set=rule_set, effective=effective,
        categories=specs,
    )  # fmt: skip
    by_community: dict[str, list[Replan]] = {}
    for plan in replans(orders, specs=specs, effective=effective):
        by_community.setdefault(plan.order.community.name, []).append(plan)
    return [(name, Counts.of(plans)) for name, plans in sorted(by_community.items())]
