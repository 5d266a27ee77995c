"""Objects behind the supplies app's object routes, for the route-by-role access test."""

from __future__ import annotations

KINDS = {
    "supplies:": "warehouse", "supplies:item": "supply_item", "supplies:movement": "donation",
    "supplies:receipt": "donation",
}  # fmt: skip
POST_ONLY: set[str] = set()
API_PARAMS = {"warehouse_id": "warehouse", "movement_id": "donation"}


def objects(world) -> dict[str, tuple[object, object]]:  # type: ignore[no-untyped-def]
    from frontline.supplies.models import Category
    from frontline.supplies.services import item_create, receive, warehouse_create

    def stocked(community, actor):  # type: ignore[no-untyped-def]
        room = warehouse_create(actor=actor, community=community, name="一号仓")
        rice = item_create(
            actor=actor, community=community, name="大米", unit="袋", category=Category.FOOD
        )
        donation = receive(
            actor=actor, warehouse=room, kind="donation", lines=[(rice, 10, None)],
            donor="爱心超市",
        )  # fmt: skip
        return room, rice, donation

    inside = stocked(world.community, world.users["admin"])
    outside = stocked(world.other_community, world.users["other_admin"])
    return {
        "warehouse": (inside[0], outside[0]),
        "supply_item": (inside[1], outside[1]),
        "donation": (inside[2], outside[2]),
    }
