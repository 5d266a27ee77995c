"""The scope filter for each level of assignment, including the community rows themselves."""

from __future__ import annotations

from frontline.accounts.access import Permission, scoped
from frontline.places.models import Building, Community


def test_a_subdistrict_assignment_reaches_its_communities_and_their_buildings(world):
    officer = world.users["officer"]  # the sub-district officer holds EDIT_POLICY there
    communities = Community.objects.filter(scoped(officer, Permission.EDIT_POLICY, Community))
    assert set(communities) == {world.community, world.other_community}
    buildings = Building.objects.filter(scoped(officer, Permission.EDIT_POLICY, Building))
    assert world.other_building in buildings


def test_a_community_assignment_reaches_only_its_community(world):
    admin = world.users["admin"]
    communities = Community.objects.filter(scoped(admin, Permission.VIEW_PLACES, Community))
    assert list(communities) == [world.community]
    assert not Community.objects.filter(
        scoped(world.users["officer"], Permission.VIEW_PLACES, Community)
    ).exists()  # the officer holds no VIEW_PLACES anywhere
