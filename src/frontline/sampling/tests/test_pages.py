"""The sampling pages and API through HTTP: planning, the sampler's scans, results, trace-back."""

from __future__ import annotations

from django.urls import reverse

from frontline.residents.models import Resident
from frontline.sampling.models import Round, Sample, Tube, TubeStatus
from frontline.sampling.tests.factories import a_round, a_site, residents
from frontline.tasks.models import Task

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def test_a_planner_plans_a_round_and_sees_the_pool_advice(world, client_for):
    client = client_for("fulltime")
    advice = client.get(reverse("sampling:advice"), {"positivity": "1"}, **EN).content.decode()
    assert "pools of 11" in advice and "0.196" in advice
    assert (
        "does not save tests"
        in client.get(reverse("sampling:advice"), {"positivity": "40"}, **EN).content.decode()
    )
    bad = client.post(reverse("sampling:new"), {"name": "", "pool_size": "7"}, **EN)
    assert bad.status_code == 422 and "Give the round a name." in bad.content.decode()
    done = client.post(
        reverse("sampling:new"),
        {"name": "第二轮", "starts_at": "2022-04-05T06:00", "ends_at": "2022-04-05T12:00",
         "pool_size": "10", "buildings": [str(world.building1.pk)]},
    )  # fmt: skip
    created = Round.objects.get(name="第二轮")
    assert done.status_code == 302 and done["Location"] == reverse(
        "sampling:detail", kwargs={"pk": created.pk}
    )
    assert list(created.buildings.all()) == [world.building1]
    assert client_for("sampler").get(reverse("sampling:new")).status_code == 403


def scan(client, round, site, code: str, scan_id: str, **extra):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("sampling:scan", kwargs={"pk": round.pk}),
        {"code": code, "scan_id": scan_id, "site": site.pk, **extra},
        HTTP_HX_REQUEST="true", **EN,
    )  # fmt: skip


def test_a_sampler_fills_a_tube_by_typing_barcodes_and_ids(world, client_for):
    round = a_round(world, pool_size=5)
    site = a_site(world, round)
    people = residents(world, 5)
    client = client_for("sampler")
    page = client.get(reverse("sampling:sample", kwargs={"pk": round.pk}), {"site": site.pk}, **EN)
    assert page.status_code == 200 and "Scan the tube barcode" in page.content.decode()
    opened = scan(client, round, site, "T-0001".replace("-", ""), "a")
    assert "Tube T0001 is open." in opened.content.decode()
    for n, person in enumerate(people):
        answer = scan(client, round, site, person.document_number.lower(), f"p{n}")
        assert answer.status_code == 200, answer.content.decode()
    assert "The tube is full and closed" in answer.content.decode()
    tube = Tube.objects.get(barcode="T0001")
    assert (tube.size, tube.status) == (5, TubeStatus.CLOSED)
    # the last post again (a retried request): nothing new, no error
    retried = scan(client, round, site, people[4].document_number.lower(), "p4")
    assert retried.status_code == 200 and "(5 of 5)" in retried.content.decode()
    assert Sample.objects.count() == 5
    again = scan(client, round, site, people[0].document_number, "z")
    assert again.status_code == 200 and "Tube T0002 is open" not in again.content.decode()


def test_a_phone_tail_offers_a_pick_and_a_wrong_scan_is_undone(world, client_for):
    round = a_round(world)
    site = a_site(world, round)
    people = residents(world, 3)
    client = client_for("sampler")
    scan(client, round, site, "T1", "a")
    scan(client, round, site, people[0].document_number, "b")
    unknown = scan(client, round, site, "9999", "c")
    assert (
        unknown.status_code == 422
        and "No one in this community matches" in unknown.content.decode()
    )
    tail = people[1].phone[-4:]
    Resident.objects.filter(pk=people[2].pk).update(
        phone="138" + people[1].phone[3:], phone_tail=tail
    )
    offered = scan(client, round, site, tail, "d")
    assert (
        people[1].name in offered.content.decode() and 'name="resident"' in offered.content.decode()
    )
    picked = scan(client, round, site, tail, "d", resident=people[1].pk)
    assert f"{people[1].name} is in tube T1 (2 of 10)" in picked.content.decode()
    taken = client.post(reverse("sampling:undo", kwargs={"pk": round.pk}), {"site": site.pk}, **EN)
    assert f"{people[1].name} was taken out of tube T1" in taken.content.decode()
    assert list(Sample.objects.values_list("resident", flat=True)) == [people[0].pk]
    closed = client.post(
        reverse("sampling:close", kwargs={"pk": round.pk}), {"site": site.pk}, **EN
    )
    assert "Tube T1 is closed." in closed.content.decode()


def test_a_household_qr_scan_lists_its_members(world, client_for):
    from frontline.health.links import link_token
    from frontline.health.services import household_link_issue

    round = a_round(world)
    site = a_site(world, round)
    link, _token = household_link_issue(actor=world.users["admin"], household=world.household1)
    client = client_for("sampler")
    scan(client, round, site, "T1", "a")
    answer = scan(client, round, site, f"https://frontline.example/h/{link_token(link)}/", "b")
    assert f"{world.zhang.name} is in tube T1" in answer.content.decode()  # one member: no pick


