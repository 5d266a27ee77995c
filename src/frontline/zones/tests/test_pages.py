"""The zone pages over HTTP: the board, a building's zones, raising on a case, the daily list,
step-down and lift only when due, the sub-district's counts, and the read-only admin."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from frontline.accounts.models import User
from frontline.conftest import make_household, make_resident
from frontline.places.models import Building
from frontline.zones.models import Zone, ZoneEvent
from frontline.zones.selectors import today
from frontline.zones.services import zone_raise
from frontline.zones.tests.factories import case_of


@pytest.fixture
def ninth_now(world):  # type: ignore[no-untyped-def]
    """The 9th edition brought back from ten days ago, so "today" has high-risk areas."""
    from frontline.control.tests.factories import ninth_in_force_from

    return ninth_in_force_from(world, today() - dt.timedelta(days=10))


def raised(world, *, days_ago: int, place=None) -> Zone:  # type: ignore[no-untyped-def]
    day = today() - dt.timedelta(days=days_ago)
    return zone_raise(place=place or world.building1, level="high", case=case_of(world, day=day),
                      actor=world.users["admin"], on=day)  # fmt: skip


def test_the_board_draws_every_building_coloured_by_its_highest_zone(world, client_for, ninth_now):
    raised(world, days_ago=1)
    body = client_for("fulltime").get(reverse("zones:board")).content.decode()
    assert 'id="building-board"' in body and body.count('class="zone-tile"') == 2
    assert 'data-building="3" data-rank="3"' in body and 'data-building="5" data-rank="0"' in body
    assert "#dc3545" in body and "张三丰" not in body
    grid_board = client_for("grid1").get(reverse("zones:board")).content.decode()
    assert grid_board.count('class="zone-tile"') == 1  # a grid worker sees their grid's buildings


def test_the_board_lays_buildings_out_by_number_in_a_bounded_number_of_queries(
    world, client_for, ninth_now, django_assert_max_num_queries
):
    for number in ["10", "2", "11", "4", "7", "12", "1"]:
        Building.objects.create(community=world.community, grid=world.grid1, number=number)
    raised(world, days_ago=1)
    client = client_for("admin")
    with django_assert_max_num_queries(8):
        body = client.get(reverse("zones:board")).content.decode()
    order = [body.index(f'data-building="{n}"') for n in ["1", "2", "3", "4", "5", "7", "10", "12"]]
    assert order == sorted(order)


def test_a_unit_zone_colours_its_building_and_the_building_page_lists_it(
    world, client_for, ninth_now
):
    unit = world.household1.unit
    zone = zone_raise(place=unit, level="medium", case=case_of(world, day=today()),
                      actor=world.users["admin"], on=today())  # fmt: skip
    board = client_for("admin").get(reverse("zones:board")).content.decode()
    assert 'data-building="3" data-rank="2"' in board
    page = client_for("admin").get(reverse("zones:building", args=[world.building1.pk]))
    assert page.status_code == 200
    assert f'data-zone="{zone.pk}"' in page.content.decode()


def test_raising_on_the_page_needs_a_case_in_the_building(world, client_for, ninth_now):
    case = case_of(world, world.li, day=today())  # 李四 lives in building 5, not 3
    client = client_for("fulltime")
    url = reverse("zones:building_raise", args=[world.building1.pk])
    response = client.post(url, {"place": "building", "level": "high", "case": case.pk,
                                 "confirm": "on"})  # fmt: skip
    assert response.status_code == 422 and not Zone.objects.exists()
    mine = case_of(world, day=today())
    response = client.post(url, {"place": "building", "level": "high", "case": mine.pk,
                                 "confirm": "on"})  # fmt: skip
    assert response.status_code == 302
    assert Zone.objects.get().level == "high"


def test_the_raise_form_reports_every_bad_field(world, client_for, ninth_now):
    case_of(world, day=today())
    with translation.override("en"):
        response = client_for("fulltime").post(
            reverse("zones:building_raise", args=[world.building1.pk]), {"level": "nonsense"}
        )
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert {"place", "level", "case", "confirm"} <= set(errors)


def test_a_worker_without_manage_control_cannot_raise(world, client_for, ninth_now):
    url = reverse("zones:building_raise", args=[world.building1.pk])
    assert client_for("grid1").get(url).status_code == 403
    assert client_for("other_admin").get(url).status_code == 404


def test_lifting_is_offered_only_when_due(world, client_for, ninth_now):
    zone = raised(world, days_ago=7)  # 9th edition: high steps down on day 8
    client = client_for("admin")
    page = client.get(reverse("zones:building", args=[world.building1.pk])).content.decode()
    assert "step-down-link" not in page and "lift-link" not in page
    response = client.post(reverse("zones:zone_step_down", args=[zone.pk]), {"confirm": "on"})
    assert response.status_code == 422 and Zone.objects.get().level == "high"
    assert client.get(reverse("zones:due")).content.decode().count("due-row") == 0


def test_a_due_zone_is_listed_stepped_down_and_then_lifted(world, client_for, ninth_now):
    zone = raised(world, days_ago=8)
    client = client_for("admin")
    assert client.get(reverse("zones:due")).content.decode().count('class="due-row"') == 1
    page = client.get(reverse("zones:building", args=[world.building1.pk])).content.decode()
    assert "step-down-link" in page and "lift-link" not in page
    lift = client.get(reverse("zones:zone_lift", args=[zone.pk])).content.decode()
    assert 'id="follow-form"' not in lift  # the rule set steps it down first
    form = client.get(reverse("zones:zone_step_down", args=[zone.pk])).content.decode()
    assert 'id="follow-form"' in form and 'id="checklist"' in form
    unconfirmed = client.post(reverse("zones:zone_step_down", args=[zone.pk]), {})
    assert unconfirmed.status_code == 422 and Zone.objects.get().level == "high"
    done = client.post(reverse("zones:zone_step_down", args=[zone.pk]), {"confirm": "on"})
    assert done.status_code == 302 and Zone.objects.get().level == "medium"
    assert list(ZoneEvent.objects.values_list("kind", flat=True)) == ["raised", "stepped_down"]


def test_the_officer_sees_counts_by_level_and_no_board(world, client_for, ninth_now):
    raised(world, days_ago=1)
    officer = client_for("officer")
    body = officer.get(reverse("zones:summary")).content.decode()
    assert "幸福里社区" in body and "光明社区" in body and "张三丰" not in body
    assert "<td>1</td>" in body
    assert officer.get(reverse("zones:board")).status_code == 403
    assert client_for("grid1").get(reverse("zones:summary")).status_code == 403


def test_the_admin_offers_no_way_to_change_a_zone(world, ninth_now):
    zone = raised(world, days_ago=1)
    root = User.objects.create_superuser("root", password="x")
    client = Client()
    client.force_login(root)
    assert client.get("/admin/zones/zone/").status_code == 200
    assert client.get("/admin/zones/zone/add/").status_code == 403
    client.post(f"/admin/zones/zone/{zone.pk}/change/", {"level": "low"})
    client.post(f"/admin/zones/zone/{zone.pk}/delete/", {"post": "yes"})
    assert Zone.objects.get().level == "high"


def test_the_daily_command_lists_the_zones_due(world, ninth_now, capsys):
    raised(world, days_ago=8)
    neighbour = make_resident(make_household(world.building2, "1", "201"), name="赵六",
                              document_number="110105198501010012", phone="13811112222")  # fmt: skip
    zone_raise(place=world.building2, level="high", case=case_of(world, neighbour, day=today()),
               actor=world.users["admin"], on=today())  # fmt: skip
    with translation.override("en"):
        call_command("zones_review")
    out = capsys.readouterr().out
    assert "Building 3" in out and "Building 5" not in out and "1 zones due" in out
    assert "赵六" not in out


def test_the_building_page_and_the_due_list_stay_within_a_fixed_number_of_queries(
    world, client_for, ninth_now, django_assert_max_num_queries
):
    for number in ["1", "2", "4"]:
        building = Building.objects.create(
            community=world.community, grid=world.grid1, number=number
        )
        resident = make_resident(make_household(building, "1", "101"), name=f"住户{number}",
                                 document_number="", phone="")  # fmt: skip
        day = today() - dt.timedelta(days=8)
        zone_raise(place=building, level="high", case=case_of(world, resident, day=day),
                   actor=world.users["admin"], on=day)  # fmt: skip
    client = client_for("admin")
    with django_assert_max_num_queries(6):
        due = client.get(reverse("zones:due")).content.decode()
    assert due.count('class="due-row"') == 3
    with django_assert_max_num_queries(10):
        assert client.get(reverse("zones:building", args=[world.building1.pk])).status_code == 200


def test_a_raise_without_zone_levels_in_force_says_so(world, client_for):
    case_of(world, day=today())  # today the Class B rules are in force: no zones
    body = (
        client_for("admin")
        .get(reverse("zones:building_raise", args=[world.building1.pk]))
        .content.decode()
    )
    assert 'id="no-levels"' in body


def test_the_building_page_shows_the_whole_history_after_a_lift(world, client_for, ninth_now):
    from frontline.zones.services import zone_lift, zone_step_down

    zone = raised(world, days_ago=9)  # under the copy in force from ten days ago
    admin = world.users["admin"]
    zone_step_down(zone=zone, actor=admin, on=today() - dt.timedelta(days=1))
    with pytest.raises(ValidationError):
        zone_lift(zone=zone, actor=admin, on=today() + dt.timedelta(days=1))
    zone_lift(zone=zone, actor=admin, on=today() + dt.timedelta(days=2))
    with translation.override("en"):
        body = (
            client_for("grid1")
            .get(reverse("zones:building", args=[world.building1.pk]), HTTP_ACCEPT_LANGUAGE="en")
            .content.decode()
        )
    assert body.count('class="event-row"') == 3 and "lifted" in body
    assert "step-down-link" not in body and "lift-link" not in body and "raise-link" not in body
