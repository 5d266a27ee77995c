"""The allocation of a round's stock: entitlements per basis, the priority order, and the
guarantees that hold for any households and any stock."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from frontline.deliveries.allocation import (
    DEFAULT_PRIORITY,
    PER_HOUSEHOLD,
    PER_ORDER,
    PER_PERSON,
    PER_TAGGED_PERSON,
    HouseholdNeeds,
    Line,
    allocate,
    entitlement,
    urgency_key,
)

VEGETABLES, MASKS, FORMULA = 1, 2, 3
LINES = (
    Line(VEGETABLES, PER_HOUSEHOLD, 1),
    Line(MASKS, PER_PERSON, 10),
    Line(FORMULA, PER_TAGGED_PERSON, 1, tag="infant"),
)


def household(pk: int, *members: set[str], address: str = "") -> HouseholdNeeds:
    return HouseholdNeeds(
        household_id=pk,
        address_key=address or f"{pk:08d}",
        members=tuple(frozenset(tags) for tags in members),
    )


def test_entitlements_follow_each_lines_basis():
    family = household(1, {"pregnant"}, set(), {"infant"})
    assert entitlement(family, LINES) == {VEGETABLES: 1, MASKS: 30, FORMULA: 1}
    assert entitlement(household(2, set()), LINES) == {VEGETABLES: 1, MASKS: 10}


def test_a_group_purchases_lines_give_each_household_what_it_ordered():
    rice = Line(VEGETABLES, PER_ORDER, 1)
    ordered = HouseholdNeeds(1, "a", (frozenset(), frozenset()), ordered={VEGETABLES: 3})
    assert entitlement(ordered, [rice]) == {VEGETABLES: 3}  # not per member
    assert entitlement(household(2, set()), [rice]) == {}  # ordered nothing
    shares = allocate([ordered, household(2, set())], [rice], {VEGETABLES: 10}).shares
    assert [(share.household_id, dict(share.allocated)) for share in shares] == [
        (1, {VEGETABLES: 3})
    ]


def test_lines_of_the_same_item_add_up():
    lines = [Line(MASKS, PER_PERSON, 10), Line(MASKS, PER_TAGGED_PERSON, 5, tag="senior")]
    assert entitlement(household(1, {"senior"}, set()), lines) == {MASKS: 25}


def test_vulnerable_households_are_served_first_when_stock_is_short():
    plain = household(1, set(), address="a")
    senior_alone = household(2, {"senior", "living_alone"}, address="b")
    dialysis = household(3, {"dialysis"}, address="c")
    senior_with_family = household(4, {"senior"}, set(), address="d")

    result = allocate(
        [plain, senior_alone, dialysis, senior_with_family],
        [Line(VEGETABLES, PER_HOUSEHOLD, 1)],
        {VEGETABLES: 2},
    )

    served = {share.household_id: share.allocated[VEGETABLES] for share in result.shares}
    assert served == {3: 1, 2: 1, 1: 0, 4: 0}
    assert [share.household_id for share in result.shares][:2] == [3, 2]
    assert {s.household_id: s.shortfall for s in result.short_shares} == {
        1: {VEGETABLES: 1}, 4: {VEGETABLES: 1},
    }  # fmt: skip
    assert result.short == {VEGETABLES: 2}


def test_a_household_short_of_part_of_its_entitlement_gets_what_is_left():
    first = household(1, {"infant"}, set(), set())
    second = household(2, set(), set())
    result = allocate([first, second], [Line(MASKS, PER_PERSON, 10)], {MASKS: 35})
    assert [dict(share.allocated) for share in result.shares] == [{MASKS: 30}, {MASKS: 5}]
    assert result.shares[1].shortfall == {MASKS: 15}


def test_the_priority_order_is_the_rounds():
    pregnant = household(1, {"pregnant"})
    bedridden = household(2, {"bedridden"})
    line = [Line(VEGETABLES, PER_HOUSEHOLD, 1)]
    assert allocate([pregnant, bedridden], line, {VEGETABLES: 1}).shares[0].household_id == 2
    reordered = allocate([pregnant, bedridden], line, {VEGETABLES: 1}, ["pregnant", "bedridden"])
    assert reordered.shares[0].household_id == 1


def test_a_household_with_more_urgent_groups_comes_first_among_equals():
    assert urgency_key(frozenset({"dialysis", "infant"}), DEFAULT_PRIORITY) < urgency_key(
        frozenset({"dialysis"}), DEFAULT_PRIORITY
    )


def test_households_entitled_to_nothing_are_left_out():
    result = allocate([household(1, set())], [Line(FORMULA, PER_TAGGED_PERSON, 1, "infant")], {})
    assert result.shares == ()


TAGS = st.frozensets(
    st.sampled_from(["dialysis", "bedridden", "senior", "living_alone", "pregnant", "infant"]),
    max_size=3,
)
HOUSEHOLDS = st.lists(
    st.builds(
        HouseholdNeeds,
        household_id=st.integers(1, 10_000),
        address_key=st.text("0123456789", min_size=1, max_size=4),
        members=st.lists(TAGS, min_size=1, max_size=5).map(tuple),
    ),
    max_size=30,
    unique_by=lambda h: h.household_id,
)
LINE_SETS = st.lists(
    st.one_of(
        st.builds(Line, st.sampled_from([1, 2, 3]), st.just(PER_HOUSEHOLD), st.integers(0, 3)),
        st.builds(Line, st.sampled_from([1, 2, 3]), st.just(PER_PERSON), st.integers(0, 10)),
        st.builds(
            Line, st.sampled_from([1, 2, 3]), st.just(PER_TAGGED_PERSON), st.integers(0, 3),
            st.sampled_from(["infant", "pregnant", "senior"]),
        ),
    ),
    min_size=1,
    max_size=4,
)  # fmt: skip
STOCK = st.dictionaries(st.sampled_from([1, 2, 3]), st.integers(0, 200))


@given(HOUSEHOLDS, LINE_SETS, STOCK)
def test_it_never_allocates_more_than_available_or_entitled(households, lines, stock):
    result = allocate(households, lines, stock)
    for item in {line.item_id for line in lines}:
        given_out = sum(share.allocated.get(item, 0) for share in result.shares)
        assert given_out <= stock.get(item, 0)
        assert given_out == result.allocated.get(item, 0)
        assert given_out == min(stock.get(item, 0), result.needed.get(item, 0))
    for share in result.shares:
        for item, quantity in share.allocated.items():
            assert 0 <= quantity <= share.entitled[item]


@given(HOUSEHOLDS, LINE_SETS, STOCK)
def test_a_more_urgent_household_is_never_short_while_a_less_urgent_one_got_some(
    households, lines, stock
):
    result = allocate(households, lines, stock)
    by_id = {h.household_id: h for h in households}

    def urgency(share):  # type: ignore[no-untyped-def]
        return urgency_key(by_id[share.household_id].groups, DEFAULT_PRIORITY)

    for first in result.shares:
        for second in result.shares:
            if urgency(first) >= urgency(second):
                continue
            for item, quantity in second.allocated.items():
                if quantity and item in first.entitled:
                    assert first.allocated[item] == first.entitled[item]
