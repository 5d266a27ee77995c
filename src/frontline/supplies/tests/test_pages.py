"""The pages and the API of the stock ledger."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from frontline.supplies.models import Item, LedgerEntry, Movement, StockLevel, Warehouse
from frontline.supplies.services import issue, item_create, receive, warehouse_create

from .conftest import EN


def lines(*rows: tuple[object, ...], fields=("item", "quantity", "expires_on"), total=8) -> dict:  # type: ignore[no-untyped-def]
    """The posted line formset: `rows` filled, the rest blank."""
    data: dict[str, object] = {"lines-TOTAL_FORMS": str(total), "lines-INITIAL_FORMS": "0"}
    for n, row in enumerate(rows):
        data |= {f"lines-{n}-{field}": value for field, value in zip(fields, row, strict=False)}
    return data


def test_a_full_time_worker_sets_up_a_storeroom_and_records_a_donation_with_its_receipt(
    world, client_for
):
    client = client_for("fulltime")
    response = client.post(
        reverse("supplies:warehouse_create"),
        {"community": world.community.pk, "name": "党群服务中心仓", "building": world.building2.pk},
    )  # fmt: skip
    room = Warehouse.objects.get()
    assert response.status_code == 302 and room.building == world.building2
    client.post(reverse("supplies:item_create"),
                {"community": world.community.pk, "name": "挂面", "unit": "包",
                 "category": "food", "low_stock_at": "10"})  # fmt: skip
    client.post(reverse("supplies:item_create"),
                {"community": world.community.pk, "name": "84消毒液", "unit": "瓶",
                 "category": "disinfection"})  # fmt: skip
    noodles, bleach = Item.objects.get(name="挂面"), Item.objects.get(name="84消毒液")
    received = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("supplies:receive", kwargs={"pk": room.pk}),
        {"kind": "donation", "donor": "幸福超市", "donor_contact": "13811112222",
         "occurred_at": received,
         **lines((noodles.pk, "40", "2030-01-01"), (bleach.pk, "12", ""))},
    )  # fmt: skip
    movement = Movement.objects.get()
    assert response.status_code == 302 and movement.receipt_number.startswith("JZ-")

    page = client.get(reverse("supplies:movement", kwargs={"pk": movement.pk}), **EN).content
    assert "138****2222" in page.decode() and "13811112222" not in page.decode()
    receipt = client.get(reverse("supplies:receipt", kwargs={"pk": movement.pk}), **EN)
    html = receipt.content.decode()
    assert "size: A4" in html and movement.receipt_number in html
    assert "幸福里社区" in html and "幸福超市" in html and "40 包" in html and "12 瓶" in html
    assert "Community seal" in html and "Received by (signature)" in html
    stock = client.get(reverse("supplies:warehouse", kwargs={"pk": room.pk}), **EN).content
    assert stock.decode().count('class="stock-row') == 2


def test_only_a_donation_has_a_receipt(world, client_for, stocked):
    movement = issue(actor=world.users["admin"], warehouse=stocked.room, reason="卫生站",
                     lines=[(stocked.masks, 1)])  # fmt: skip
    url = reverse("supplies:receipt", kwargs={"pk": movement.pk})
    assert client_for("admin").get(url).status_code == 404


def test_the_receipt_form_names_every_bad_line_and_keeps_what_was_typed(world, client_for, store):
    response = client_for("admin").post(
        reverse("supplies:receive", kwargs={"pk": store.room.pk}),
        {"kind": "donation", "donor": "", "occurred_at": "2020-01-01T10:00",
         **lines((store.rice.pk, "5", ""), (store.milk.pk, "3", "2019-01-01"))},
        **EN,
    )  # fmt: skip
    body = response.content.decode()
    assert response.status_code == 422
    assert "Line 2: it expired before it came in." in body
    assert "Enter who donated the goods" in body
    assert 'value="2019-01-01"' in body
    assert not Movement.objects.exists()


def test_an_issue_short_of_stock_is_refused_with_the_shortfall_and_changes_nothing(
    world, client_for, stocked
):
    response = client_for("fulltime").post(
        reverse("supplies:issue", kwargs={"pk": stocked.room.pk}),
        {"reason": "隔离酒店", **lines((stocked.rice.pk, "25"), (stocked.masks.pk, "2"),
                                     fields=("item", "quantity"))},
        **EN,
    )  # fmt: skip
    assert response.status_code == 422
    assert "大米 5kg: 5 袋 too few available." in response.content.decode()
    assert Movement.objects.count() == 1
    response = client_for("fulltime").post(
        reverse("supplies:issue", kwargs={"pk": stocked.room.pk}),
        {"reason": "隔离酒店", **lines((stocked.rice.pk, "20"), fields=("item", "quantity"))},
    )  # fmt: skip
    assert response.status_code == 302
    assert StockLevel.objects.get(item=stocked.rice).on_hand == 0


def test_a_stocktake_from_the_stock_page_records_the_difference(world, client_for, stocked):
    client = client_for("admin")
    url = reverse("supplies:stocktake", kwargs={"pk": stocked.room.pk})
    assert f'value="{stocked.masks.pk}" selected' in client.get(f"{url}?item={stocked.masks.pk}").content.decode()  # fmt: skip
    response = client.post(url, {"item": stocked.masks.pk, "counted": "7", "reason": "月度盘点"})
    assert response.status_code == 302
    assert LedgerEntry.objects.get(movement__kind="correction").quantity == -3
    again = client.post(url, {"item": stocked.masks.pk, "counted": "7", "reason": "再盘"}, **EN)
    assert again.status_code == 422 and "nothing to correct" in again.content.decode()


def test_the_catalogue_searches_and_filters_and_edits(world, client_for, store):
    client = client_for("admin")
    url = reverse("supplies:items")
    rows = lambda **query: client.get(url, query).content.decode().count('class="item-row')  # noqa: E731
    assert rows() == 3  # not the other community's rice
    assert rows(q="口罩") == 1 and rows(category="food") == 2
    edit = reverse("supplies:item_edit", kwargs={"pk": store.rice.pk})
    response = client.post(edit, {"community": world.community.pk, "name": "大米 10kg",
                                  "unit": "袋", "category": "food", "low_stock_at": "3"})  # fmt: skip
    store.rice.refresh_from_db()
    assert response.status_code == 302 and store.rice.name == "大米 10kg"
    assert store.rice.low_stock_at == 3 and not store.rice.active


def test_the_ledger_filters_by_item_kind_and_dates_newest_first(world, client_for, stocked):
    issue(actor=world.users["admin"], warehouse=stocked.room, reason="卫生站",
          lines=[(stocked.masks, 2)])  # fmt: skip
    client = client_for("admin")
    url = reverse("supplies:ledger", kwargs={"pk": stocked.room.pk})
    body = client.get(url).content.decode()
    assert body.count('class="ledger-row') == 3
    assert body.index("-2 盒") < body.index("+20 袋")  # newest first
    rows = lambda **query: client.get(url, query).content.decode().count('class="ledger-row')  # noqa: E731
    assert rows(item=stocked.masks.pk) == 2 and rows(kind="issue") == 1
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    assert rows(since=tomorrow.isoformat()) == 0 and rows(until=tomorrow.isoformat()) == 3


def test_pages_take_the_same_queries_however_much_stock(
    world, client_for, stocked, django_assert_num_queries
):
    client = client_for("admin")
    urls = [
        reverse("supplies:home"), reverse("supplies:items"),
        reverse("supplies:warehouse", kwargs={"pk": stocked.room.pk}),
        reverse("supplies:ledger", kwargs={"pk": stocked.room.pk}),
        reverse("supplies:movement", kwargs={"pk": Movement.objects.get().pk}),
        reverse("supplies:receipt", kwargs={"pk": Movement.objects.get().pk}),
    ]  # fmt: skip
    for url in urls:
        client.get(url)  # warm the session and the content types
    counts = {}
    for url in urls:
        with CaptureQueriesContext(connection) as counted:
            assert client.get(url).status_code == 200
        counts[url] = len(counted.captured_queries)
    admin = world.users["admin"]
    for n in range(4):
        room = warehouse_create(actor=admin, community=world.community, name=f"备用仓{n}")
        item = item_create(actor=admin, community=world.community, name=f"物资{n}", unit="件",
                           category="other", low_stock_at=100)  # fmt: skip
        for target in (room, stocked.room):
            receive(actor=admin, warehouse=target, kind="donation", donor="捐赠人",
                    lines=[(item, 5, timezone.localdate()), (stocked.rice, 1, None)])  # fmt: skip
    for url in urls:
        with django_assert_num_queries(counts[url]):
            assert client.get(url).status_code == 200


def test_the_home_page_counts_each_storerooms_warnings(world, client_for, stocked):
    issue(actor=world.users["admin"], warehouse=stocked.room, reason="x",
          lines=[(stocked.rice, 16), (stocked.masks, 10)])  # fmt: skip
    body = client_for("admin").get(reverse("supplies:home"), **EN).content.decode()
    assert "1 out of stock" in body and "1 running low" in body
    assert "光明仓" not in body


def test_other_communities_get_404_and_roles_without_the_permission_403(world, client_for, stocked):
    warehouse = reverse("supplies:warehouse", kwargs={"pk": stocked.room.pk})
    assert client_for("other_admin").get(warehouse).status_code == 404
    assert client_for("admin").get(warehouse).status_code == 200
    for role in ("parttime", "grid1", "volunteer", "counsellor", "officer"):
        client = client_for(role)
        assert client.get(reverse("supplies:home")).status_code == 403, role
        assert client.get(reverse("supplies:items")).status_code == 403, role
        assert client.get(warehouse).status_code == 404, role
        assert client.get("/api/v1/supplies/items").status_code == 403, role


# -- the API --------------------------------------------------------------------------------------


def test_the_api_receives_issues_and_corrects_through_the_same_services(world, client_for, store):
    client = client_for("fulltime")
    base = f"/api/v1/supplies/warehouses/{store.room.pk}"
    created = client.post(
        f"{base}/receipts",
        {"kind": "donation", "donor": "爱心企业",
         "lines": [{"item_id": store.rice.pk, "quantity": 10},
                   {"item_id": store.milk.pk, "quantity": 4, "expires_on": "2099-01-01"}]},
        content_type="application/json",
    )  # fmt: skip
    assert created.status_code == 201 and created.json()["receipt_number"].startswith("JZ-")
    short = client.post(
        f"{base}/issues",
        {"reason": "隔离点", "lines": [{"item_id": store.rice.pk, "quantity": 12}]},
        content_type="application/json",
    )  # fmt: skip
    assert short.status_code == 422
    assert short.json()["detail"]["shortages"] == {str(store.rice.pk): 2}
    bad = client.post(
        f"{base}/receipts",
        {"kind": "purchase", "lines": [{"item_id": store.other_rice.pk, "quantity": 1}]},
        content_type="application/json", **EN,
    )  # fmt: skip
    assert bad.status_code == 422 and set(bad.json()["detail"]) == {"supplier", "lines"}
    corrected = client.post(
        f"{base}/corrections", {"item_id": store.rice.pk, "counted": 9, "reason": "盘点"},
        content_type="application/json",
    )  # fmt: skip
    assert corrected.status_code == 201 and corrected.json()["entries"][0]["quantity"] == -1
    stock = {row["name"]: row for row in client.get(f"{base}/stock").json()}
    assert stock["大米 5kg"]["available"] == 9 and stock["纯牛奶"]["on_hand"] == 4
    movements = client.get(f"{base}/movements").json()
    assert movements["count"] == 2 and movements["items"][0]["kind"] == "correction"
    assert [w["name"] for w in client.get("/api/v1/supplies/warehouses").json()] == ["居委会一号仓"]
    assert client.get("/api/v1/supplies/items", {"category": "food"}).json()["count"] == 2
    other = f"/api/v1/supplies/warehouses/{store.other_room.pk}/stock"
    assert client.get(other).status_code == 404
