"""Who a notice reaches: the community, grids or buildings, and members' vulnerability tags."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from frontline.conftest import make_household, make_resident
from frontline.outreach.models import NoticeRecipient
from frontline.outreach.selectors import target_households
from frontline.places.models import Household
from frontline.residents.models import Resident, ResidentTag, Tag, senior_born_before


def recipients(notice) -> set[int]:  # type: ignore[no-untyped-def]
    return set(NoticeRecipient.objects.filter(notice=notice).values_list("household_id", flat=True))


def test_a_notice_to_the_whole_community_reaches_each_lived_in_household_of_it(
    world, compose, send
):
    empty = make_household(world.building1, "1", "101")  # nobody lives there

    notice = send(compose())

    assert recipients(notice) == {world.household1.pk, world.household2.pk}
    assert empty.pk not in recipients(notice)
    assert notice.household_count == 2


def test_a_notice_to_a_grid_or_a_building_reaches_only_those_households(world, compose, send):
    by_grid = send(compose(grid_ids=[world.grid2.pk]))
    by_building = send(compose(building_ids=[world.building1.pk]))

    assert recipients(by_grid) == {world.household2.pk}
    assert recipients(by_building) == {world.household1.pk}


def test_tags_reach_households_with_one_member_carrying_all_of_them(world, compose, send):
    # Zhang is 65+ and lives alone; a neighbour is 65+ only; Li carries no tag.
    neighbour_home = make_household(world.building1, "2", "402")
    make_resident(neighbour_home, name="赵老", birth_date=dt.date(1940, 5, 1))
    young_alone = make_household(world.building2, "1", "103")
    make_resident(young_alone, ("living_alone",), name="钱七", birth_date=dt.date(1995, 1, 1))

    senior_alone = send(compose(tags=[Tag.SENIOR, Tag.LIVING_ALONE]))
    senior = send(compose(tags=[Tag.SENIOR]))

    assert recipients(senior_alone) == {world.household1.pk}
    assert recipients(senior) == {world.household1.pk, neighbour_home.pk}


def test_it_refuses_grids_of_another_community_and_unknown_tags_and_channels(world, compose):
    with translation.override("en"), pytest.raises(ValidationError) as raised:
        compose(
            grid_ids=[world.other_building.grid_id], tags=["vip"], channels=["fax"],
            expires_at=timezone.now() - dt.timedelta(hours=1),
        )  # fmt: skip
    assert set(raised.value.message_dict) == {"grids", "tags", "channels", "expires_at"}


def test_a_notice_that_reaches_nobody_is_not_sent(world, compose, send):
    draft = compose(tags=[Tag.DIALYSIS])
    with translation.override("en"), pytest.raises(ValidationError) as raised:
        send(draft)
    assert "No household matches" in raised.value.messages[0]
    assert not NoticeRecipient.objects.exists()


choices = st.fixed_dictionaries(
    {
        "grids": st.sets(st.sampled_from(["grid1", "grid2"])),
        "buildings": st.sets(st.sampled_from(["building1", "building2"])),
        "tags": st.sets(st.sampled_from([Tag.SENIOR, Tag.LIVING_ALONE, Tag.CHRONIC]), max_size=2),
    }
)


@pytest.mark.django_db
@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(choice=choices)
def test_targeting_is_exactly_the_lived_in_households_in_scope_with_a_fully_tagged_member(
    world, choice
):  # type: ignore[no-untyped-def]
    if not Household.objects.filter(room="901").exists():
        for building, tags, born in [
            (world.building1, ("chronic",), dt.date(1950, 1, 1)),
            (world.building2, ("chronic", "living_alone"), dt.date(1980, 1, 1)),
            (world.building2, (), dt.date(1930, 1, 1)),
        ]:
            home = make_household(building, "9", f"90{Household.objects.count()}")
            make_resident(home, tags, name="测试", birth_date=born)
    grid_ids = [getattr(world, name).pk for name in choice["grids"]]
    building_ids = [getattr(world, name).pk for name in choice["buildings"]]

    found = set(
        target_households(
            community=world.community, grid_ids=grid_ids, building_ids=building_ids,
            tags=sorted(choice["tags"]),
        ).values_list("id", flat=True)
    )  # fmt: skip

    expected = set()
    old = senior_born_before(timezone.localdate())
    for resident in Resident.objects.filter(community=world.community, status="present"):
        building = resident.building
        in_scope = (not grid_ids and not building_ids) or (
            building.grid_id in grid_ids or building.pk in building_ids
        )
        held = set(ResidentTag.objects.filter(resident=resident).values_list("tag", flat=True))
        if resident.birth_date and resident.birth_date <= old:
            held.add(Tag.SENIOR)
        if in_scope and set(choice["tags"]) <= held:
            expected.add(resident.household_id)
    assert found == expected
    assert world.other_household.pk not in found


def test_a_notice_can_be_sent_to_some_households_of_its_targeting_only(world, compose):
    from frontline.outreach.models import NoticeRecipient
    from frontline.outreach.services import notice_send

    notice = notice_send(
        actor=world.users["admin"], notice=compose(),
        household_ids=[world.household2.pk, world.other_household.pk],
    )  # fmt: skip
    # the other community's household is outside the notice's targeting and stays out
    assert notice.household_count == 1
    assert list(NoticeRecipient.objects.values_list("household_id", flat=True)) == [
        world.household2.pk
    ]
