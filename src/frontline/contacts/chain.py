"""The degree of every person in a case's chain, and where to draw them; no database access.

Rules (kept deliberately simple, and the same on the page, in the API and in print):
- The chain of a case is the graph of the links recorded for that case, undirected.
- A person's degree is the number of links on the shortest path from the index person:
  1 = close contact (密接), 2 = contact of a contact (次密接); 3 and more are shown as
  "further" and are not classified by any rule set. People linked only among themselves,
  with no path to the index person, have no degree.
- A household link from A to contact B also makes every other member of B's household
  (living there or away) a contact of A, at B's degree, "via" A. These derived contacts are
  marked as derived; they extend the chain like any other contact.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable, Sequence

UNCONNECTED = -1
RING_STEP = 160  # distance between the rings of two degrees
NODE_SPACING = 14  # arc length per node on a crowded ring


def breadth_first(
    index: str, edges: Sequence[tuple[str, str]]
) -> dict[str, tuple[int, int | None]]:
    """Each person reachable from `index`: (degree, the position in `edges` of the link that
    first reached them). The first link in `edges` order wins among equally short paths."""
    adjacency: dict[str, list[tuple[str, int]]] = {}
    for position, (a, b) in enumerate(edges):
        adjacency.setdefault(a, []).append((b, position))
        adjacency.setdefault(b, []).append((a, position))
    reached: dict[str, tuple[int, int | None]] = {index: (0, None)}
    queue = deque([index])
    while queue:
        person = queue.popleft()
        degree = reached[person][0] + 1
        for neighbour, position in adjacency.get(person, ()):
            if neighbour not in reached:
                reached[neighbour] = (degree, position)
                queue.append(neighbour)
    return reached


def household_edges(
    household_links: Iterable[tuple[str, str]],
    household_of: dict[str, int],
    members: dict[int, list[str]],
) -> list[tuple[str, str]]:
    """Derived edges: for a household link A -> B, A -> each other member of B's household."""
    derived: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for a, b in household_links:
        household = household_of.get(b)
        if household is None:
            continue
        for member in members.get(household, ()):
            if member in (a, b) or (a, member) in seen:
                continue
            seen.add((a, member))
            derived.append((a, member))
    return derived


def ring_positions(degrees: Sequence[int]) -> list[tuple[int, int]]:
    """Concentric rings around the index person (degree 0 at the centre), one ring per degree,
    people without a degree on the outermost ring; each ring wide enough for its people."""
    by_ring: dict[int, list[int]] = {}
    deepest = max((d for d in degrees if d != UNCONNECTED), default=0)
    for position, degree in enumerate(degrees):
        ring = deepest + 1 if degree == UNCONNECTED else degree
        by_ring.setdefault(ring, []).append(position)
    positions: list[tuple[int, int]] = [(0, 0)] * len(degrees)
    radius = 0.0
    for ring in sorted(by_ring):
        people = by_ring[ring]
        if ring == 0:
            for position in people:
                positions[position] = (0, 0)
            continue
        radius = max(radius + RING_STEP, len(people) * NODE_SPACING / (2 * math.pi))
        step = 2 * math.pi / len(people)
        for slot, position in enumerate(people):
            angle = slot * step + ring * 0.3
            positions[position] = (round(radius * math.cos(angle)), round(radius * math.sin(angle)))
    return positions
