"""Assign buildings to sampling sites and time slots so that no site's queue exceeds what its
tables can swab (NHC sizing: about 100-133 swabs per table per hour). No database, no Django.

Buildings are taken in the order given (neighbours stay together) and each goes to the site
where it can start soonest; a building larger than a slot's spare capacity runs on through the
next slots at that site. People who do not fit in the window are reported, with the tables that
would be needed, never silently dropped.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

SWABS_PER_TABLE_HOUR = 100  # the low end of the NHC figure, to be safe
SLOT_MINUTES = 30


@dataclass(frozen=True)
class SiteSpec:
    key: int
    tables: int


@dataclass(frozen=True)
class BuildingSpec:
    key: int
    people: int


@dataclass(frozen=True)
class Visit:
    """`people` of building `building` at site `site` from `start` until `end`."""

    building: int
    site: int
    start: dt.datetime
    end: dt.datetime
    people: int


@dataclass(frozen=True)
class Plan:
    visits: list[Visit]
    slot_capacity: dict[int, int]  # per site: swabs per slot
    load: dict[int, list[int]]  # per site: people booked in each slot of the window
    unplaced: dict[int, int]  # building -> people who do not fit in the window
    tables_needed: int  # tables (over all sites) that would fit everyone in the window


def slot_capacity(
    tables: int, *, rate: int = SWABS_PER_TABLE_HOUR, minutes: int = SLOT_MINUTES
) -> int:
    return tables * rate * minutes // 60


def plan(
    *, sites: Sequence[SiteSpec], buildings: Sequence[BuildingSpec], starts_at: dt.datetime,
    ends_at: dt.datetime, rate: int = SWABS_PER_TABLE_HOUR, minutes: int = SLOT_MINUTES,
) -> Plan:  # fmt: skip
    slots = max(0, int((ends_at - starts_at).total_seconds() // (minutes * 60)))
    capacity = {site.key: slot_capacity(site.tables, rate=rate, minutes=minutes) for site in sites}
    load = {site.key: [0] * slots for site in sites}
    visits: list[Visit] = []
    unplaced: dict[int, int] = {}

    def first_free(site: int) -> int:
        return next((i for i in range(slots) if load[site][i] < capacity[site]), slots)

    for building in buildings:
        need = building.people
        if need <= 0:
            continue
        open_sites = [s.key for s in sites if capacity[s.key] > 0]
        if not open_sites or slots == 0:
            unplaced[building.key] = need
            continue
        site = min(open_sites, key=lambda key: (first_free(key), sum(load[key]), key))
        slot = first_free(site)
        start_slot = slot
        placed = 0
        while need > 0 and slot < slots:
            take = min(need, capacity[site] - load[site][slot])
            load[site][slot] += take
            need -= take
            placed += take
            if need > 0:
                slot += 1
        if placed:
            end_slot = min(slot, slots - 1)
            visits.append(
                Visit(
                    building=building.key,
                    site=site,
                    start=starts_at + dt.timedelta(minutes=minutes * start_slot),
                    end=starts_at + dt.timedelta(minutes=minutes * (end_slot + 1)),
                    people=placed,
                )
            )
        if need > 0:
            unplaced[building.key] = need
    hours = (ends_at - starts_at).total_seconds() / 3600
    total = sum(max(b.people, 0) for b in buildings)
    tables_needed = math.ceil(total / (rate * hours)) if hours > 0 else 0
    return Plan(visits, capacity, load, unplaced, tables_needed)
