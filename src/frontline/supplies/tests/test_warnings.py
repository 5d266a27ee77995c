"""Stock-out, low-stock and expiry warnings; expiry is estimated first in, first out."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from frontline.supplies.models import LedgerEntry
from frontline.supplies.selectors import expiring_lots, lots_on_hand, stock, warning_counts
from frontline.supplies.services import issue, item_update, receive, reserve, warehouse_create

TODAY = timezone.localdate()


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def at(n: int) -> dt.datetime:
    """Noon, `n` days from today (negative: ago)."""
    return timezone.make_aware(dt.datetime.combine(days(n), dt.time(12)))


def test_the_oldest_receipts_are_assumed_issued_first(world, store):
    admin = world.users["admin"]
    old = receive(actor=admin, warehouse=store.room, kind="purchase", supplier="乳业",
                  lines=[(store.milk, 10, days(10))], occurred_at=at(-5))  # fmt: skip
    receive(actor=admin, warehouse=store.room, kind="purchase", supplier="乳业",
            lines=[(store.milk, 5, days(60))])  # fmt: skip
    issue(actor=admin, warehouse=store.room, lines=[(store.milk, 8)], reason="老人送餐")

    (lot,) = expiring_lots(warehouse_ids=[store.room.pk])
    assert (lot.movement_id, lot.units, lot.expires_on, lot.expired) == (old.pk, 2, days(10), False)

    issue(actor=admin, warehouse=store.room, lines=[(store.milk, 3)], reason="老人送餐")
    assert expiring_lots(warehouse_ids=[store.room.pk]) == []


def test_a_backdated_receipt_counts_as_older_and_expired_units_are_flagged(world, store):
    admin = world.users["admin"]
    receive(actor=admin, warehouse=store.room, kind="donation", donor="乳业",
            lines=[(store.milk, 4, days(90))])  # fmt: skip
    receive(actor=admin, warehouse=store.room, kind="donation", donor="乳业",
            lines=[(store.milk, 6, days(-2))], occurred_at=at(-40))  # fmt: skip
    issue(actor=admin, warehouse=store.room, lines=[(store.milk, 5)], reason="发放")

    (lot,) = expiring_lots(warehouse_ids=[store.room.pk])
    assert lot.units == 1 and lot.expired
    (row,) = stock(warehouse=store.room)
    assert row.lots == [lot] and row.on_hand == 5


def test_stock_out_and_low_stock_count_the_available_units_of_items_in_use(world, stocked):
    admin = world.users["admin"]
    reserve(actor=admin, warehouse=stocked.room, lines={stocked.rice.pk: 15}, reference="round:1")
    issue(actor=admin, warehouse=stocked.room, lines=[(stocked.masks, 10)], reason="卫生站")
    rows = {row.item.pk: row for row in stock(warehouse=stocked.room)}
    assert (
        rows[stocked.rice.pk].is_low and not rows[stocked.rice.pk].is_out
    )  # 5 available, warn at 5
    assert rows[stocked.masks.pk].is_out
    counts = warning_counts(warehouses=[stocked.room])[stocked.room.pk]
    assert (counts.out, counts.low, counts.expiring, counts.total) == (1, 1, 0, 2)

    item_update(actor=admin, item=stocked.masks, name=stocked.masks.name, unit="盒",
                category="protective", shelf_life_days=None, low_stock_at=None, active=False)  # fmt: skip
    assert warning_counts(warehouses=[stocked.room])[stocked.room.pk].out == 0
    assert stocked.masks.pk not in {row.item.pk for row in stock(warehouse=stocked.room)}


receipts = st.lists(
    st.tuples(st.integers(-60, 0), st.integers(1, 9), st.one_of(st.none(), st.integers(-5, 90))),
    min_size=1, max_size=8,
)  # fmt: skip
rooms = itertools.count()


@pytest.mark.django_db
@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(receipts=receipts, issued=st.integers(0, 80))
def test_the_lots_on_hand_are_what_a_first_in_first_out_walk_leaves(world, store, receipts, issued):
    room = warehouse_create(actor=world.users["admin"], community=world.community,
                            name=f"先进先出{next(rooms)}")  # fmt: skip
    for day, units, expiry in receipts:
        receive(
            actor=world.users["admin"], warehouse=room, kind="allocation",
            lines=[(store.masks, units, days(max(day, expiry)) if expiry is not None else None)],
            occurred_at=at(day),
        )  # fmt: skip
    issued = min(issued, sum(units for _d, units, _e in receipts))
    if issued:
        issue(actor=world.users["admin"], warehouse=room, lines=[(store.masks, issued)], reason="x")

    left = issued
    walk = {}
    for entry in LedgerEntry.objects.filter(warehouse=room, quantity__gt=0).order_by(
        "movement__occurred_at", "id"
    ):
        taken = min(left, entry.quantity)
        left -= taken
        if entry.quantity - taken:
            walk[entry.pk] = entry.quantity - taken
    found = {
        row.pk: min(row.quantity, row.on_hand - (row.newer_and_own - row.quantity))  # type: ignore[attr-defined]
        for row in lots_on_hand([room.pk])
    }
    assert found == walk
