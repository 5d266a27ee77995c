"""Zone arithmetic without the database: for a zone and a date, the days without a new case,
the step-down date, whether stepping down or lifting is due, and the checklist to show.

The counting follows `policy.rules.step_down_on`: a zone whose last case was on day 0 and whose
rule needs 7 days without a case steps down on day 8. A zone that stepped down to its level
counts its level's days afresh from the day it stepped down (DOMAIN.md: "再连续3天").
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from frontline.policy.rules import step_down_on


class Action(enum.StrEnum):
    STEP_DOWN = "step_down"
    LIFT = "lift"


@dataclass(frozen=True)
class RuleSpec:
    """What a zone rule says: days without a case before the next step, and the next level
    ("" when that step lifts the zone); `days_without_case` None when the level never steps down.
    `next_is_baseline` says the next level is the rule set's lowest, which never steps down (the
    low-risk area everyone else is in): stepping down to it lifts the zone."""

    days_without_case: int | None
    next_level: str = ""
    next_is_baseline: bool = False
    contacts_cleared_days: int | None = None
    area_test_within_days: int | None = None


@dataclass(frozen=True)
class CheckItem:
    text: str
    ok: bool | None  # None: to be confirmed by the person lifting
    required: bool


@dataclass(frozen=True)
class Review:
    days_since_last_case: int
    days_without_case: int  # full days without a new case counted at this level
    needed: int | None
    step_down_on: date | None
    action: Action | None
    next_level: str
    due: bool
    checklist: tuple[CheckItem, ...]


def counted_from(*, last_case_on: date, level_since: date, designated: bool) -> date:
    """The day the count of days without a case starts after: the last case, or, for a zone that
    stepped down to its level, the day before it did if that is later."""
    if designated:
        return last_case_on
    return max(last_case_on, level_since - timedelta(days=1))


def review(
    *,
    last_case_on: date,
    level_since: date,
    designated: bool,
    on: date,
    rule: RuleSpec | None,
    under_control: int | None = None,
) -> Review:
    start = counted_from(last_case_on=last_case_on, level_since=level_since, designated=designated)
    days_since = max(0, (on - last_case_on).days)
    days_without = max(0, (on - start).days - 1)
    items: list[CheckItem] = []
    if rule is None or rule.days_without_case is None:
        items.append(
            CheckItem(_("The rule set does not step this level down."), ok=False, required=True)
        )
        return Review(days_since, days_without, None, None, None, "", False, tuple(items))
    needed = rule.days_without_case
    stepping_on = step_down_on(last_case_on=start, days_without_case=needed)
    lifts = not rule.next_level or rule.next_is_baseline
    action = Action.LIFT if lifts else Action.STEP_DOWN
    due = on >= stepping_on
    items.append(
        CheckItem(
            ngettext(
                "%(days)s full day without a new case (needs %(needed)s)",
                "%(days)s full days without a new case (needs %(needed)s)",
                days_without,
            )
            % {"days": days_without, "needed": needed},
            ok=due,
            required=True,
        )
    )
    if under_control is not None:
        items.append(
            CheckItem(
                _("No one under control in the place (now %(count)s)") % {"count": under_control},
                ok=under_control == 0,
                required=False,
            )
        )
    if action is Action.LIFT and rule.contacts_cleared_days is not None:
        items.append(
            CheckItem(
                _("The last close contact is more than %(days)s days past exposure and negative")
                % {"days": rule.contacts_cleared_days},
                ok=None,
                required=False,
            )
        )
    if action is Action.LIFT and rule.area_test_within_days is not None:
        items.append(
            CheckItem(
                _("An area-wide test round within %(days)s days was all negative")
                % {"days": rule.area_test_within_days},
                ok=None,
                required=False,
            )
        )
    next_level = "" if lifts else rule.next_level
    return Review(
        days_since, days_without, needed, stepping_on, action, next_level, due, tuple(items)
    )
