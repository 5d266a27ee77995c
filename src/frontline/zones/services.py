"""The only writes of zones: raise on a confirmed case in the place, step down or lift when the
rule set's zone rule says so. Each one checks scope with `require`, locks the zone, appends a
`ZoneEvent` and an audit entry. There is no other way to change a zone's level."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from frontline.accounts.access import Permission, require
from frontline.accounts.models import User
from frontline.contacts.models import Case
from frontline.core.audit import audit_record
from frontline.core.models import AuditAction
from frontline.places.models import Building, Unit
from frontline.policy.models import ZoneLevel
from frontline.policy.selectors import rule_set_in_force, zone_rule_for
from frontline.zones import arithmetic
from frontline.zones.models import LEVEL_RANK, Zone, ZoneEvent, ZoneEventKind
from frontline.zones.selectors import under_control_count, zone_review

Place = Building | Unit


def case_words(case: Case) -> str:
    """The evidence in words without the person: the reference and the date."""
    return _("Confirmed case %(reference)s on %(day)s") % {
        "reference": case.reference, "day": case.confirmed_on.isoformat(),
    }  # fmt: skip


def case_in_place(case: Case, place: Place) -> bool:
    """Whether the case is a resident living in the building or the unit."""
    if case.resident_id is None:
        return False
    if isinstance(place, Building):
        return case.building_id == place.pk
    return bool(case.resident.household.unit_id == place.pk)  # type: ignore[union-attr]


def _audit(actor: User, zone: Zone, kind: str, reason: str, details: dict[str, object]) -> None:
    audit_record(
        actor=actor, action=AuditAction.UPDATE if kind != ZoneEventKind.RAISED else AuditAction.CREATE,
        target=zone, label=zone.place_label, community_id=zone.community_id,
        fields=["level"], reason=reason, details={"change": kind, **details},
    )  # fmt: skip


def zone_raise(
    *,
    place: Place,
    level: str,
    case: Case,
    actor: User,
    on: dt.date | None = None,
    reason: str = "",
) -> Zone:
    """Designate (or raise) the place's zone on a confirmed case living there. A case in a zone
    already at this level or higher resets its last-case date."""
    on = on or timezone.localdate()
    site = place if isinstance(place, Building) else place.building
    require(actor, Permission.MANAGE_CONTROL, site)
    errors: dict[str, list[str]] = {}
    if level not in ZoneLevel.values:
        errors["level"] = [_("Choose a zone level.")]
    if not case_in_place(case, place):
        errors["case"] = [_("The confirmed case must be a resident living in this place.")]
    elif case.confirmed_on > on:
        errors["case"] = [_("The case is confirmed after the day of the change.")]
    rule_set = rule_set_in_force(on)
    if rule_set is None:
        errors["level"] = [_("No rule set is in force on this day.")]
    elif "level" not in errors and zone_rule_for(rule_set=rule_set, level=level) is None:
        errors["level"] = [
            _("The rule set in force (%(name)s) has no zone at this level.")
            % {"name": rule_set.name}
        ]
    if errors:
        raise ValidationError(errors)
    assert rule_set is not None
    place_filter = {"building": place} if isinstance(place, Building) else {"unit": place}
    evidence = case_words(case)
    with transaction.atomic():
        zone = (
            Zone.objects.select_for_update().filter(lifted_on__isnull=True, **place_filter).first()
        )
        if zone is None:
            zone = Zone.objects.create(
                community_id=site.community_id, site=site, level=level, designated=True,
                designated_on=on, rule_set=rule_set, last_case_on=case.confirmed_on,
                level_since=on, **place_filter,
            )  # fmt: skip
            kind, from_level = ZoneEventKind.RAISED, ""
        else:
            if ZoneEvent.objects.filter(zone=zone, case=case).exists():
                raise ValidationError({"case": [_("This case is already recorded for the zone.")]})
            from_level = zone.level
            zone.last_case_on = max(zone.last_case_on, case.confirmed_on)
            if LEVEL_RANK[level] > zone.rank:
                kind = ZoneEventKind.RAISED
                zone.level, zone.designated, zone.level_since = level, True, on
                zone.rule_set = rule_set
            else:
                kind = ZoneEventKind.NEW_CASE
            zone.save()
        ZoneEvent.objects.create(
            zone=zone, kind=kind, from_level=from_level, to_level=zone.level, on=on, case=case,
            actor=actor, reason=reason, evidence=evidence,
        )  # fmt: skip
        _audit(actor, zone, kind, reason, {"from": from_level, "to": zone.level, "case": case.pk})
    return zone


def _follow_rule(
    *, zone: Zone, actor: User, on: dt.date | None, reason: str, wanted: arithmetic.Action
) -> Zone:
    on = on or timezone.localdate()
    require(actor, Permission.MANAGE_CONTROL, zone)
    with transaction.atomic():
        zone = (
            Zone.objects.select_for_update(of=("self",))  # the unit is an outer join
            .select_related("site", "unit")
            .get(pk=zone.pk)
        )
        if not zone.is_active:
            raise ValidationError(_("The zone is already lifted."))
        found = zone_review(zone, on=on, under_control=under_control_count(zone))
        if found.action is None:
            raise ValidationError(_("The rule set does not step this level down."))
        if found.action is not wanted:
            raise ValidationError(
                _("The rule set lifts this zone rather than stepping it down.")
                if found.action is arithmetic.Action.LIFT
                else _("The rule set steps this zone down to a lower level before lifting it.")
            )
        if not found.due:
            raise ValidationError(
                _("Not due yet: %(days)s of %(needed)s days without a new case; due on %(day)s.")
                % {
                    "days": found.days_without_case,
                    "needed": found.needed,
                    "day": found.step_down_on.isoformat() if found.step_down_on else "",
                }
            )
        from_level = zone.level
        evidence = _("%(days)s days without a new case (needs %(needed)s), rule set %(name)s") % {
            "days": found.days_without_case, "needed": found.needed, "name": zone.rule_set.name,
        }  # fmt: skip
        if wanted is arithmetic.Action.LIFT:
            kind = ZoneEventKind.LIFTED
            zone.lifted_on = on
        else:
            kind = ZoneEventKind.STEPPED_DOWN
            zone.level, zone.designated, zone.level_since = found.next_level, False, on
        zone.save()
        ZoneEvent.objects.create(
            zone=zone, kind=kind, from_level=from_level,
            to_level="" if kind == ZoneEventKind.LIFTED else zone.level, on=on, actor=actor,
            reason=reason, evidence=evidence,
        )  # fmt: skip
        _audit(actor, zone, kind, reason, {"from": from_level, "to": zone.level})
    return zone


def zone_step_down(*, zone: Zone, actor: User, on: dt.date | None = None, reason: str = "") -> Zone:
    """Step the zone down to its rule's next level, when its days without a new case are due."""
    return _follow_rule(
        zone=zone, actor=actor, on=on, reason=reason, wanted=arithmetic.Action.STEP_DOWN
    )


def zone_lift(*, zone: Zone, actor: User, on: dt.date | None = None, reason: str = "") -> Zone:
    """Lift the zone, when its rule lifts it and its days without a new case are due."""
    return _follow_rule(zone=zone, actor=actor, on=on, reason=reason, wanted=arithmetic.Action.LIFT)
