"""Shared example world for every app's tests: two communities, grids, buildings and one user per role.

Community 幸福里 has grid 1 (building 1) and grid 2 (building 2); community 光明 is another community
in the same sub-district, outside everyone's scope except the officer's aggregates.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from frontline.accounts.models import Role, RoleAssignment, User
from frontline.core.tests.browser.fixtures import browser, login, page  # noqa: F401
from frontline.places.models import Building, Community, Grid, Household, SubDistrict, Unit
from frontline.residents.models import Resident, ResidentTag
from frontline.residents.validation import clean_resident_fields

PASSWORD = "correct-horse-battery"  # noqa: S105
ZHANG_ID = "11010519491231002X"


@dataclass
class World:
    subdistrict: SubDistrict
    community: Community
    other_community: Community
    grid1: Grid
    grid2: Grid
    building1: Building
    building2: Building
    other_building: Building
    household1: Household
    household2: Household
    other_household: Household
    zhang: Resident  # 张三丰 in building 1 (grid 1)
    li: Resident  # 李四 in building 2 (grid 2)
    outsider: Resident  # 王五 in the other community
    users: dict[str, User]


def make_household(building: Building, unit: str, room: str) -> Household:
    unit_row, _ = Unit.objects.get_or_create(building=building, number=unit)
    return Household.objects.create(unit=unit_row, room=room)


def make_resident(household: Household, tags: tuple[str, ...] = (), **fields: object) -> Resident:
    """Insert a resident directly with the derived columns the services compute."""
    values = {
        "document_type": "resident_id", "residence_type": "registered", "status": "present", **fields,
    }  # fmt: skip
    cleaned = clean_resident_fields(values)
    building = household.unit.building
    resident = Resident.objects.create(
        household=household,
        building=building,
        community_id=building.community_id,
        address_key=household.sort_key,
        **cleaned,
    )
    ResidentTag.objects.bulk_create([ResidentTag(resident=resident, tag=tag) for tag in tags])
    return resident


def make_user(username: str, role: Role, **scope: object) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, display_name=username)
    RoleAssignment.objects.create(user=user, role=role, **scope)
    return user


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db: None) -> World:
    subdistrict = SubDistrict.objects.create(name="示范街道")
    community = Community.objects.create(subdistrict=subdistrict, name="幸福里社区")
    other = Community.objects.create(subdistrict=subdistrict, name="光明社区")
    grid1 = Grid.objects.create(community=community, name="第一网格")
    grid2 = Grid.objects.create(community=community, name="第二网格")
    other_grid = Grid.objects.create(community=other, name="光明一网格")
    building1 = Building.objects.create(community=community, grid=grid1, number="3")
    building2 = Building.objects.create(community=community, grid=grid2, number="5")
    other_building = Building.objects.create(community=other, grid=other_grid, number="3")
    household1 = make_household(building1, "2", "401")
    household2 = make_household(building2, "1", "102")
    other_household = make_household(other_building, "2", "401")
    zhang = make_resident(
        household1, ("living_alone",), name="张三丰", document_number=ZHANG_ID, phone="13812345678"
    )
    li = make_resident(
        household2, name="李四", document_number="110105199003070017", phone="13900001111"
    )
    outsider = make_resident(
        other_household, name="王五", document_number="110105198001010032", phone="13700002222"
    )
    users = {
        "officer": make_user("officer", Role.SUBDISTRICT_OFFICER, subdistrict=subdistrict),
        "admin": make_user("admin", Role.COMMUNITY_ADMIN, community=community),
        "fulltime": make_user("fulltime", Role.FULL_TIME_WORKER, community=community),
        "parttime": make_user("parttime", Role.PART_TIME_WORKER, community=community),
        "grid1": make_user("grid1", Role.GRID_WORKER, grid=grid1),
        "volunteer": make_user("volunteer", Role.VOLUNTEER, community=community),
        "sampler": make_user("sampler", Role.MEDICAL_SAMPLER, community=community),
        "counsellor": make_user("counsellor", Role.COUNSELLOR, community=community),
        "supervisor": make_user("supervisor", Role.CARE_SUPERVISOR, community=community),
        "lab": make_user("lab", Role.LAB, subdistrict=subdistrict),
        "other_admin": make_user("other_admin", Role.COMMUNITY_ADMIN, community=other),
    }
    return World(
        subdistrict, community, other, grid1, grid2, building1, building2, other_building,
        household1, household2, other_household, zhang, li, outsider, users,
    )  # fmt: skip


@pytest.fixture
def client_for(world: World):  # type: ignore[no-untyped-def]
    """A logged-in test client for one of the example users."""

    def signed_in(name: str) -> Client:
        client = Client()
        client.force_login(world.users[name])
        return client

    return signed_in
