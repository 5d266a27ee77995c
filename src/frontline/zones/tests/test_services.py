"""Raising, stepping down and lifting zones through the services: evidence or nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import translation

from frontline.core.models import AuditEntry
from frontline.places.models import Unit
from frontline.zones.models import Zone, ZoneEvent, ZoneEventKind
from frontline.zones.services import zone_lift, zone_raise, zone_step_down
from frontline.zones.tests.factories import NINTH, TWENTY, case_of, high_zone


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def test_a_case_in_the_building_raises_a_high_zone_with_an_event_and_an_audit_entry(world):
    zone = high_zone(world)
    assert (zone.level, zone.designated, zone.last_case_on, zone.lifted_on) == (
        "high", True, NINTH, None,
    )  # fmt: skip
    assert zone.rule_set.preset == "ninth-edition"
    event = ZoneEvent.objects.get(zone=zone)
    assert event.kind == ZoneEventKind.RAISED and event.case is not None
    assert event.actor == world.users["fulltime"] and "阳性" in event.evidence
    assert AuditEntry.objects.filter(target_id=str(zone.pk), fields=["level"]).count() == 1


def test_a_case_living_elsewhere_cannot_raise_the_zone(world):
    elsewhere = case_of(world, world.li)  # 李四 lives in building 5
    with pytest.raises(ValidationError) as error:
        zone_raise(place=world.building1, level="high", case=elsewhere,
                   actor=world.users["fulltime"], on=NINTH)  # fmt: skip
    assert "case" in error.value.message_dict
    assert not Zone.objects.exists() and not ZoneEvent.objects.exists()


def test_a_unit_zone_needs_a_case_in_that_unit(world):
    unit = Unit.objects.get(building=world.building1, number="2")
    other_unit = Unit.objects.create(building=world.building1, number="1")
    case = case_of(world)
    with pytest.raises(ValidationError):
        zone_raise(
            place=other_unit, level="medium", case=case, actor=world.users["admin"], on=NINTH
        )
    zone = zone_raise(place=unit, level="medium", case=case, actor=world.users["admin"], on=NINTH)
    assert zone.unit == unit and zone.building is None and zone.site == world.building1


def test_a_level_outside_the_rule_set_in_force_is_refused_with_every_bad_field(world):
    case = case_of(world, day=TWENTY)  # the 20 measures have no medium-risk areas
    with translation.override("en"), pytest.raises(ValidationError) as error:
        zone_raise(place=world.building1, level="medium", case=case,
                   actor=world.users["admin"], on=TWENTY)  # fmt: skip
    assert "has no zone at this level" in error.value.message_dict["level"][0]
    with pytest.raises(ValidationError) as error:
        zone_raise(place=world.building2, level="nonsense", case=case,
                   actor=world.users["admin"], on=TWENTY)  # fmt: skip
    assert set(error.value.message_dict) == {"level", "case"}


def test_raising_needs_manage_control_inside_scope_and_404_outside(world):
    case = case_of(world)
    with pytest.raises(PermissionDenied):
        zone_raise(place=world.building1, level="high", case=case,
                   actor=world.users["parttime"], on=NINTH)  # fmt: skip
    with pytest.raises(Http404):
        zone_raise(place=world.building1, level="high", case=case,
                   actor=world.users["other_admin"], on=NINTH)  # fmt: skip


def test_a_new_case_resets_the_last_case_date_and_a_higher_level_raises(world):
    zone = zone_raise(place=world.building1, level="medium", case=case_of(world),
                      actor=world.users["admin"], on=NINTH)  # fmt: skip
    later = NINTH + days(3)
    again = zone_raise(place=world.building1, level="medium", case=case_of(world, day=later),
                       actor=world.users["admin"], on=later)  # fmt: skip
    assert again.pk == zone.pk and again.last_case_on == later and again.level == "medium"
    higher = zone_raise(place=world.building1, level="high",
                        case=case_of(world, day=later + days(1)),
                        actor=world.users["admin"], on=later + days(1))  # fmt: skip
    assert higher.pk == zone.pk and higher.level == "high"
    kinds = list(ZoneEvent.objects.filter(zone=zone).values_list("kind", flat=True))
    assert kinds == ["raised", "new_case", "raised"]


def test_the_same_case_cannot_be_recorded_twice(world):
    case = case_of(world)
    zone_raise(place=world.building1, level="high", case=case, actor=world.users["admin"], on=NINTH)
    with pytest.raises(ValidationError):
        zone_raise(place=world.building1, level="high", case=case,
                   actor=world.users["admin"], on=NINTH)  # fmt: skip


def test_a_ninth_edition_high_zone_steps_down_to_medium_then_is_lifted_on_the_rule_set_days(
    world,
):
    zone = high_zone(world)
    with pytest.raises(ValidationError):
        zone_step_down(zone=zone, actor=world.users["admin"], on=NINTH + days(7))
    zone = zone_step_down(zone=zone, actor=world.users["admin"], on=NINTH + days(8))
    assert (zone.level, zone.designated, zone.level_since) == ("medium", False, NINTH + days(8))
    # a medium area stepped down from high needs 3 more days (not the designated 7)
    with pytest.raises(ValidationError):
        zone_lift(zone=zone, actor=world.users["admin"], on=NINTH + days(10))
    # stepping down to low, the level everyone else is in, lifts the zone
    with pytest.raises(ValidationError):
        zone_step_down(zone=zone, actor=world.users["admin"], on=NINTH + days(11))
    zone = zone_lift(zone=zone, actor=world.users["admin"], on=NINTH + days(11))
    assert zone.lifted_on == NINTH + days(11) and zone.level == "medium"


def test_a_zone_designated_at_the_lowest_level_never_steps_down(world):
    zone = zone_raise(place=world.building1, level="low", case=case_of(world),
                      actor=world.users["admin"], on=NINTH)  # fmt: skip
    with translation.override("en"), pytest.raises(ValidationError) as error:
        zone_lift(zone=zone, actor=world.users["admin"], on=NINTH + days(100))
    assert "does not step this level down" in str(error.value)


def test_a_twenty_measures_high_zone_is_lifted_after_five_days_and_not_stepped_down(world):
    zone = high_zone(world, day=TWENTY)
    with pytest.raises(ValidationError):
        zone_lift(zone=zone, actor=world.users["admin"], on=TWENTY + days(5))
    with translation.override("en"), pytest.raises(ValidationError) as error:
        zone_step_down(zone=zone, actor=world.users["admin"], on=TWENTY + days(6))
    assert "lifts this zone" in str(error.value)
    zone = zone_lift(zone=zone, actor=world.users["admin"], on=TWENTY + days(6))
    assert zone.lifted_on == TWENTY + days(6)
    assert list(zone.events.values_list("kind", flat=True)) == ["raised", "lifted"]
    with pytest.raises(ValidationError):
        zone_lift(zone=zone, actor=world.users["admin"], on=TWENTY + days(7))


def test_after_a_lift_a_new_case_designates_a_new_zone(world):
    zone = high_zone(world, day=TWENTY)
    zone_lift(zone=zone, actor=world.users["admin"], on=TWENTY + days(6))
    again = zone_raise(place=world.building1, level="high",
                       case=case_of(world, day=TWENTY + days(9)),
                       actor=world.users["admin"], on=TWENTY + days(9))  # fmt: skip
    assert again.pk != zone.pk and Zone.objects.filter(lifted_on__isnull=True).count() == 1


def test_stepping_down_needs_manage_control(world):
    zone = high_zone(world)
    with pytest.raises(PermissionDenied):
        zone_step_down(zone=zone, actor=world.users["grid1"], on=NINTH + days(8))
    with pytest.raises(Http404):
        zone_step_down(zone=zone, actor=world.users["other_admin"], on=NINTH + days(8))
    assert Zone.objects.get(pk=zone.pk).level == "high"


def test_zone_events_are_append_only(world):
    zone = high_zone(world)
    event = zone.events.get()
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        ZoneEvent.objects.filter(zone=zone).update(reason="x")
    with pytest.raises(TypeError):
        ZoneEvent.objects.filter(zone=zone).delete()


def test_a_zone_row_names_exactly_one_place(world):
    from django.db import IntegrityError, transaction

    zone = high_zone(world)
    unit = world.household1.unit
    with pytest.raises(IntegrityError), transaction.atomic():
        Zone.objects.filter(pk=zone.pk).update(unit=unit)
    with pytest.raises(IntegrityError), transaction.atomic():
        Zone.objects.filter(pk=zone.pk).update(building=None)
