"""Confirmed cases and zones to test with."""

from __future__ import annotations

import datetime as dt

from frontline.conftest import World
from frontline.contacts.models import Case
from frontline.contacts.services import case_record
from frontline.residents.models import Resident
from frontline.zones.models import Zone
from frontline.zones.services import zone_raise

NINTH = dt.date(2022, 7, 1)  # the 9th edition plan: high 7 days -> medium, 3 more -> low
TWENTY = dt.date(2022, 11, 20)  # the 20 measures: high 5 days -> low, which is lifted


def case_of(
    world: World, resident: Resident | None = None, *, day: dt.date = NINTH, reference: str = ""
) -> Case:
    resident = resident or world.zhang
    return case_record(
        actor=world.users["admin"], resident=resident, confirmed_on=day,
        reference=reference or f"阳性-{resident.pk}-{day.isoformat()}",
    )  # fmt: skip


def high_zone(world: World, *, day: dt.date = NINTH, actor: str = "fulltime") -> Zone:
    """Building 3 (张三丰's) raised to a high-risk area on a case confirmed on `day`."""
    return zone_raise(
        place=world.building1, level="high", case=case_of(world, day=day),
        actor=world.users[actor], on=day,
    )  # fmt: skip
