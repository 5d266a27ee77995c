"""Objects behind the zones app's object routes, for the route-by-role access test."""

from __future__ import annotations

import datetime as dt

from frontline.contacts.services import case_record
from frontline.policy.presets import install_presets
from frontline.zones.models import Zone
from frontline.zones.services import zone_raise

KINDS = {"zones:building": "building", "zones:zone": "zone"}
POST_ONLY: set[str] = set()
API_PARAMS = {"zone_id": "zone"}


def _zone(resident, actor) -> Zone:  # type: ignore[no-untyped-def]
    day = dt.date(2022, 7, 1)  # the 9th edition plan, with high-risk areas
    case = case_record(
        actor=actor, resident=resident, confirmed_on=day, reference=f"楼栋确诊-{resident.pk}"
    )
    return zone_raise(place=resident.building, level="high", case=case, actor=actor, on=day)


def objects(world) -> dict[str, tuple[object, object]]:  # type: ignore[no-untyped-def]
    from django.apps import apps

    install_presets(apps.get_model)
    return {
        "zone": (
            _zone(world.zhang, world.users["admin"]),
            _zone(world.outsider, world.users["other_admin"]),
        )
    }