def test_a_sampler_not_assigned_to_a_site_cannot_sample_there(world, client_for):
    round = a_round(world)
    site = a_site(world, round)
    site.samplers.clear()
    client = client_for("sampler")
    assert (
        client.get(
            reverse("sampling:sample", kwargs={"pk": round.pk}), {"site": site.pk}
        ).status_code
        == 404
    )
    assert client.get(reverse("sampling:detail", kwargs={"pk": round.pk})).status_code == 404


def test_a_result_file_through_the_page_marks_a_pool_positive_and_the_tube_page_traces_it(
    world, client_for
):
    round = a_round(world)
    site = a_site(world, round)
    people = residents(world, 10)
    sampler = client_for("sampler")
    scan(sampler, round, site, "P1", "a")
    for n, person in enumerate(people):
        scan(sampler, round, site, person.document_number, f"p{n}")
    csv = "区疾控核酸检测结果\n试管条码,检测结果,报告时间\nP1,阳性,2022-04-04 10:30\nX9,阴性,2022-04-04 10:31\nP1,maybe,\n"
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("结果.csv", csv.encode("utf-8"), content_type="text/csv")
    page = client_for("admin").post(
        reverse("sampling:results"), {"file": upload, "lab": "区疾控"}, **EN
    )
    body = page.content.decode()
    assert page.status_code == 200 and "Positive tubes:" in body
    assert "X9" in body and "unknown barcode" in body and "bad line" in body
    tube = Tube.objects.get(barcode="P1")
    assert Task.objects.filter(source_id=str(tube.pk)).count() == 5
    traced = client_for("grid1")
    assert (
        traced.get(reverse("sampling:tube", kwargs={"pk": tube.pk})).status_code == 404
    )  # no round rights
    detail = (
        client_for("fulltime")
        .get(reverse("sampling:tube", kwargs={"pk": tube.pk}))
        .content.decode()
    )
    assert all(person.name in detail for person in people)
    assert people[0].phone not in detail and people[0].phone[-4:] in detail


def test_the_lab_posts_results_through_the_api_with_its_token(world, client_for):
    from frontline.accounts.tokens import token_create

    round = a_round(world)
    tube_client = client_for("sampler")
    site = a_site(world, round)
    scan(tube_client, round, site, "L1", "a")
    scan(tube_client, round, site, world.zhang.document_number, "b")
    _row, token = token_create(user=world.users["lab"], name="lab")
    from django.test import Client

    api = Client()
    response = api.post(
        "/api/v1/sampling/results",
        {"source": "LIS", "results": [
            {"barcode": "L1", "result": "negative", "reported_at": "2022-04-04T10:30:00+08:00", "lab": "区疾控"},
            {"barcode": "NOPE", "result": "negative", "reported_at": "2022-04-04T10:30:00+08:00", "lab": "区疾控"},
        ]},
        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}",
    )  # fmt: skip
    assert response.status_code == 200, response.content
    assert response.json()["recorded"] == 1 and response.json()["unknown"] == [[2, "NOPE"]]
    tube = Tube.objects.get(barcode="L1")
    assert (
        api.get(
            f"/api/v1/sampling/tubes/{tube.pk}", HTTP_AUTHORIZATION=f"Bearer {token}"
        ).status_code
        == 404
    )
    people = client_for("fulltime").get(f"/api/v1/sampling/tubes/{tube.pk}").json()["people"]
    assert [p["name"] for p in people] == [world.zhang.name] and people[0][
        "phone"
    ] == world.zhang.masked_phone


def test_door_to_door_sampling_lists_the_bedridden_still_to_sample(world, client_for):
    from frontline.residents.models import ResidentTag, Tag

    round = a_round(world, whole_community=True)
    ResidentTag.objects.create(resident=world.li, tag=Tag.BEDRIDDEN)
    client = client_for("fulltime")
    url = reverse("sampling:sample", kwargs={"pk": round.pk})
    page = client.get(url, **EN).content.decode()
    assert (
        'id="route"' in page
        and world.li.name in page
        and world.zhang.name not in page.split('id="route"')[1]
    )
    scan_url = reverse("sampling:scan", kwargs={"pk": round.pk})
    refused = client.post(
        scan_url, {"code": "route", "resident": world.li.pk, "scan_id": "r0"}, **EN
    )
    assert refused.status_code == 422 and not Tube.objects.exists()  # no tube open: nothing opens
    client.post(scan_url, {"code": "H1", "scan_id": "r1"}, HTTP_HX_REQUEST="true")
    client.post(
        scan_url,
        {"code": "route", "resident": world.li.pk, "scan_id": "r2"},
        HTTP_HX_REQUEST="true",
    )
    assert Sample.objects.get().resident == world.li
    assert 'id="route"' not in client.get(url, **EN).content.decode()
