"""The worker pages (list with its filters and query count, detail, steps, entry on a resident's
behalf, settings, the urgent banner) and the household page's requests."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from frontline.conftest import make_household, make_resident
from frontline.health.services import household_link_issue, household_link_revoke
from frontline.helpdesk.models import HelpRequest, RequestStatus
from frontline.helpdesk.services import request_resolve, request_take
from frontline.helpdesk.tests.conftest import EN

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_a_grid_worker_sees_only_their_grids_requests(world, client_for, submit):
    mine = submit("food", "没菜了")
    theirs = submit("food", "楼下漏水", resident=world.li)
    client = client_for("grid1")
    page = client.get(reverse("helpdesk:list")).content.decode()
    assert reverse("helpdesk:detail", kwargs={"pk": mine.pk}) in page
    assert reverse("helpdesk:detail", kwargs={"pk": theirs.pk}) not in page
    assert world.li.name not in page
    assert client.get(reverse("helpdesk:detail", kwargs={"pk": theirs.pk})).status_code == 404
    step = reverse("helpdesk:step", kwargs={"pk": theirs.pk})
    assert client.post(step, {"action": "take"}).status_code == 404
    assert HelpRequest.objects.get(pk=theirs.pk).taken_at is None
    admin_page = client_for("admin").get(reverse("helpdesk:list")).content.decode()
    assert reverse("helpdesk:detail", kwargs={"pk": theirs.pk}) in admin_page


def test_roles_without_handle_requests_get_403_on_the_list(world, client_for):
    for role in ("volunteer", "sampler", "counsellor", "officer", "lab"):
        assert client_for(role).get(reverse("helpdesk:list")).status_code == 403, role


def test_the_list_filters_by_status_category_grid_and_overdue(world, client_for, submit):
    urgent = submit("medicine", "胸痛")
    food = submit("food", "没菜了", resident=world.li)
    request_resolve(actor=world.users["admin"], request=food, resolution="已送")
    client = client_for("admin")

    def listed(**query: str) -> set[int]:
        page = client.get(reverse("helpdesk:list"), query)
        return {row.pk for row in page.context["page"].object_list}

    assert listed() == {urgent.pk}  # open by default
    assert listed(status="resolved") == {food.pk}
    assert listed(status="all", category="food") == {food.pk}
    assert listed(status="all", grid=str(world.grid2.pk)) == {food.pk}
    assert listed(overdue="1") == set()
    HelpRequest.objects.filter(pk=urgent.pk).update(
        take_due_at=urgent.created_at - dt.timedelta(minutes=1)
    )
    assert listed(overdue="1") == {urgent.pk}
    fragment = client.get(reverse("helpdesk:list"), {"overdue": "1"}, HTTP_HX_REQUEST="true")
    assert "<html" not in fragment.content.decode() and "request-row" in fragment.content.decode()


def test_the_list_takes_the_same_queries_however_many_requests(
    world, client_for, submit, django_assert_num_queries
):
    client = client_for("admin")
    url = reverse("helpdesk:list")
    submit("food", "没菜了")
    client.get(url)  # warm the session and content types
    with django_assert_num_queries(7) as counted:
        # session, user, assignments, inbox count, grids, count, page
        assert client.get(url).status_code == 200
    first = len(counted.captured_queries)
    for n in range(6):
        submit("medicine", f"缺药{n}", resident=world.li if n % 2 else world.zhang)
    with django_assert_num_queries(first):
        client.get(url)


def test_the_detail_shows_the_timeline_and_steps_move_it(world, client_for, submit):
    request = submit("utilities", "水管爆了", resident=world.li)
    client = client_for("fulltime")
    url = reverse("helpdesk:detail", kwargs={"pk": request.pk})
    step = reverse("helpdesk:step", kwargs={"pk": request.pk})
    assert client.post(step, {"action": "take"}).status_code == 302
    client.post(step, {"action": "transfer", "partner": "幸福物业", "note": "物业说下午来"})
    response = client.post(step, {"action": "resolve", "resolution": ""}, follow=True, **EN)
    assert "Say how the request was resolved." in response.content.decode()
    client.post(step, {"action": "resolve", "resolution": "已修好"})
    page = client.get(url, **EN).content.decode()
    for words in ("Received", "Taken", "Transferred to a partner organisation", "幸福物业",
                  "物业说下午来", "已修好", 'name="action" value="reopen"'):  # fmt: skip
        assert words in page, words
    assert HelpRequest.objects.get(pk=request.pk).status == RequestStatus.RESOLVED


def test_a_worker_enters_a_phone_request_with_a_photo(world, client_for, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.DATA_DIR = tmp_path
    client = client_for("grid1")
    url = reverse("helpdesk:resident_new", kwargs={"pk": world.zhang.pk})
    assert "张三丰" in client.get(url).content.decode()
    bad = client.post(url, {"channel": "phone", "category": "", "text": ""}, **EN)
    assert bad.status_code == 422 and "Say what is needed." in bad.content.decode()
    photo = SimpleUploadedFile("leak.png", PNG, content_type="image/png")
    response = client.post(
        url, {"channel": "phone", "category": "utilities", "text": "厨房漏水", "photo": photo}
    )
    request = HelpRequest.objects.get()
    assert response["Location"] == reverse("helpdesk:detail", kwargs={"pk": request.pk})
    assert (request.channel, request.recorded_by, str(request.photo.name).endswith(".png")) == (
        "phone", world.users["grid1"], True,
    )  # fmt: skip
    served = client.get(reverse("helpdesk:photo", kwargs={"pk": request.pk}))
    assert b"".join(served.streaming_content) == PNG
    other = client_for("parttime").get(reverse("helpdesk:photo", kwargs={"pk": request.pk}))
    assert other.status_code == 200
    assert (
        client.get(reverse("helpdesk:resident_new", kwargs={"pk": world.li.pk})).status_code == 404
    )


def test_the_admin_edits_triage_words_and_service_levels(world, client_for):
    client = client_for("admin")
    assert client.get(reverse("helpdesk:settings_list"))["Location"] == reverse(
        "helpdesk:settings", kwargs={"pk": world.community.pk}
    )
    url = reverse("helpdesk:settings", kwargs={"pk": world.community.pk})
    assert "呼吸困难" in client.get(url).content.decode()
    client.post(url, {"action": "triage", "keywords": "高烧\n抽搐", "tag_rules": "dialysis"})
    client.post(url, {"action": "sla", "category": "food", "urgency": "normal",
                      "take_minutes": "45", "resolve_minutes": "600"})  # fmt: skip
    page = client.get(url).content.decode()
    assert "高烧\n抽搐" in page and 'value="45"' in page and "呼吸困难" not in page
    bad = client.post(url, {"action": "sla", "category": "food", "urgency": "normal",
                            "take_minutes": "60", "resolve_minutes": "30"}, **EN)  # fmt: skip
    assert (
        bad.status_code == 422 and "Resolving cannot be due before taking." in bad.content.decode()
    )
    assert client_for("fulltime").get(url).status_code == 404  # not theirs to open
    assert client_for("fulltime").get(reverse("helpdesk:settings_list")).status_code == 403


def test_the_urgent_banner_shows_untaken_urgent_requests_until_someone_takes_them(
    world, submit, client_for, django_assert_num_queries
):
    urgent = submit("medicine", "胸痛")
    submit("food", "没菜了", resident=world.li)  # not urgent
    url = reverse("helpdesk:urgent_banner")

    def banner(name: str) -> str:
        return client_for(name).get(url).content.decode()

    for name in ("grid1", "parttime", "admin"):
        assert reverse("helpdesk:detail", kwargs={"pk": urgent.pk}) in banner(name)
    assert 'id="urgent-requests"' not in banner("other_admin")
    for name in ("volunteer", "counsellor", "officer"):
        assert client_for(name).get(url).status_code == 403
    # every page of a worker who handles requests loads it, and only theirs
    page = client_for("grid1").get(reverse("tasks:inbox")).content.decode()
    assert f'hx-get="{url}"' in page
    assert (
        f'hx-get="{url}"'
        not in client_for("volunteer").get(reverse("tasks:inbox")).content.decode()
    )
    request_take(actor=world.users["parttime"], request=urgent)
    assert 'id="urgent-requests"' not in banner("grid1")


# -- the household page -------------------------------------------------------------------------


def test_the_household_page_sends_a_request_and_lists_only_its_own(world, client, household_token):
    submit_url = reverse("portal:requests", kwargs={"token": household_token})
    _link, other_token = household_link_issue(
        actor=world.users["admin"], household=world.household2
    )
    page = client.get(submit_url).content.decode()
    assert "*三丰" in page and "张三丰" not in page
    response = client.post(submit_url, {"member": world.zhang.pk, "category": "medicine",
                                        "text": "透析车没来"})  # fmt: skip
    request = HelpRequest.objects.get()
    assert response["Location"] == f"?request={request.pk}&sent=1"
    assert (request.channel, request.urgency, request.owner) == (
        "portal",
        "urgent",
        world.users["grid1"],
    )
    detail = client.get(submit_url, {"request": request.pk, "sent": "1"}, **EN).content.decode()
    assert "Received as urgent" in detail
    mine = client.get(submit_url).content.decode()
    assert f"?request={request.pk}" in mine
    other_url = reverse("portal:requests", kwargs={"token": other_token})
    assert f"?request={request.pk}" not in client.get(other_url).content.decode()
    assert client.get(other_url, {"request": request.pk}).status_code == 404
    assert client.post(other_url, {"member": world.zhang.pk, "category": "food",
                                   "text": "x"}).status_code == 422  # fmt: skip
    assert HelpRequest.objects.count() == 1


def test_the_household_sees_no_workers_note_and_rates_and_reopens(
    world, client, household_token, submit
):
    from frontline.helpdesk.services import request_note

    request = submit("food", "没菜了")
    request_note(actor=world.users["grid1"], request=request, note="内部备注：家属难沟通")
    request_resolve(actor=world.users["grid1"], request=request, resolution="已送菜")
    url = reverse("portal:requests", kwargs={"token": household_token})
    page = client.get(url, {"request": request.pk}).content.decode()
    assert "内部备注" not in page and "已送菜" in page and "grid1" not in page
    rated = client.post(
        f"{url}?request={request.pk}", {"action": "rate", "rating": "5", "comment": "谢谢"}
    )
    assert rated.status_code == 302
    assert HelpRequest.objects.get(pk=request.pk).rating == 5
    bad = client.post(f"{url}?request={request.pk}", {"action": "reopen", "reason": ""}, **EN)
    assert bad.status_code == 422 and "Say what is still wrong." in bad.content.decode()
    client.post(f"{url}?request={request.pk}", {"action": "reopen", "reason": "菜不够"})
    reopened = HelpRequest.objects.get(pk=request.pk)
    assert (reopened.status, reopened.owner) == ("taken", world.users["grid1"])


def test_a_revoked_or_unknown_link_opens_no_request(world, client, submit):
    link, token = household_link_issue(actor=world.users["admin"], household=world.household1)
    request = submit()
    url = reverse("portal:requests", kwargs={"token": token})
    assert client.get(url, {"request": request.pk}).status_code == 200
    assert client.get(url, {"request": "x1"}).status_code == 404
    household_link_revoke(actor=world.users["admin"], link=link)
    assert client.get(url, {"request": request.pk}).status_code == 404
    assert client.get(reverse("portal:requests", kwargs={"token": "A" * 22})).status_code == 404
    assert client.get(reverse("portal:requests")).status_code == 200  # how to get a link


def test_the_household_list_takes_the_same_queries_however_many_requests(
    world, client, household_token, submit, django_assert_num_queries
):
    url = reverse("portal:requests", kwargs={"token": household_token})
    submit()
    client.get(url)
    with django_assert_num_queries(2):  # the link with its members, the household's requests
        client.get(url)
    other = make_resident(make_household(world.building1, "2", "402"), name="钱七")
    for n in range(5):
        submit("other", f"咨询{n}")
    submit("other", "别家的", resident=other)
    with django_assert_num_queries(2):
        client.get(url)
