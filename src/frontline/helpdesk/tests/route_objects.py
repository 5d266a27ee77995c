"""Objects behind the help desk's object routes, for the route-by-role access test."""

from __future__ import annotations

from frontline.helpdesk.models import Channel
from frontline.helpdesk.services import request_submit

KINDS = {
    "helpdesk:": "help_request",
    "helpdesk:resident_new": "resident",
    "helpdesk:settings": "community",
}
POST_ONLY: set[str] = {"helpdesk:step"}
API_PARAMS = {"request_id": "help_request", "community_id": "community"}


def objects(world) -> dict[str, tuple[object, object]]:  # type: ignore[no-untyped-def]
    def received(resident, actor):  # type: ignore[no-untyped-def]
        return request_submit(
            actor=actor, resident=resident, category="medicine", text="断药两天，请帮忙买药",
            channel=Channel.PHONE,
        )  # fmt: skip

    return {
        "help_request": (
            received(world.zhang, world.users["admin"]),
            received(world.outsider, world.users["other_admin"]),
        ),
        "community": (world.community, world.other_community),
    }
