"""The stock ledger through its services: balances follow the entries and never go negative,
refused writes change nothing, reservations hold stock for distribution rounds."""

from __future__ import annotations

import datetime as dt
import itertools
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.http import Http404
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from frontline.core.models import AuditEntry
from frontline.supplies.models import LedgerEntry, Movement, Reservation, StockLevel
from frontline.supplies.selectors import available, ledger_balance
from frontline.supplies.services import (
    ShortStock,
    correct,
    issue,
    issue_reserved,
    receive,
    release,
    reserve,
    warehouse_create,
)


def level(room, item) -> StockLevel:  # type: ignore[no-untyped-def]
    return StockLevel.objects.get(warehouse=room, item=item)


def snapshot(room) -> tuple[object, ...]:  # type: ignore[no-untyped-def]
    """Everything a write to the storeroom could change."""
    return (
        list(
            StockLevel.objects.filter(warehouse=room).values_list("item_id", "on_hand", "reserved")
        ),
        list(Reservation.objects.filter(warehouse=room).values_list("id", "quantity")),
        Movement.objects.filter(warehouse=room).count(),
        LedgerEntry.objects.filter(warehouse=room).count(),
    )


def test_a_donation_adds_stock_with_a_numbered_receipt_and_an_audit_entry(world, stocked):
    movement = Movement.objects.get()
    year = timezone.localdate().year
    assert movement.receipt_number == f"JZ-{year}-0001"
    assert movement.donor_name == "爱心超市" and movement.actor == world.users["admin"]
    assert level(stocked.room, stocked.rice).on_hand == 20
    assert ledger_balance(stocked.room, stocked.masks) == 10
    assert AuditEntry.objects.filter(target_id=str(movement.pk), action="create").exists()
    again = receive(
        actor=world.users["fulltime"], warehouse=stocked.room, kind="donation",
        lines=[(stocked.rice, 1, None)], donor="张先生",
    )  # fmt: skip
    assert again.receipt_number == f"JZ-{year}-0002"


def test_receipt_numbers_count_per_community(world, stocked):
    theirs = receive(
        actor=world.users["other_admin"], warehouse=stocked.other_room, kind="donation",
        lines=[(stocked.other_rice, 3, None)], donor="光明超市",
    )  # fmt: skip
    assert theirs.receipt_number.endswith("-0001")


def test_a_receipt_reports_every_bad_line_and_field_at_once_and_saves_nothing(world, store):
    past = timezone.localdate() - dt.timedelta(days=1)
    with pytest.raises(ValidationError) as raised:
        receive(
            actor=world.users["admin"], warehouse=store.room, kind="donation",
            lines=[(store.rice, 5, None), (store.masks, 0, None), (store.other_rice, 2, None),
                   (store.milk, 3, past)],
            donor=" ", total_cost="lots",
        )  # fmt: skip
    errors = raised.value.message_dict
    assert set(errors) == {"donor", "lines", "total_cost"}
    assert [message[:7] for message in errors["lines"]] == ["Line 2:", "Line 3:", "Line 4:"]
    assert not Movement.objects.exists() and not StockLevel.objects.exists()


def test_a_purchase_needs_its_supplier_and_keeps_its_cost(world, store):
    with pytest.raises(ValidationError) as raised:
        receive(actor=world.users["admin"], warehouse=store.room, kind="purchase",
                lines=[(store.rice, 5, None)], total_cost="-1")  # fmt: skip
    assert set(raised.value.message_dict) == {"supplier", "total_cost"}
    bought = receive(
        actor=world.users["admin"], warehouse=store.room, kind="purchase",
        lines=[(store.rice, 5, None)], supplier="平价粮店", total_cost="260.5",
    )  # fmt: skip
    assert str(bought.total_cost) == "260.50" and bought.receipt_number == ""


def test_fresh_goods_without_a_printed_date_expire_after_the_items_shelf_life(world, store):
    receive(actor=world.users["admin"], warehouse=store.room, kind="allocation",
            lines=[(store.milk, 4, None)], reference="街道调拨 2026-7")  # fmt: skip
    entry = LedgerEntry.objects.get()
    assert entry.expires_on == timezone.localdate() + dt.timedelta(days=30)


