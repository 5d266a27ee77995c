"""A round with a site and its sampler, and residents to fill tubes with, for the tests."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from frontline.conftest import World, make_household, make_resident
from frontline.core.identity import check_digit
from frontline.places.models import Household
from frontline.residents.models import Resident
from frontline.sampling.models import Round, Site
from frontline.sampling.services import round_create, site_create


def a_round(world: World, *, pool_size: int = 10, whole_community: bool = False) -> Round:
    start = timezone.now().replace(minute=0, second=0, microsecond=0)
    return round_create(
        actor=world.users["admin"], community=world.community, name="第一轮全员核酸",
        starts_at=start, ends_at=start + dt.timedelta(hours=6), pool_size=pool_size,
        buildings=[] if whole_community else [world.building1],
    )  # fmt: skip


def a_site(world: World, round: Round, name: str = "北门") -> Site:
    return site_create(
        actor=world.users["admin"], round=round, name=name, tables=2,
        samplers=[world.users["sampler"]],
    )  # fmt: skip


def residents(world: World, count: int, *, building=None, unit: str = "1") -> list[Resident]:  # type: ignore[no-untyped-def]
    """`count` more residents, two per household, in building 3 unless told otherwise."""
    made = []
    homes: dict[int, Household] = {}
    for n in range(count):
        born = dt.date(1980, 1, 1) + dt.timedelta(days=n)
        body = f"110105{born:%Y%m%d}{n % 1000:03d}"
        if n // 2 not in homes:
            homes[n // 2] = make_household(building or world.building1, unit, f"{n // 2 + 1:02d}01")
        number = body + check_digit(body)
        made.append(
            make_resident(
                homes[n // 2], name=f"居民{n}", document_number=number, phone=f"139{n:08d}"
            )
        )
    return made
