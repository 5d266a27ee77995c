"""Objects behind the sampling app's object routes, for the route-by-role access test."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from frontline.sampling.models import Tube
from frontline.sampling.services import round_create, sample_add, tube_open

# The round report is read by sub-district officers across their sub-district: its outside
# object is a round of another sub-district.
KINDS = {"sampling:": "round", "sampling:tube": "tube", "sampling:report": "round_report"}
POST_ONLY = {
    "sampling:site_new", "sampling:scan", "sampling:undo", "sampling:close", "sampling:exempt",
    "sampling:plan_send",
}  # fmt: skip
API_PARAMS = {"tube_id": "tube"}


def _tube(planner, sampler, community, resident, barcode: str) -> Tube:  # type: ignore[no-untyped-def]
    start = timezone.now()
    round = round_create(
        actor=planner, community=community, name="轮次", starts_at=start,
        ends_at=start + dt.timedelta(hours=6), pool_size=5,
    )  # fmt: skip
    tube = tube_open(actor=sampler, round=round, barcode=barcode, capacity=1)
    sample_add(actor=sampler, tube=tube, resident=resident, scan_id=f"route-{barcode}")
    return tube


def objects(world) -> dict[str, tuple[object, object]]:  # type: ignore[no-untyped-def]
    from frontline.accounts.models import Role
    from frontline.conftest import make_user

    inside = _tube(
        world.users["admin"], world.users["sampler"], world.community, world.zhang, "IN1"
    )
    their_sampler = make_user(
        "other_sampler", Role.MEDICAL_SAMPLER, community=world.other_community
    )
    outside = _tube(
        world.users["other_admin"], their_sampler, world.other_community, world.outsider, "OUT1"
    )
    from frontline.places.models import Community, SubDistrict

    elsewhere = Community.objects.create(
        subdistrict=SubDistrict.objects.create(name="另一街道"), name="远方社区"
    )
    far_admin = make_user("far_admin", Role.COMMUNITY_ADMIN, community=elsewhere)
    start = timezone.now()
    far_round = round_create(
        actor=far_admin, community=elsewhere, name="远方轮次", starts_at=start,
        ends_at=start + dt.timedelta(hours=6), pool_size=5,
    )  # fmt: skip
    return {
        "round": (inside.round, outside.round),
        "tube": (inside, outside),
        "round_report": (inside.round, far_round),
    }
