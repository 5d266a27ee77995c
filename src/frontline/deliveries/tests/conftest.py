from __future__ import annotations

import pytest
from django.utils import translation

from frontline.conftest import World, make_household, make_resident
from frontline.deliveries.tests.factories import Storeroom, storeroom

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def english():  # type: ignore[no-untyped-def]
    """The services word their errors in the active language; these tests read English."""
    with translation.override("en"):
        yield


@pytest.fixture
def placed(world: World) -> World:
    """Buildings 3 and 5 of 幸福里 on the site plan, 120 m apart east-west."""
    for building, (x, y) in ((world.building1, (10, 10)), (world.building2, (130, 10))):
        building.plan_x, building.plan_y = x, y
        building.save(update_fields=["plan_x", "plan_y"])
    return world


@pytest.fixture
def dialysis_household(world: World):  # type: ignore[no-untyped-def]
    """A third household, in building 5: a dialysis patient and a baby."""
    household = make_household(world.building2, "2", "301")
    make_resident(
        household, ("dialysis",), name="赵透析", document_number="110105197001010011",
        phone="13600003333",
    )  # fmt: skip
    make_resident(household, ("infant",), name="赵宝宝", document_number="110105202401010014")
    return household


@pytest.fixture
def room(world: World) -> Storeroom:
    """The community's storeroom in building 3, well stocked."""
    return storeroom(
        actor=world.users["admin"], community=world.community, building=world.building1,
        stock=(100, 1000, 20),
    )  # fmt: skip


@pytest.fixture
def store_elsewhere(world: World) -> Storeroom:
    """The other community's storeroom (光明), empty."""
    return storeroom(
        actor=world.users["other_admin"], community=world.other_community, building=None,
        stock=(0, 0, 0),
    )  # fmt: skip
