"""Prepared-row inserts with allocated ids, on both databases."""

from __future__ import annotations

import gc

import pytest

from frontline.core.bulk import RowWriter, allocate_ids, cycle_collection_paused
from frontline.places.models import Household, Unit


def test_rows_written_with_allocated_ids_are_readable_by_those_ids(world):
    building = world.building1
    ids = allocate_ids(Unit, 3)
    assert len(set(ids)) == 3
    written = RowWriter(Unit, ("id", "building_id", "number")).write(
        (pk, building.pk, f"{9 + index}") for index, pk in enumerate(ids)
    )
    assert written == 3
    assert dict(Unit.objects.filter(pk__in=ids).values_list("pk", "number")) == {
        ids[0]: "9",
        ids[1]: "10",
        ids[2]: "11",
    }
    assert Unit.objects.get(pk=ids[0]).created_at is not None  # auto_now_add filled in


def test_allocated_ids_never_collide_with_later_rows_or_reuse_deleted_ones(world):
    first = allocate_ids(Unit, 2)
    RowWriter(Unit, ("id", "building_id", "number")).write(
        [(first[0], world.building1.pk, "21"), (first[1], world.building1.pk, "22")]
    )
    later = Unit.objects.create(building=world.building1, number="23")
    assert later.pk > max(first)
    Unit.objects.filter(pk=later.pk).delete()
    assert min(allocate_ids(Unit, 1)) > later.pk
    assert allocate_ids(Unit, 0) == []


def test_other_fields_get_their_defaults(world):
    unit = world.household1.unit
    RowWriter(Household, ("unit_id", "room")).write([(unit.pk, "999")])
    household = Household.objects.get(unit=unit, room="999")
    assert household.phone == Household._meta.get_field("phone").get_default() == ""


def test_skip_existing_leaves_out_rows_that_break_a_unique_constraint(world):
    unit = world.household1.unit
    existing = world.household1.room
    written = RowWriter(Household, ("unit_id", "room"), skip_existing=True)
    written.write([(unit.pk, existing), (unit.pk, "1001"), (unit.pk, "1001")])
    assert sorted(Household.objects.filter(unit=unit).values_list("room", flat=True)) == sorted(
        [existing, "1001"]
    )


def test_cycle_collection_paused_restarts_the_collector_only_where_it_paused_it():
    assert gc.isenabled()
    with cycle_collection_paused():
        assert not gc.isenabled()
        with cycle_collection_paused():  # nested: the inner call did not pause it
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ValueError), cycle_collection_paused():
        raise ValueError
    assert gc.isenabled()


def test_cycle_collection_paused_leaves_a_collector_someone_else_stopped_stopped():
    gc.disable()
    try:
        with cycle_collection_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
