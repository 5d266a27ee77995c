import pytest

from frontline.conftest import make_resident
from frontline.residents.selectors import resident_list


def names(world, query, viewer="admin", **filters):
    return {r.name for r in resident_list(viewer=world.users[viewer], query=query, **filters)}


@pytest.mark.parametrize(
    ("query", "expected"),
    [("zsf", {"张三丰"}), ("ZS", {"张三丰"}), ("三丰", {"张三丰"}), ("5678", {"张三丰"}),
     ("002X", {"张三丰"}), ("002x", {"张三丰"}), ("3-2-401", {"张三丰"}), ("5-1-102", {"李四"}),
     ("９９９９", set())],
)  # fmt: skip
def test_one_box_finds_by_name_initials_tails_and_room(world, query, expected):
    assert names(world, query) == expected


def test_a_polyphonic_surname_is_read_as_a_surname(world):
    make_resident(world.household1, name="曾小贤")
    assert names(world, "zxx") == {"曾小贤"}


def test_search_never_crosses_the_viewers_scope(world):
    assert names(world, "ww") == set()  # 王五 lives in the other community
    assert names(world, "ww", viewer="other_admin") == {"王五"}
    assert names(world, "", viewer="grid1") == {"张三丰"}


def test_the_senior_tag_is_derived_from_the_birth_date(world):
    assert names(world, "", tags=["senior"]) == {"张三丰"}  # born 1949
    assert names(world, "", tags=["living_alone"]) == {"张三丰"}
    assert "senior" in resident_list(viewer=world.users["admin"], query="zsf").get().tag_values