def test_an_issue_beyond_the_available_stock_is_refused_with_the_shortfall(world, stocked):
    before = snapshot(stocked.room)
    with pytest.raises(ShortStock) as raised:
        issue(
            actor=world.users["fulltime"], warehouse=stocked.room, reason="隔离酒店",
            lines=[(stocked.rice, 15), (stocked.rice, 8), (stocked.masks, 3), (stocked.milk, 2)],
        )  # fmt: skip
    assert raised.value.shortages == {stocked.rice.pk: 3, stocked.milk.pk: 2}
    assert "大米 5kg: 3 袋 too few available." in raised.value.messages
    assert snapshot(stocked.room) == before


def test_an_issue_needs_a_reason_and_takes_what_it_lists(world, stocked):
    with pytest.raises(ValidationError) as raised:
        issue(actor=world.users["admin"], warehouse=stocked.room, reason=" ",
              lines=[(stocked.rice, 2)])  # fmt: skip
    assert set(raised.value.message_dict) == {"reason"}
    movement = issue(
        actor=world.users["admin"], warehouse=stocked.room, reason="社区卫生站",
        lines=[(stocked.rice, 2), (stocked.masks, 10)], reference="领用单 7",
    )  # fmt: skip
    assert sorted(movement.entries.values_list("item_id", "quantity")) == sorted(
        [(stocked.rice.pk, -2), (stocked.masks.pk, -10)]
    )
    assert available(warehouse=stocked.room, item_ids=[stocked.rice.pk, stocked.masks.pk]) == {
        stocked.rice.pk: 18, stocked.masks.pk: 0,
    }  # fmt: skip


def test_a_stocktake_writes_the_difference_and_cannot_go_below_the_reserved_units(world, stocked):
    movement = correct(
        actor=world.users["admin"], warehouse=stocked.room, item=stocked.rice, counted=17,
        reason="盘点：3袋受潮",
    )  # fmt: skip
    assert movement.entries.get().quantity == -3 and movement.kind == "correction"
    reserve(actor=world.users["admin"], warehouse=stocked.room, lines={stocked.rice.pk: 10},
            reference="round:1")  # fmt: skip
    with pytest.raises(ValidationError) as raised:
        correct(actor=world.users["admin"], warehouse=stocked.room, item=stocked.rice,
                counted=9, reason="盘点")  # fmt: skip
    assert "10 units are reserved" in raised.value.message_dict["counted"][0]
    with pytest.raises(ValidationError):
        correct(actor=world.users["admin"], warehouse=stocked.room, item=stocked.rice,
                counted=17, reason="盘点")  # fmt: skip
    found = correct(actor=world.users["admin"], warehouse=stocked.room, item=stocked.milk,
                    counted=2, reason="盘点发现")  # fmt: skip
    assert found.entries.get().quantity == 2


def test_ledger_rows_cannot_be_changed_or_deleted(stocked):
    entry = LedgerEntry.objects.first()
    assert entry is not None
    entry.quantity = 99
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(TypeError):
        LedgerEntry.objects.update(quantity=1)
    with pytest.raises(TypeError):
        Movement.objects.all().delete()


def test_the_database_refuses_a_negative_balance_whatever_the_code(stocked):
    with pytest.raises(IntegrityError), transaction.atomic():
        StockLevel.objects.filter(item=stocked.rice).update(on_hand=-1)
    with pytest.raises(IntegrityError), transaction.atomic():
        StockLevel.objects.filter(item=stocked.rice).update(reserved=21)


# -- the contract of the distribution rounds ------------------------------------------------------


