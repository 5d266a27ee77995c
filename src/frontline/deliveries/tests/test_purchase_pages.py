"""Group purchases through the pages, the household page and the API: set up, ordered within the
caps, closed, totalled for the supplier (printable and .xlsx, audited), received into a round;
each household sees and changes only its own order."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from frontline.conftest import make_household, make_resident
from frontline.core.models import AuditEntry
from frontline.deliveries.models import GroupPurchase, PurchaseOrder, PurchaseStatus
from frontline.deliveries.purchases import OrderLineInput, order_place_by_household
from frontline.deliveries.tests.conftest import EN
from frontline.deliveries.tests.purchase_factories import offers_of, open_purchase
from frontline.health.services import household_link_issue
from frontline.supplies.models import Movement, MovementKind


@pytest.fixture
def purchase(world, room) -> GroupPurchase:  # type: ignore[no-untyped-def]
    return open_purchase(
        actor=world.users["admin"], community=world.community, warehouse=room.warehouse,
        vegetables=room.vegetables,
    )  # fmt: skip


def token_of(world, household) -> str:  # type: ignore[no-untyped-def]
    _link, token = household_link_issue(actor=world.users["admin"], household=household)
    return token


def test_a_purchase_is_set_up_closed_totalled_and_received_through_the_pages(
    world, room, client_for
):
    admin = client_for("admin")
    closes = timezone.localtime() + dt.timedelta(days=1)
    form = {
        "community": world.community.pk, "title": "水果团购", "supplier": "鲜果园",
        "supplier_contact": "021-5555", "warehouse": room.warehouse.pk,
        "closes_at": closes.strftime("%Y-%m-%dT%H:%M"),
        "offer_item_0": "", "offer_new_0": "苹果 5斤", "offer_unit_0": "箱",
        "offer_category_0": "food", "offer_price_0": "38.5", "offer_cap_0": 2,
        "offer_item_1": room.vegetables.pk, "offer_price_1": "12", "offer_cap_1": 0,
    }  # fmt: skip
    refused = admin.post(reverse("deliveries:purchase_new"), form, **EN)
    assert refused.status_code == 422
    assert "Line 2: a household may order 1 to 100 units." in refused.content.decode()
    form["offer_cap_1"] = 3
    response = admin.post(reverse("deliveries:purchase_new"), form, **EN)
    assert response.status_code == 302, response.content.decode()
    purchase = GroupPurchase.objects.get()
    assert purchase.offers.count() == 2
    apples, vegetables = offers_of(purchase)
    order_place_by_household(
        link=household_link_issue(actor=world.users["admin"], household=world.household1)[0],
        purchase_id=purchase.pk, lines=[OrderLineInput(apples.pk, 2)],
    )  # fmt: skip

    edit = admin.get(reverse("deliveries:purchase_edit", kwargs={"pk": purchase.pk}))
    assert edit.status_code == 200 and 'value="38.50"' in edit.content.decode()
    assert admin.get(reverse("deliveries:purchase_new")).status_code == 200
    detail = admin.get(reverse("deliveries:purchase", kwargs={"pk": purchase.pk}), **EN)
    assert "1 household has ordered." in detail.content.decode()
    admin.post(reverse("deliveries:purchase_close", kwargs={"pk": purchase.pk}))
    purchase.refresh_from_db()
    assert purchase.status == PurchaseStatus.CLOSED

    arrival = reverse("deliveries:purchase_arrival", kwargs={"pk": purchase.pk})
    page = admin.get(arrival, **EN).content.decode()
    assert f'name="received_{apples.pk}" value="2"' in page  # prefilled with what was ordered
    bad = admin.post(
        arrival, {f"received_{apples.pk}": "x", f"received_{vegetables.pk}": "0"}, **EN
    )
    assert bad.status_code == 422 and "苹果 5斤: enter the units that came" in bad.content.decode()
    response = admin.post(
        arrival, {f"received_{apples.pk}": "2", f"received_{vegetables.pk}": "0"}, **EN
    )
    purchase.refresh_from_db()
    assert response.url == reverse("deliveries:round", kwargs={"pk": purchase.round_id})
    page = admin.get(response.url, **EN).content.decode()
    assert "held for the households that ordered them" in page
    assert Movement.objects.get(kind=MovementKind.PURCHASE).supplier == "鲜果园"
    # the round delivers the orders as they are: it has started and is not planned again
    edit_round = admin.get(reverse("deliveries:round_edit", kwargs={"pk": purchase.round_id}))
    assert edit_round.url == response.url


def test_a_worker_orders_for_a_household_without_a_smartphone(world, purchase, client_for):
    rice, vegetables = offers_of(purchase)
    worker = client_for("parttime")
    url = reverse("deliveries:purchase", kwargs={"pk": purchase.pk})
    page = worker.get(url, {"household": "5-1-102"}, **EN).content.decode()
    assert f'name="quantity_{rice.pk}"' in page
    refused = worker.post(url, {"household": "5-1-102", f"quantity_{rice.pk}": "9"}, **EN)
    assert refused.status_code == 422 and "order 0 to 2" in refused.content.decode()
    worker.post(url, {"household": "5-1-102", f"quantity_{rice.pk}": "2",
                         f"quantity_{vegetables.pk}": ""})  # fmt: skip
    order = PurchaseOrder.objects.get(household=world.household2)
    assert order.placed_by == world.users["parttime"]
    # a part-time worker orders but neither plans nor totals
    totals = reverse("deliveries:purchase_totals", kwargs={"pk": purchase.pk})
    assert worker.get(totals).status_code == 403
    unknown = worker.get(url, {"household": "9-9-909"}, **EN)
    assert unknown.status_code == 422 and "No household you serve" in unknown.content.decode()


def test_the_totals_page_prints_and_downloads_the_totals_per_building_audited(
    world, purchase, client_for, dialysis_household, django_assert_max_num_queries
):
    for n in range(12):
        household = make_household(world.building1, "1", f"{n + 1}01")
        make_resident(household, name=f"住户{n}", document_number="", phone=f"1390000{n:04d}")
        token_link = household_link_issue(actor=world.users["admin"], household=household)[0]
        rice, vegetables = offers_of(purchase)
        order_place_by_household(link=token_link, purchase_id=purchase.pk,
                                 lines=[OrderLineInput(rice.pk, 1), OrderLineInput(vegetables.pk, 2)])  # fmt: skip
    admin = client_for("admin")
    url = reverse("deliveries:purchase_totals", kwargs={"pk": purchase.pk})
    admin.get(url)  # warm the session and the content types
    with django_assert_max_num_queries(10):  # session, user, roles, 5 of the totals, the inbox
        page = admin.get(url, **EN).content.decode()
    assert "<td>3</td><td>12</td><td>12</td><td>24</td><td>840.00</td>" in page
    assert '<td id="grand-total">840.00</td>' in page
    with django_assert_max_num_queries(11):
        assert (
            admin.get(reverse("deliveries:purchase", kwargs={"pk": purchase.pk})).status_code == 200
        )
    with django_assert_max_num_queries(7):
        assert admin.get(reverse("deliveries:purchases")).status_code == 200

    download = admin.get(url, {"format": "xlsx"})
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = (
        CalamineWorkbook.from_filelike(io.BytesIO(download.content))
        .get_sheet_by_index(0)
        .to_python()
    )
    assert ["3", 12, 12, 24, 840] in [[*row[:4], row[4]] for row in rows if row and row[0] == "3"]
    assert AuditEntry.objects.filter(action="export", target_id=str(purchase.pk)).count() == 1


# -- the household page -------------------------------------------------------------------------


def test_a_household_orders_changes_and_withdraws_on_its_page(world, purchase, client_for):
    rice, vegetables = offers_of(purchase)
    url = reverse("portal:purchases", kwargs={"token": token_of(world, world.household1)})
    resident = client_for("admin").__class__()
    page = resident.get(url, **EN).content.decode()
    assert "大米蔬菜团购" in page and f'max="{rice.cap}"' in page

    too_many = resident.post(url, {"purchase": purchase.pk, f"quantity_{rice.pk}": "3"}, **EN)
    assert too_many.status_code == 422 and "大米 5kg: order 0 to 2 袋." in too_many.content.decode()
    saved = resident.post(url, {"purchase": purchase.pk, f"quantity_{rice.pk}": "2",
                                f"quantity_{vegetables.pk}": "1"}, follow=True, **EN)  # fmt: skip
    assert "Your order: 102.50 yuan" in saved.content.decode()
    resident.post(url, {"purchase": purchase.pk, f"quantity_{rice.pk}": "0",
                        f"quantity_{vegetables.pk}": "0"})  # fmt: skip
    assert not PurchaseOrder.objects.exists()


def test_the_household_page_shows_and_touches_only_its_own_order(world, room, purchase, client_for):
    rice, _vegetables = offers_of(purchase)
    order_place_by_household(
        link=household_link_issue(actor=world.users["admin"], household=world.household2)[0],
        purchase_id=purchase.pk, lines=[OrderLineInput(rice.pk, 2)],
    )  # fmt: skip
    client = client_for("admin").__class__()
    url = reverse("portal:purchases", kwargs={"token": token_of(world, world.household1)})
    page = client.get(url, **EN).content.decode()
    assert f'name="quantity_{rice.pk}" value="0"' in page  # not the neighbour's 2
    from frontline.supplies.services import item_create, warehouse_create

    other = open_purchase(
        actor=world.users["other_admin"], community=world.other_community,
        warehouse=warehouse_create(actor=world.users["other_admin"],
                                   community=world.other_community, name="光明仓"),
        vegetables=item_create(actor=world.users["other_admin"], community=world.other_community,
                               name="蔬菜包", unit="袋", category="food"),
    )  # fmt: skip
    other_rice, _ = offers_of(other)
    assert "光明" not in page
    response = client.post(url, {"purchase": other.pk, f"quantity_{other_rice.pk}": "1"})
    assert response.status_code == 404
    assert PurchaseOrder.objects.get().household == world.household2


# -- the API ------------------------------------------------------------------------------------


def post(client, url, body):  # type: ignore[no-untyped-def]
    return client.post(url, json.dumps(body), content_type="application/json")


def test_the_api_lists_purchases_gives_totals_and_orders_on_a_households_behalf(
    world, purchase, client_for
):
    rice, vegetables = offers_of(purchase)
    worker = client_for("parttime")
    listed = worker.get("/api/v1/deliveries/purchases").json()
    assert listed["count"] == 1 and listed["items"][0]["taking_orders"] is True
    url = f"/api/v1/deliveries/purchases/{purchase.pk}/orders"
    refused = post(worker, url, {"household_id": world.household1.pk,
                                    "lines": [{"offer_id": rice.pk, "quantity": 5}]})  # fmt: skip
    assert refused.status_code == 422 and "lines" in refused.json()["detail"]
    placed = post(
        worker,
        url,
        {
            "household_id": world.household1.pk,
            "lines": [
                {"offer_id": rice.pk, "quantity": 2},
                {"offer_id": vegetables.pk, "quantity": 1},
            ],
        },
    )
    assert placed.status_code == 200 and placed.json()["withdrawn"] is False
    detail = client_for("admin").get(f"/api/v1/deliveries/purchases/{purchase.pk}").json()
    assert detail["households"] == 1 and float(detail["amount"]) == 102.5
    assert detail["buildings"][0]["units"] == {str(rice.pk): 2, str(vegetables.pk): 1}
    withdrawn = post(
        worker,
        url,
        {
            "household_id": world.household1.pk,
            "lines": [
                {"offer_id": rice.pk, "quantity": 0},
                {"offer_id": vegetables.pk, "quantity": 0},
            ],
        },
    )
    assert withdrawn.json()["withdrawn"] is True
    assert client_for("sampler").get("/api/v1/deliveries/purchases").status_code == 403
    outside = post(client_for("other_admin"), url, {"household_id": world.household1.pk,
                                                    "lines": []})  # fmt: skip
    assert outside.status_code == 404


def test_a_volunteer_who_only_delivers_cannot_see_or_order_for_households(
    world, purchase, client_for
):
    volunteer = client_for("volunteer")
    assert volunteer.get("/api/v1/deliveries/purchases").status_code == 403
    url = reverse("deliveries:purchase", kwargs={"pk": purchase.pk})
    assert volunteer.get(url, {"household": "5-1-102"}).status_code == 404
    ordered = volunteer.post(
        f"/api/v1/deliveries/purchases/{purchase.pk}/orders",
        {"household_id": world.household2.pk, "lines": []}, content_type="application/json",
    )  # fmt: skip
    assert ordered.status_code == 404
