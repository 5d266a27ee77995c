"""The pages: planning and starting a round, batches and their route, the volunteer's phone page
(only their parcels, only the address and the phone's last four digits), the household page's
"Received", and bounded query counts on the lists."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from frontline.accounts.models import Role
from frontline.conftest import make_household, make_resident, make_user
from frontline.deliveries.models import (
    Batch,
    Delivery,
    DeliveryStatus,
    DistributionRound,
    RoundStatus,
)
from frontline.deliveries.services import delivery_mark
from frontline.deliveries.tests.conftest import EN
from frontline.deliveries.tests.factories import started_round
from frontline.health.services import household_link_issue

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def walked(world, room):  # type: ignore[no-untyped-def]
    """A started round with all its parcels in one batch given to the volunteer."""
    round, batch = started_round(
        actor=world.users["admin"], community=world.community, room=room,
        volunteer=world.users["volunteer"],
    )  # fmt: skip
    return round, batch


def more_households(world, count: int) -> None:  # type: ignore[no-untyped-def]
    for n in range(count):
        household = make_household(world.building1, "1", f"{n + 1}01")
        make_resident(household, name=f"住户{n}", document_number="", phone=f"1390000{n:04d}")


def test_a_round_is_planned_previewed_started_and_batched_through_the_pages(
    world, room, client_for
):
    admin = client_for("admin")
    form = {
        "community": world.community.pk, "name": "第一轮保供", "warehouse": room.warehouse.pk,
        "trip_capacity": 10, "priority_0": "dialysis", "priority_1": "senior_living_alone",
        "line_item_0": room.vegetables.pk, "line_basis_0": "household", "line_quantity_0": 1,
        "line_item_1": room.masks.pk, "line_basis_1": "person", "line_quantity_1": 10,
        "line_item_2": "", "line_basis_2": "household", "line_quantity_2": "",
    }  # fmt: skip
    response = admin.post(reverse("deliveries:round_new"), form, **EN)
    assert response.status_code == 302
    round = DistributionRound.objects.get()
    assert round.priority == ["dialysis", "senior_living_alone"]
    assert round.lines.count() == 2

    preview = admin.get(reverse("deliveries:round_preview", kwargs={"pk": round.pk}), **EN)
    page = preview.content.decode()
    assert "The stock covers every household's share." in page
    fingerprint = preview.context["preview"].fingerprint

    response = admin.post(
        reverse("deliveries:round_start", kwargs={"pk": round.pk}), {"fingerprint": fingerprint}
    )
    assert response.url == reverse("deliveries:round_batches", kwargs={"pk": round.pk})
    round.refresh_from_db()
    assert round.status == RoundStatus.STARTED

    response = admin.post(
        reverse("deliveries:round_batches", kwargs={"pk": round.pk}),
        {"buildings": [world.building1.pk, world.building2.pk],
         "volunteer": world.users["volunteer"].pk},
        follow=True, **EN,
    )  # fmt: skip
    assert "No route yet" in response.content.decode()  # the buildings have no position yet
    assert Delivery.objects.filter(batch__volunteer=world.users["volunteer"]).count() == 2

    detail = admin.get(reverse("deliveries:round", kwargs={"pk": round.pk}), **EN)
    assert "0 of 2 households delivered" in detail.content.decode()


def test_the_round_form_shows_every_problem_and_keeps_the_input(world, room, client_for):
    response = client_for("admin").post(
        reverse("deliveries:round_new"),
        {"community": world.community.pk, "name": "", "warehouse": room.warehouse.pk,
         "trip_capacity": 10, "line_item_0": room.masks.pk, "line_basis_0": "tagged_person",
         "line_quantity_0": 2},
        **EN,
    )  # fmt: skip
    assert response.status_code == 422
    page = response.content.decode()
    assert "choose the group" in page and "Enter a name" in page


def test_the_batch_page_draws_the_route_numbered_on_the_site_plan(
    world, placed, walked, client_for
):
    _round, batch = walked
    admin = client_for("admin")
    admin.post(reverse("deliveries:batch_route", kwargs={"pk": batch.pk}))
    page = admin.get(reverse("deliveries:batch", kwargs={"pk": batch.pk}), **EN).content.decode()
    assert 'id="route-board"' in page and "<polyline" in page
    assert page.count('class="route-stop"') == 2
    assert "240 m" in page
    # the volunteer opens their own batch's route too; another volunteer does not
    assert (
        client_for("volunteer")
        .get(reverse("deliveries:batch", kwargs={"pk": batch.pk}))
        .status_code
        == 200
    )
    stranger = Client(HTTP_ACCEPT_LANGUAGE="en")
    stranger.force_login(make_user("volunteer2", Role.VOLUNTEER, community=world.community))
    assert stranger.get(reverse("deliveries:batch", kwargs={"pk": batch.pk})).status_code == 404


def test_a_volunteer_sees_only_their_parcels_with_the_address_and_phone_tail(
    world, walked, client_for
):
    page = client_for("volunteer").get(reverse("deliveries:mine"), **EN).content.decode()
    assert "3-2-401" in page and "5-1-102" in page
    assert "5678" in page and "1111" in page  # the phones' last four digits
    for hidden in ("张三丰", "李四", "13812345678", "138****5678", "110105"):
        assert hidden not in page

    stranger = Client(HTTP_ACCEPT_LANGUAGE="en")
    stranger.force_login(make_user("volunteer2", Role.VOLUNTEER, community=world.community))
    page = stranger.get(reverse("deliveries:mine")).content.decode()
    assert "3-2-401" not in page and "No delivery is given to you" in page


def test_a_volunteer_gets_404_for_a_parcel_not_in_their_batch_and_for_the_rounds(
    world, walked, client_for
):
    round, _batch = walked
    parcel = Delivery.objects.get(round=round, household=world.household1)
    stranger = Client(HTTP_ACCEPT_LANGUAGE="en")
    stranger.force_login(make_user("volunteer2", Role.VOLUNTEER, community=world.community))
    mark = reverse("deliveries:delivery_mark", kwargs={"pk": parcel.pk})
    assert stranger.post(mark, {"status": "out"}).status_code == 404
    volunteer = client_for("volunteer")
    assert volunteer.get(reverse("deliveries:round", kwargs={"pk": round.pk})).status_code == 404
    assert volunteer.get(reverse("deliveries:rounds")).status_code == 403


def test_each_card_saves_on_its_own_and_answers_with_the_card(
    world, walked, client_for, settings, tmp_path
):
    settings.DATA_DIR = tmp_path
    round, _batch = walked
    parcel = Delivery.objects.get(round=round, household=world.household1)
    mark = reverse("deliveries:delivery_mark", kwargs={"pk": parcel.pk})
    volunteer = client_for("volunteer")

    refused = volunteer.post(mark, {"status": "failed"}, **HTMX, **EN)
    assert refused.status_code == 422
    assert "Say why the delivery failed." in refused.content.decode()

    done = volunteer.post(
        mark,
        {"status": "delivered",
         "photo": SimpleUploadedFile("door.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 32)},
        **HTMX, **EN,
    )  # fmt: skip
    card = done.content.decode()
    assert done.status_code == 200
    assert card.strip().startswith(
        f'<div class="card mb-2 delivery-card border-success" id="delivery-{parcel.pk}"'
    )
    assert "saved" in card and "张三丰" not in card
    parcel.refresh_from_db()
    assert parcel.status == DeliveryStatus.DELIVERED
    photo = volunteer.get(reverse("deliveries:delivery_photo", kwargs={"pk": parcel.pk}))
    assert photo.status_code == 200 and photo["Cache-Control"] == "private, no-store"


def test_the_household_page_shows_what_is_coming_and_takes_the_confirmation(
    world, walked, client_for
):
    round, _batch = walked
    _link, token = household_link_issue(actor=world.users["grid1"], household=world.household1)
    parcel = Delivery.objects.get(round=round, household=world.household1)
    url = reverse("portal:deliveries", kwargs={"token": token})
    resident = Client(HTTP_ACCEPT_LANGUAGE="en")
    page = resident.get(url).content.decode()
    assert "蔬菜包" in page and "口罩 × 10" in page
    assert 'name="delivery"' not in page  # nothing set out yet: no button

    delivery_mark(actor=world.users["volunteer"], delivery=parcel, status="out")
    page = resident.get(url).content.decode()
    assert f'value="{parcel.pk}"' in page
    response = resident.post(url, {"delivery": parcel.pk})
    assert response.status_code == 302
    page = resident.get(response["Location"]).content.decode()
    assert "You confirmed receiving it" in page
    # another household's parcel is not there to confirm
    other = Delivery.objects.get(round=round, household=world.household2)
    assert resident.post(url, {"delivery": other.pk}).status_code == 404


def test_the_round_list_and_detail_read_a_bounded_number_of_queries(
    world, room, client_for, django_assert_max_num_queries
):
    more_households(world, 12)
    for _round in range(3):
        started_round(
            actor=world.users["admin"], community=world.community, room=room,
            volunteer=world.users["volunteer"],
        )  # fmt: skip
    admin = client_for("admin")
    admin.get(reverse("deliveries:rounds"))  # warm the session and the content types
    with django_assert_max_num_queries(6):
        assert admin.get(reverse("deliveries:rounds")).status_code == 200
    batch = Batch.objects.order_by("id").first()
    assert batch is not None
    with django_assert_max_num_queries(16):
        url = reverse("deliveries:round", kwargs={"pk": batch.round_id})
        assert admin.get(url).status_code == 200
    with django_assert_max_num_queries(10):
        assert admin.get(reverse("deliveries:batch", kwargs={"pk": batch.pk})).status_code == 200


def test_the_volunteers_page_reads_a_bounded_number_of_queries(
    world, room, client_for, django_assert_max_num_queries
):
    more_households(world, 12)
    started_round(
        actor=world.users["admin"], community=world.community, room=room,
        volunteer=world.users["volunteer"],
    )  # fmt: skip
    volunteer = client_for("volunteer")
    volunteer.get(reverse("deliveries:mine"))
    with django_assert_max_num_queries(7):
        page = volunteer.get(reverse("deliveries:mine")).content.decode()
    assert page.count('class="card mb-2 delivery-card') == 14