def test_reserving_is_all_or_nothing(world, stocked):
    before = snapshot(stocked.room)
    with pytest.raises(ShortStock) as raised:
        reserve(
            actor=world.users["fulltime"], warehouse=stocked.room, reference="round:12",
            lines={stocked.rice.pk: 5, stocked.masks.pk: 11, stocked.milk.pk: 1},
        )  # fmt: skip
    assert raised.value.shortages == {stocked.masks.pk: 1, stocked.milk.pk: 1}
    assert snapshot(stocked.room) == before
    held = reserve(
        actor=world.users["fulltime"], warehouse=stocked.room, reference="round:12",
        lines={stocked.masks.pk: 10, stocked.rice.pk: 5},
    )  # fmt: skip
    assert [(r.item_id, r.quantity, r.reference) for r in held] == [
        (stocked.rice.pk, 5, "round:12"), (stocked.masks.pk, 10, "round:12"),
    ]  # fmt: skip
    assert available(warehouse=stocked.room, item_ids=[stocked.rice.pk, stocked.masks.pk]) == {
        stocked.rice.pk: 15, stocked.masks.pk: 0,
    }  # fmt: skip
    with pytest.raises(ShortStock):
        issue(actor=world.users["admin"], warehouse=stocked.room, reason="x",
              lines=[(stocked.masks, 1)])  # fmt: skip


def test_a_reservation_is_issued_and_released_in_parts(world, stocked):
    (held,) = reserve(actor=world.users["admin"], warehouse=stocked.room,
                      lines={stocked.rice.pk: 6}, reference="round:3")  # fmt: skip
    entry = issue_reserved(actor=world.users["admin"], reservation=held, quantity=2,
                           reference="delivery:9", note="3-2-401")  # fmt: skip
    assert entry.quantity == -2 and entry.movement.kind == "issue"
    assert entry.movement.reference == "delivery:9" and entry.movement.reason == "3-2-401"
    stock = level(stocked.room, stocked.rice)
    assert (stock.on_hand, stock.reserved) == (18, 4)
    with pytest.raises(ValidationError):
        issue_reserved(actor=world.users["admin"], reservation=held, quantity=5, reference="x")
    release(actor=world.users["admin"], reservation=held, quantity=1)
    release(actor=world.users["admin"], reservation=held)
    release(actor=world.users["admin"], reservation=held)  # nothing held: nothing happens
    held.refresh_from_db()
    stock.refresh_from_db()
    assert held.quantity == 0 and (stock.on_hand, stock.reserved) == (18, 0)
    assert ledger_balance(stocked.room, stocked.rice) == 18


def test_reserving_checks_its_lines_and_reference(world, stocked):
    with pytest.raises(ValidationError) as raised:
        reserve(actor=world.users["admin"], warehouse=stocked.room, reference=" ",
                lines={stocked.other_rice.pk: 1, stocked.rice.pk: 0})  # fmt: skip
    assert set(raised.value.message_dict) == {"reference", "lines"}
    assert len(raised.value.message_dict["lines"]) == 2


def test_only_managers_of_the_storerooms_community_may_write(world, stocked):
    with pytest.raises(PermissionDenied):  # sees the community, may not manage supplies
        issue(actor=world.users["parttime"], warehouse=stocked.room, reason="x",
              lines=[(stocked.rice, 1)])  # fmt: skip
    with pytest.raises(Http404):
        reserve(actor=world.users["other_admin"], warehouse=stocked.room,
                lines={stocked.rice.pk: 1}, reference="round:1")  # fmt: skip
    with pytest.raises(ValidationError):  # another community's item in this storeroom
        issue(actor=world.users["admin"], warehouse=stocked.room, reason="x",
              lines=[(stocked.other_rice, 1)])  # fmt: skip


# -- invariants -----------------------------------------------------------------------------------

operations = st.lists(
    st.one_of(
        st.tuples(st.just("receive"), st.integers(0, 1), st.integers(1, 12)),
        st.tuples(st.just("issue"), st.integers(0, 1), st.integers(1, 15)),
        st.tuples(st.just("correct"), st.integers(0, 1), st.integers(0, 20)),
        st.tuples(st.just("reserve"), st.integers(0, 1), st.integers(1, 10)),
        st.tuples(st.just("issue_reserved"), st.integers(0, 5), st.integers(1, 6)),
        st.tuples(st.just("release"), st.integers(0, 5), st.integers(0, 6)),
    ),
    max_size=25,
)
rooms = itertools.count()


