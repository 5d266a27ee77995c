"""Medicine runs through the services, pages, the household link and the API."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from frontline.health.services import household_link_issue
from frontline.medicine import services
from frontline.medicine.models import EventKind, MedicineRequest, MedicineStatus, RunStatus
from frontline.tasks.models import Task, TaskPriority, TaskStatus

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def submit(
    world, medicine="二甲双胍片", *, resident=None, by="fulltime", pharmacy="社区卫生服务中心"
):  # type: ignore[no-untyped-def]
    return services.request_submit(
        actor=world.users[by], resident=resident or world.li, medicine=medicine,
        dose="每日两次，每次1片", quantity="2盒", pharmacy=pharmacy,
    )  # fmt: skip


def kinds(row: MedicineRequest) -> list[str]:
    return [event.kind for event in row.events.order_by("id")]


def test_a_request_pages_its_grid_worker_urgently_for_insulin(world):
    normal = submit(world)
    urgent = submit(world, "门冬胰岛素注射液")
    assert (normal.urgent, urgent.urgent, urgent.urgent_reasons) == (False, True, ["insulin"])
    normal_task, urgent_task = (
        Task.objects.get(pk=normal.task_id),
        Task.objects.get(pk=urgent.task_id),
    )
    assert (normal_task.priority, urgent_task.priority) == (
        TaskPriority.NORMAL,
        TaskPriority.URGENT,
    )
    assert urgent_task.due_at and normal_task.due_at and urgent_task.due_at < normal_task.due_at
    assert normal_task.owner == world.users["admin"]  # Li's grid has no grid worker


def test_every_bad_field_is_reported_and_nothing_is_written(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with translation.override("en"), pytest.raises(ValidationError) as error:
        services.request_submit(
            actor=world.users["fulltime"], resident=world.li, medicine=" ", dose="", quantity="x" * 51,
            pharmacy="", prescription=SimpleUploadedFile("rx.png", b"text"),
        )  # fmt: skip
    assert error.value.message_dict == {
        "medicine": ["Name the medicine."],
        "dose": ["Give the dose, e.g. one tablet twice a day."],
        "quantity": ["Keep this under 50 characters."],
        "pharmacy": ["Name the pharmacy or hospital."],
        "prescription": ["Send the photo as a JPEG, PNG or WebP picture."],
    }
    assert not MedicineRequest.objects.exists() and not Task.objects.exists()


def test_a_run_collects_delivers_and_records_payment(world):
    first, second, third = (
        submit(world),
        submit(world, "硝苯地平控释片"),
        submit(world, "阿托伐他汀"),
    )
    run = services.run_plan(
        actor=world.users["fulltime"], requests=[first, second, third],
        runner=world.users["volunteer"],
    )  # fmt: skip
    assert run.pharmacy == "社区卫生服务中心"
    with translation.override("en"), pytest.raises(ValidationError) as error:
        services.run_collect(actor=world.users["volunteer"], run=run, costs={first.pk: "NaN"})
    assert error.value.message_dict == {
        f"cost_{first.pk}": ["Enter an amount in yuan, e.g. 35.50."],
        f"cost_{second.pk}": ["Enter what 硝苯地平控释片 cost, or mark it not available."],
        f"cost_{third.pk}": ["Enter what 阿托伐他汀 cost, or mark it not available."],
    }
    services.run_collect(
        actor=world.users["volunteer"], run=run, costs={first.pk: "35.5", second.pk: "12"},
        unavailable=[third.pk],
    )  # fmt: skip
    first.refresh_from_db()
    third.refresh_from_db()
    assert (first.status, first.cost) == (MedicineStatus.COLLECTED, Decimal("35.50"))
    assert (third.status, third.run_id) == (MedicineStatus.REQUESTED, None)
    assert kinds(third) == [EventKind.REQUESTED, EventKind.PLANNED, EventKind.UNAVAILABLE]
    services.request_deliver(actor=world.users["volunteer"], request=first, paid="35.5",
                             payment_note="微信转账")  # fmt: skip
    services.request_deliver(actor=world.users["volunteer"], request=second)
    first.refresh_from_db()
    run.refresh_from_db()
    assert (first.status, first.owed, run.status) == (
        MedicineStatus.DELIVERED, Decimal(0), RunStatus.DONE,
    )  # fmt: skip
    assert kinds(first)[-2:] == [EventKind.DELIVERED, EventKind.PAID]
    assert Task.objects.get(pk=first.task_id).status == TaskStatus.DONE
    second.refresh_from_db()
    assert second.owed == Decimal("12.00")


def test_a_failed_hand_over_keeps_the_medicine_and_asks_the_grid_worker(world):
    row = submit(world, "左乙拉西坦片")
    run = services.run_plan(
        actor=world.users["fulltime"], requests=[row], runner=world.users["volunteer"]
    )
    services.run_collect(actor=world.users["volunteer"], run=run, costs={row.pk: "80"})
    task = services.request_not_delivered(
        actor=world.users["volunteer"], request=row, reason="家中无人"
    )
    row.refresh_from_db()
    assert row.status == MedicineStatus.COLLECTED
    # Li lives in grid 2, which has no grid worker: the community admin is asked.
    assert (task.priority, task.owner, task.description) == (
        TaskPriority.URGENT, world.users["admin"], "家中无人",
    )  # fmt: skip
    assert kinds(row)[-1] == EventKind.NOT_DELIVERED


def test_only_the_runner_or_a_handler_acts_on_a_run(world):
    row = submit(world)
    run = services.run_plan(
        actor=world.users["fulltime"], requests=[row], runner=world.users["volunteer"]
    )
    with pytest.raises(PermissionDenied):
        services.run_collect(actor=world.users["sampler"], run=run, costs={row.pk: "1"})
    with pytest.raises(ValidationError):
        services.run_plan(
            actor=world.users["fulltime"], requests=[row], runner=world.users["volunteer"]
        )
    with translation.override("en"), pytest.raises(ValidationError) as error:
        services.run_plan(actor=world.users["fulltime"], requests=[submit(world)],
                          runner=world.users["counsellor"])  # fmt: skip
    assert error.value.message_dict == {
        "runner": ["Choose someone who delivers where these requests are."]
    }


def test_the_household_asks_follows_and_cancels_through_its_link(
    world, client_for, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    settings.DATA_DIR = tmp_path
    _link, token = household_link_issue(actor=world.users["admin"], household=world.household2)
    client = Client()
    url = reverse("portal:medicine", kwargs={"token": token})
    bad = client.post(url, {"member": world.li.pk, "medicine": ""}, HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 422 and "Name the medicine." in bad.content.decode()
    sent = client.post(url, {
        "member": world.li.pk, "medicine": "甘精胰岛素", "dose": "睡前10单位", "quantity": "1支",
        "pharmacy": "市第一医院", "prescription": SimpleUploadedFile("rx.png", PNG),
    })  # fmt: skip
    assert sent.status_code == 302
    row = MedicineRequest.objects.get()
    assert (row.channel, row.urgent, bool(row.prescription)) == ("portal", True, True)
    page = client.get(url).content.decode()
    assert "甘精胰岛素" in page and "李四" not in page  # the household sees masked names
    other = household_link_issue(actor=world.users["admin"], household=world.household1)[1]
    assert Client().post(reverse("portal:medicine", kwargs={"token": other}),
                         {"action": "cancel", "request": row.pk}).status_code == 404  # fmt: skip
    client.post(url, {"action": "cancel", "request": row.pk})
    row.refresh_from_db()
    assert row.status == MedicineStatus.CANCELLED
    assert row.task is not None and row.task.status == TaskStatus.CANCELLED
    prescription = reverse("medicine:prescription", kwargs={"pk": row.pk})
    served = client_for("fulltime").get(prescription)
    assert b"".join(served.streaming_content) == PNG
    # grid 1 only: Li's prescription is out of reach
    assert client_for("grid1").get(prescription).status_code == 404


def test_pages_list_plan_collect_and_hand_over(world, client_for):
    urgent = submit(world, "腹透液")
    normal = submit(world)
    worker = client_for("fulltime")
    page = worker.get(reverse("medicine:list"), **EN).content.decode()
    assert page.index("腹透液") < page.index("二甲双胍片")  # urgent first
    planned = worker.post(reverse("medicine:plan"), {
        "request": [urgent.pk, normal.pk], "runner": world.users["volunteer"].pk,
    })  # fmt: skip
    run = urgent.__class__.objects.get(pk=urgent.pk).run
    assert planned["Location"] == reverse("medicine:run", kwargs={"pk": run.pk})
    volunteer = client_for("volunteer")
    sheet = volunteer.get(reverse("medicine:run", kwargs={"pk": run.pk}), **EN).content.decode()
    assert "腹透液" in sheet and "李四" not in sheet and "*四" in sheet
    volunteer.post(reverse("medicine:run_collect", kwargs={"pk": run.pk}),
                   {f"cost_{urgent.pk}": "120", f"cost_{normal.pk}": "30"})  # fmt: skip
    volunteer.post(reverse("medicine:step", kwargs={"pk": urgent.pk}),
                   {"action": "deliver", "paid": "120", "payment_note": "现金"})  # fmt: skip
    assert MedicineRequest.objects.get(pk=urgent.pk).status == MedicineStatus.DELIVERED
    assert volunteer.get(reverse("medicine:list")).status_code == 403
    runs = volunteer.get(reverse("medicine:runs")).content.decode()
    assert str(run) in runs


def test_the_request_list_reads_a_fixed_number_of_queries(
    world, client_for, django_assert_max_num_queries
):
    for index in range(3):
        submit(world, f"药品{index}")
    client = client_for("fulltime")
    client.get(reverse("medicine:list"))
    for index in range(3, 9):
        submit(world, f"药品{index}")
    with django_assert_max_num_queries(14):
        client.get(reverse("medicine:list"))


def test_the_api_lists_creates_and_reads(world, client_for):
    client = client_for("fulltime")
    created = client.post("/api/v1/medicine/requests", {
        "resident_id": world.li.pk, "medicine": "卡马西平片", "dose": "每日两次", "quantity": "1盒",
        "pharmacy": "社区卫生服务中心"}, content_type="application/json")  # fmt: skip
    assert created.status_code == 201 and created.json()["urgent_reasons"] == ["epilepsy"]
    listed = client.get("/api/v1/medicine/requests", {"urgent": True}).json()
    assert listed["count"] == 1
    bad = client.post("/api/v1/medicine/requests", {"resident_id": world.li.pk},
                      content_type="application/json", **EN)  # fmt: skip
    assert bad.status_code == 422 and set(bad.json()["detail"]) == {
        "medicine",
        "dose",
        "quantity",
        "pharmacy",
    }
    assert (
        client_for("other_admin")
        .get(f"/api/v1/medicine/requests/{created.json()['id']}")
        .status_code
        == 404
    )


def test_a_page_disguised_as_a_prescription_is_served_as_the_picture_its_bytes_say(
    world, client_for, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.DATA_DIR = tmp_path
    disguised = b"\xff\xd8\xff\xe0" + b"<html><script>alert(1)</script></html>"
    row = services.request_submit(
        actor=world.users["fulltime"], resident=world.li, medicine="二甲双胍片", dose="每日两次",
        quantity="2盒", pharmacy="社区卫生服务中心",
        prescription=SimpleUploadedFile("rx.html", disguised, content_type="text/html"),
    )  # fmt: skip
    assert str(row.prescription.name).endswith(".jpg") and "rx" not in str(row.prescription.name)
    served = client_for("fulltime").get(reverse("medicine:prescription", kwargs={"pk": row.pk}))
    assert served["Content-Type"] == "image/jpeg"
    assert served["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert served["Cache-Control"] == "private, no-store"
    assert b"".join(served.streaming_content) == disguised


def test_a_runner_sees_only_runs_where_they_still_deliver(world, client_for):
    from frontline.accounts.models import Role, RoleAssignment

    row = submit(world)  # Li, in building 5 (grid 2)
    with translation.override("en"), pytest.raises(ValidationError) as error:
        services.run_plan(
            actor=world.users["fulltime"], requests=[row], runner=world.users["grid1"]
        )
    assert error.value.message_dict == {
        "runner": ["Choose someone who delivers where these requests are."]
    }
    run = services.run_plan(
        actor=world.users["fulltime"], requests=[row], runner=world.users["volunteer"]
    )
    volunteer = client_for("volunteer")
    assert volunteer.get(reverse("medicine:detail", kwargs={"pk": row.pk})).status_code == 200
    RoleAssignment.objects.filter(user=world.users["volunteer"], role=Role.VOLUNTEER).delete()
    gone = client_for("volunteer")
    assert gone.get(reverse("medicine:detail", kwargs={"pk": row.pk})).status_code in (403, 404)
    assert gone.get(reverse("medicine:run", kwargs={"pk": run.pk})).status_code in (403, 404)
    former = type(world.users["volunteer"]).objects.get(pk=world.users["volunteer"].pk)
    with pytest.raises(PermissionDenied):
        services.run_collect(actor=former, run=run, costs={row.pk: "1"})
