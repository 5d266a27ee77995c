"""Objects behind the places app's community routes, for the route-by-role access test (its
grid, building and household routes are declared in the test itself)."""

from __future__ import annotations

KINDS = {"places:walking_distances": "community"}


def objects(world) -> dict[str, tuple[object, object]]:  # type: ignore[no-untyped-def]
    return {"community": (world.community, world.other_community)}
