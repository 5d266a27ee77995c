"""Who gets what when a distribution round starts: entitlements from the round's lines and each
household's members, then the stock shared out most urgent household first. No database.

A household's urgency is the set of priority groups its members belong to, read in the round's
priority order: a household with a dialysis patient comes before every household without one;
among those with one, a bedridden member comes next, and so on. Households alike in urgency are
served in address order, so the same round always allocates the same way. When an item runs
short, the last households in that order get less or none of it, and each one's shortfall is
what it was entitled to minus what it got.

A group purchase's round gives each household what it ordered: its lines have the basis
`PER_ORDER`, and the household's `ordered` units of the item count instead of its members.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

SENIOR = "senior"
LIVING_ALONE = "living_alone"
# A member 65 or older who lives alone: a group of its own in the priority order.
SENIOR_LIVING_ALONE = "senior_living_alone"
DEFAULT_PRIORITY = ("dialysis", "bedridden", SENIOR_LIVING_ALONE, "pregnant", "infant")

PER_HOUSEHOLD = "household"
PER_PERSON = "person"
PER_TAGGED_PERSON = "tagged_person"
# Per unit the household ordered in a group purchase.
PER_ORDER = "ordered"


@dataclass(frozen=True)
class Line:
    """`quantity` of an item per household, per person, or per person carrying `tag`."""

    item_id: int
    basis: str
    quantity: int
    tag: str = ""


@dataclass(frozen=True)
class HouseholdNeeds:
    """A household as the allocation sees it: its members' tags (65+ already derived), the
    sort key of its address and, for a group purchase's round, the units it ordered per item."""

    household_id: int
    address_key: str
    members: tuple[frozenset[str], ...]
    ordered: Mapping[int, int] = field(default_factory=dict)

    @property
    def groups(self) -> frozenset[str]:
        found: set[str] = set()
        for tags in self.members:
            found |= tags
            if SENIOR in tags and LIVING_ALONE in tags:
                found.add(SENIOR_LIVING_ALONE)
        return frozenset(found)


@dataclass(frozen=True)
class Share:
    household_id: int
    # The priority groups the household belongs to, most urgent first.
    groups: tuple[str, ...]
    entitled: Mapping[int, int]
    allocated: Mapping[int, int]

    @property
    def shortfall(self) -> dict[int, int]:
        return {
            item: wanted - self.allocated.get(item, 0)
            for item, wanted in self.entitled.items()
            if wanted > self.allocated.get(item, 0)
        }

    @property
    def parcels_allocated(self) -> int:
        return sum(self.allocated.values())


@dataclass(frozen=True)
class Allocation:
    """Every entitled household's share, in serving order, and the totals per item."""

    shares: tuple[Share, ...]
    needed: Mapping[int, int] = field(default_factory=dict)
    allocated: Mapping[int, int] = field(default_factory=dict)

    @property
    def short(self) -> dict[int, int]:
        """Per item, how much more the entitlements need than the stock gives."""
        return {
            item: wanted - self.allocated.get(item, 0)
            for item, wanted in self.needed.items()
            if wanted > self.allocated.get(item, 0)
        }

    @property
    def short_shares(self) -> list[Share]:
        return [share for share in self.shares if share.shortfall]


def entitlement(household: HouseholdNeeds, lines: Iterable[Line]) -> dict[int, int]:
    """What the household is entitled to per item (lines of the same item add up)."""
    totals: dict[int, int] = {}
    for line in lines:
        if line.basis == PER_HOUSEHOLD:
            count = 1
        elif line.basis == PER_PERSON:
            count = len(household.members)
        elif line.basis == PER_TAGGED_PERSON:
            count = sum(1 for tags in household.members if line.tag in tags)
        elif line.basis == PER_ORDER:
            count = household.ordered.get(line.item_id, 0)
        else:
            raise ValueError(f"unknown basis {line.basis!r}")
        if count and line.quantity:
            totals[line.item_id] = totals.get(line.item_id, 0) + count * line.quantity
    return totals


def urgency_key(groups: frozenset[str], priority: Sequence[str]) -> tuple[int, ...]:
    """Sorts a household by the priority groups it belongs to: 0 where it has the group, so a
    household with a more urgent group comes first, and more groups break ties."""
    return tuple(0 if group in groups else 1 for group in priority)


def allocate(
    households: Iterable[HouseholdNeeds],
    lines: Sequence[Line],
    available: Mapping[int, int],
    priority: Sequence[str] = DEFAULT_PRIORITY,
) -> Allocation:
    """Share `available` stock (per item) among the households' entitlements, most urgent
    household first, then by address; never more than entitled, never more than available."""
    entitled = [(household, entitlement(household, lines)) for household in households]
    entitled = [(household, wants) for household, wants in entitled if wants]
    entitled.sort(
        key=lambda pair: (
            urgency_key(pair[0].groups, priority),
            pair[0].address_key,
            pair[0].household_id,
        )
    )
    left = {item: max(0, quantity) for item, quantity in available.items()}
    needed: dict[int, int] = {}
    given: dict[int, int] = {}
    shares = []
    for household, wants in entitled:
        allocated: dict[int, int] = {}
        for item, wanted in wants.items():
            needed[item] = needed.get(item, 0) + wanted
            quantity = min(wanted, left.get(item, 0))
            if quantity:
                left[item] -= quantity
                given[item] = given.get(item, 0) + quantity
            allocated[item] = quantity
        groups = household.groups
        shares.append(
            Share(
                household_id=household.household_id,
                groups=tuple(group for group in priority if group in groups),
                entitled=wants,
                allocated=allocated,
            )
        )
    return Allocation(shares=tuple(shares), needed=needed, allocated=given)
