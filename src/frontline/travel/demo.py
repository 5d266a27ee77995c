"""Demo data for trips and risk areas: a few areas and some residents' trips, created once."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from frontline.places.models import Community
from frontline.residents.models import Resident
from frontline.travel.models import RiskArea, Trip, TripSource
from frontline.travel.services import risk_area_create, trip_record

DEMO_AREAS = (
    ("北京市朝阳区", "110105", "", "high", 12, None),
    ("上海市浦东新区", "310115", "", "medium", 20, 6),
    ("广州市", "440100", "", "low", 30, 10),
    ("某某农贸市场", "", "某某农贸市场", "high", 9, None),
)
DEMO_PLACES = (
    ("110105", "北京朝阳望京"), ("110100", "北京"), ("310115", "上海浦东"), ("440106", "广州天河"),
    ("", "某某农贸市场东门"), ("330106", "杭州西湖"), ("", "老家"),
)  # fmt: skip


def ensure_demo_travel(community: Community, *, trips: int = 40, seed: int = 7) -> tuple[int, int]:
    """Create the demo risk areas (once) and `trips` trips of the community's residents (once).

    Returns (areas created, trips created).
    """
    today = timezone.localdate()
    areas = 0
    if not RiskArea.objects.exists():
        for name, code, place, level, days_ago, ended_days_ago in DEMO_AREAS:
            risk_area_create(
                actor=None, name=name, area_code=code, place=place, level=level,
                valid_from=today - dt.timedelta(days=days_ago),
                valid_to=None if ended_days_ago is None else today - dt.timedelta(days=ended_days_ago),
            )  # fmt: skip
            areas += 1
    if Trip.objects.filter(resident__community=community).exists():
        return areas, 0
    rng = random.Random(seed)
    residents = list(Resident.objects.filter(community=community).order_by("pk")[:2000])
    created = 0
    for resident in rng.sample(residents, min(trips, len(residents))):
        code, place = rng.choice(DEMO_PLACES)
        start = today - dt.timedelta(days=rng.randint(1, 25))
        end = min(today, start + dt.timedelta(days=rng.randint(0, 5)))
        trip_record(
            resident=resident, source=TripSource.PORTAL, area_code=code, place=place,
            date_from=start, date_to=end,
        )  # fmt: skip
        created += 1
    return areas, created