@pytest.mark.django_db
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=operations)
def test_the_balance_always_equals_the_ledger_and_never_goes_negative(world, store, steps):
    """Random receipts, issues, stocktakes, reservations, reserved issues and releases: every
    accepted write keeps the balance row equal to the sum of the entries and the reserved units
    equal to what the reservations hold; every refused one changes nothing and, when stock is
    short, names exactly the units missing."""
    actor = world.users["fulltime"]
    room = warehouse_create(actor=world.users["admin"], community=world.community,
                            name=f"仓{next(rooms)}")  # fmt: skip
    items = [store.rice, store.masks]
    on_hand = {item.pk: 0 for item in items}
    held: list[Reservation] = []
    for operation, which, units in steps:
        item = items[which % 2]
        free = on_hand[item.pk] - sum(r.quantity for r in held if r.item_id == item.pk)
        before = snapshot(room)
        try:
            if operation == "receive":
                receive(actor=actor, warehouse=room, kind="purchase", supplier="粮店",
                        lines=[(item, units, None)])  # fmt: skip
                on_hand[item.pk] += units
            elif operation == "issue":
                issue(actor=actor, warehouse=room, lines=[(item, units)], reason="领用")
                assert units <= free
                on_hand[item.pk] -= units
            elif operation == "correct":
                correct(actor=actor, warehouse=room, item=item, counted=units, reason="盘点")
                on_hand[item.pk] = units
            elif operation == "reserve":
                held += reserve(actor=actor, warehouse=room, lines={item.pk: units},
                                reference="round:1")  # fmt: skip
            elif held:
                reservation = held[which % len(held)]
                if operation == "issue_reserved":
                    issue_reserved(actor=actor, reservation=reservation, quantity=units,
                                   reference="delivery:1")  # fmt: skip
                    on_hand[reservation.item_id] -= units
                else:
                    release(actor=actor, reservation=reservation, quantity=units or None)
                reservation.refresh_from_db()
        except ShortStock as short:
            assert operation in {"issue", "reserve"}
            assert short.shortages == {item.pk: units - free}
            assert snapshot(room) == before
        except ValidationError:
            assert snapshot(room) == before
        for each in items:
            ledger = ledger_balance(room, each)
            row = StockLevel.objects.filter(warehouse=room, item=each).first()
            reserved = sum(
                Reservation.objects.filter(warehouse=room, item=each).values_list(
                    "quantity", flat=True
                )
            )
            assert ledger == on_hand[each.pk] >= 0
            assert 0 <= reserved <= ledger
            if row is None:
                assert ledger == 0
            else:
                assert (row.on_hand, row.reserved) == (ledger, reserved)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.parametrize("second", ["issue", "reserve"])
def test_two_workers_taking_the_last_units_at_once_cannot_both_succeed(world, store, second):
    receive(actor=world.users["admin"], warehouse=store.room, kind="donation", donor="超市",
            lines=[(store.masks, 5, None), (store.rice, 3, None)])  # fmt: skip
    actor = world.users["fulltime"]
    takes = {
        "issue": lambda: issue(actor=actor, warehouse=store.room, reason="隔离点",
                               lines=[(store.masks, 1), (store.rice, 3)]),
        "reserve": lambda: reserve(actor=actor, warehouse=store.room, reference="round:1",
                                   lines={store.masks.pk: 1, store.rice.pk: 3}),
    }  # fmt: skip
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def take(work) -> None:  # type: ignore[no-untyped-def]
        barrier.wait()
        try:
            work()
            outcomes.append("done")
        except ShortStock as short:
            outcomes.append(short.shortages)
        finally:
            connection.close()

    threads = [threading.Thread(target=take, args=(takes[name],)) for name in ("issue", second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes, key=str) == sorted(["done", {store.rice.pk: 3}], key=str)
    rice = level(store.room, store.rice)
    assert rice.on_hand == ledger_balance(store.room, store.rice)
    assert rice.on_hand - rice.reserved == 0 and level(store.room, store.masks).available == 4
