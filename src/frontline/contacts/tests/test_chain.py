"""The degree computation and the ring layout, without the database."""

from __future__ import annotations

import itertools
import math

from hypothesis import given
from hypothesis import strategies as st

from frontline.contacts.chain import UNCONNECTED, breadth_first, household_edges, ring_positions


def reference_degrees(index: str, edges: list[tuple[str, str]]) -> dict[str, int]:
    """Shortest path lengths by relaxing every edge until nothing changes (Bellman-Ford)."""
    distance = {index: 0}
    changed = True
    while changed:
        changed = False
        for a, b in edges:
            for u, v in ((a, b), (b, a)):
                if u in distance and distance[u] + 1 < distance.get(v, math.inf):
                    distance[v] = distance[u] + 1
                    changed = True
    return distance


people = st.sampled_from([f"r{i}" for i in range(12)] + [f"o{i}" for i in range(6)])
graphs = st.lists(st.tuples(people, people), max_size=60)


@given(index=people, edges=graphs)
def test_degrees_match_a_reference_shortest_path_on_random_graphs(index, edges):
    reached = breadth_first(index, edges)
    assert {person: degree for person, (degree, _) in reached.items()} == reference_degrees(
        index, edges
    )


@given(index=people, edges=graphs)
def test_every_contact_is_reached_through_a_link_from_one_degree_nearer(index, edges):
    reached = breadth_first(index, edges)
    assert reached[index] == (0, None)
    for person, (degree, via) in reached.items():
        if person == index:
            continue
        assert via is not None
        a, b = edges[via]
        other = b if a == person else a
        assert person in (a, b)
        assert reached[other][0] == degree - 1


def test_close_contacts_and_contacts_of_contacts_are_degrees_one_and_two():
    edges = [("case", "wife"), ("wife", "colleague"), ("colleague", "bus driver"), ("x", "y")]
    reached = breadth_first("case", edges)
    assert reached["wife"] == (1, 0) and reached["colleague"] == (2, 1)
    assert reached["bus driver"][0] == 3
    assert "x" not in reached and "y" not in reached


def test_a_household_link_makes_the_contacts_household_members_contacts_via_the_source():
    household_of = {"r2": 7, "r3": 7, "r4": 7, "r9": 8}
    members = {7: ["r2", "r3", "r4"], 8: ["r9"]}
    derived = household_edges([("r1", "r2"), ("r1", "o5")], household_of, members)
    assert derived == [("r1", "r3"), ("r1", "r4")]
    reached = breadth_first("r1", [("r1", "r2"), *derived])
    assert reached["r3"][0] == reached["r4"][0] == reached["r2"][0] == 1


def test_a_household_link_does_not_link_the_source_to_itself():
    derived = household_edges([("r2", "r3")], {"r2": 7, "r3": 7}, {7: ["r2", "r3"]})
    assert derived == []


@given(st.lists(st.sampled_from([1, 2, 3, UNCONNECTED]), max_size=400))
def test_rings_put_the_index_at_the_centre_and_each_degree_farther_out(rest):
    degrees = [0, *rest]
    positions = ring_positions(degrees)
    assert len(positions) == len(degrees) and positions[0] == (0, 0)
    radius: dict[int, set[int]] = {}
    for degree, (x, y) in zip(degrees[1:], positions[1:], strict=True):
        radius.setdefault(degree, set()).add(round(math.hypot(x, y)))
    rings = sorted(radius, key=lambda d: math.inf if d == UNCONNECTED else d)
    for nearer, farther in itertools.pairwise(rings):
        assert max(radius[nearer]) < min(radius[farther])
