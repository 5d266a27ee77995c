"""Objects behind the deliveries app's object routes, for the route-by-role access test."""

from __future__ import annotations

KINDS = {
    "deliveries:": "delivery_round",
    "deliveries:batch": "delivery_batch",
    "deliveries:delivery": "delivery",
    "deliveries:purchase": "group_purchase",
}
POST_ONLY = {
    "deliveries:round_start", "deliveries:round_close", "deliveries:batch_route",
    "deliveries:batch_assign", "deliveries:delivery_mark", "deliveries:purchase_close",
}  # fmt: skip
API_PARAMS = {
    "round_id": "delivery_round", "delivery_id": "delivery", "purchase_id": "group_purchase",
}  # fmt: skip


def objects(world) -> dict[str, tuple[object, object]]:  # type: ignore[no-untyped-def]
    from frontline.deliveries.tests.factories import started_round, storeroom
    from frontline.deliveries.tests.purchase_factories import open_purchase

    purchases = []

    def round_of(community, building, actor, volunteer):  # type: ignore[no-untyped-def]
        room = storeroom(actor=actor, community=community, building=building, stock=(10, 100, 5))
        purchases.append(
            open_purchase(actor=actor, community=community, warehouse=room.warehouse,
                          vegetables=room.vegetables)
        )  # fmt: skip
        return started_round(actor=actor, community=community, room=room, volunteer=volunteer)

    inside, inside_batch = round_of(
        world.community, world.building1, world.users["admin"], world.users["volunteer"]
    )
    outside, outside_batch = round_of(
        world.other_community, world.other_building, world.users["other_admin"],
        world.users["other_admin"],
    )  # fmt: skip
    return {
        "delivery_round": (inside, outside),
        "delivery_batch": (inside_batch, outside_batch),
        "delivery": (inside.deliveries.first(), outside.deliveries.first()),
        "group_purchase": (purchases[0], purchases[1]),
    }
