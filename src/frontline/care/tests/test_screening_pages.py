"""The screening pages: recording on a resident's behalf (with the pre-screen gate), the list with
its filters and query count, a resident's trend, the crisis settings; and the household page."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from frontline.care.models import CareSettings, Screening
from frontline.care.services import care_settings_update
from frontline.care.tests.conftest import CRISIS_PHQ9, EN
from frontline.conftest import make_household, make_resident
from frontline.health.services import household_link_issue, household_link_revoke
from frontline.tasks.models import Task, TaskPriority

HOTLINE = "心理援助热线：12356"


def answers(prefix: str, values: list[int], first: int = 1) -> dict[str, str]:
    return {f"{prefix}item_{n}": str(v) for n, v in enumerate(values, start=first)}


@pytest.fixture
def hotline(world):  # type: ignore[no-untyped-def]
    return care_settings_update(
        actor=world.users["admin"], community=world.community, hotlines=HOTLINE,
        crisis_sla_minutes=60,
    )  # fmt: skip


# -- worker pages -------------------------------------------------------------------------------


def test_a_worker_records_a_gad7_and_lands_on_its_result(world, client_for):
    client = client_for("grid1")
    url = reverse("care:resident_screen", kwargs={"pk": world.zhang.pk}) + "?instrument=gad7"
    page = client.get(url).content.decode()
    assert "感觉紧张、焦虑或急切" in page and "一半以上的天数" in page
    assert page.count('type="radio"') == 7 * 4
    response = client.post(url, {"instrument": "gad7", **answers("", [2, 2, 2, 2, 1, 1, 1])})
    screening = Screening.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("care:screening", kwargs={"pk": screening.pk})
    assert (screening.total, screening.band, screening.recorded_by) == (
        11,
        "moderate",
        world.users["grid1"],
    )
    detail = client.get(response["Location"], **EN).content.decode()
    assert "GAD-7: 11/21" in detail and "Moderate" in detail


def test_a_missing_answer_is_named_and_nothing_is_written(world, client_for):
    url = reverse("care:resident_screen", kwargs={"pk": world.zhang.pk})
    posted = {"instrument": "phq9", **answers("", [0, 0, 0, 0, 0, 0, 0, 0])}  # no item 9
    response = client_for("counsellor").post(url, posted, **EN)
    assert response.status_code == 422
    assert "Question 9: choose one of the four answers (0 to 3)." in response.content.decode()
    assert Screening.objects.count() == 0


def test_a_positive_phq2_continues_with_the_phq9_with_its_two_answers_kept(world, client_for):
    client = client_for("counsellor")
    url = reverse("care:resident_screen", kwargs={"pk": world.zhang.pk})
    page = client.post(url, {"instrument": "phq2", **answers("", [2, 1])}, **EN)
    body = page.content.decode()
    assert page.status_code == 200 and 'id="continued"' in body
    assert Screening.objects.count() == 0
    assert 'name="instrument" value="phq9"' in body
    assert 'name="item_1" value="2" id="id_item_1_2" checked' in body.replace("\n", " ")
    assert body.count('type="radio"') == 9 * 4
    negative = client.post(url, {"instrument": "phq2", **answers("", [1, 1])})
    assert negative.status_code == 302
    assert Screening.objects.get().band == "negative"


def test_an_item_9_answer_on_the_worker_page_shows_the_hotlines_and_makes_the_tasks(
    world, client_for, hotline
):
    client = client_for("grid1")
    url = reverse("care:resident_screen", kwargs={"pk": world.zhang.pk})
    response = client.post(url, {"instrument": "phq9", **answers("", CRISIS_PHQ9)}, follow=True)
    body = response.content.decode()
    assert 'id="crisis-hotlines"' in body and HOTLINE in body
    assert Task.objects.filter(priority=TaskPriority.URGENT).count() == 2


def test_a_grid_worker_cannot_open_or_screen_someone_of_another_grid(world, client_for):
    client = client_for("grid1")
    assert client.get(reverse("care:resident", kwargs={"pk": world.li.pk})).status_code == 404
    screen = reverse("care:resident_screen", kwargs={"pk": world.li.pk})
    assert client.post(screen, {"instrument": "gad2", **answers("", [0, 0])}).status_code == 404
    assert Screening.objects.count() == 0


def test_the_list_filters_by_band_urgency_and_date(world, client_for, record):
    record("phq9", CRISIS_PHQ9)
    record("gad7", [3, 3, 3, 3, 3, 3, 3], resident=world.li)
    record("gad2", [0, 1], resident=world.li)
    client = client_for("counsellor")
    url = reverse("care:screenings")

    def rows(query: str) -> int:
        return client.get(url + query).content.decode().count('class="screening-row')

    assert rows("") == 3
    assert rows("?urgent=1") == 1 and rows("?urgent=0") == 2
    assert rows("?band=severe") == 1 and rows("?band=negative") == 1
    assert rows("?instrument=gad2") == 1
    assert rows("?since=2000-01-01&until=2000-01-02") == 0
    assert rows("?q=李四") == 2
    # the grid worker of grid 1 sees only Zhang's
    assert client_for("grid1").get(url).content.decode().count('class="screening-row') == 1


def test_the_list_takes_the_same_queries_for_more_rows(
    world, client_for, record, django_assert_num_queries
):
    client = client_for("counsellor")
    url = reverse("care:screenings")
    record("gad7", [1, 0, 0, 0, 0, 0, 0])
    client.get(url)  # warm the content types and the session
    with django_assert_num_queries(6) as counted:  # session, user, assignments, inbox, count, page
        client.get(url)
    first = len(counted.captured_queries)
    for index in range(5):
        resident = make_resident(
            make_household(world.building2, "1", f"20{index}"), name=f"赵{index}"
        )
        record("phq9", [1] * 9, resident=resident)
    with django_assert_num_queries(first):
        body = client.get(url).content.decode()
    assert body.count('class="screening-row') == 6


def test_the_residents_page_charts_the_trend(world, client_for, record):
    record("phq9", [2] * 9)  # 18, with item 9
    record("phq9", [1, 1, 1, 1, 1, 1, 1, 1, 0])
    record("gad7", [1] * 7)
    record("gad2", [0, 0])
    page = client_for("counsellor").get(reverse("care:resident", kwargs={"pk": world.zhang.pk}))
    body = page.content.decode()
    assert "vendor/echarts.min.js" in body and "care/trend.js" in body
    data = json.loads(body.split('id="score-trend-data" type="application/json">')[1].split("<")[0])
    assert [total for _time, total in data["phq9"]] == [18, 8]
    assert [total for _time, total in data["gad7"]] == [7]
    assert body.count("<tr") == 5  # the header and four screenings


def test_the_admin_sets_the_hotlines_and_the_counsellor_only_reads_them(world, client_for):
    url = reverse("care:settings", kwargs={"pk": world.community.pk})
    assert client_for("admin").get(reverse("care:settings_list"))["Location"] == url
    saved = client_for("admin").post(url, {"hotlines": HOTLINE, "crisis_sla_minutes": "30"})
    assert saved.status_code == 302
    assert CareSettings.objects.get().crisis_sla_minutes == 30
    counsellor = client_for("counsellor")
    page = counsellor.get(url).content.decode()
    assert HOTLINE in page and 'id="settings-form"' not in page
    assert counsellor.post(url, {"hotlines": "x", "crisis_sla_minutes": "5"}).status_code == 403
    bad = client_for("admin").post(url, {"hotlines": HOTLINE, "crisis_sla_minutes": "0"}, **EN)
    assert bad.status_code == 422 and "from 5 to 1440" in bad.content.decode()
    assert client_for("grid1").get(url).status_code == 404


# -- the household page -------------------------------------------------------------------------


@pytest.fixture
def link_url(world):  # type: ignore[no-untyped-def]
    _link, token = household_link_issue(actor=world.users["admin"], household=world.household1)
    return reverse("portal:care", kwargs={"token": token})


def test_the_household_page_names_members_by_first_name_and_asks_four_questions(
    world, client_for, link_url
):
    page = client_for("counsellor").get(link_url)  # signed in or not, the same page
    body = page.content.decode()
    assert page.status_code == 200 and "*三丰" in body and "张三丰" not in body
    assert body.count('type="radio"') == 1 + 4 * 4  # the member and PHQ-2 + GAD-2
    assert "做事时提不起劲或没有兴趣" in body and "不能够停止或控制担忧" in body


def test_two_negative_pre_screens_are_recorded_at_once(world, client, link_url):
    posted = {"step": "1", "member": world.zhang.pk, **answers("phq-", [1, 0]),
              **answers("gad-", [0, 2])}  # fmt: skip
    response = client.post(link_url, posted, **EN)
    assert response.status_code == 200 and 'id="done"' in response.content.decode()
    assert sorted(Screening.objects.values_list("instrument", "band", "source")) == [
        ("gad2", "negative", "portal"), ("phq2", "negative", "portal"),
    ]  # fmt: skip
    assert Task.objects.count() == 0


def test_a_positive_pre_screen_asks_the_rest_and_an_item_9_answer_shows_the_hotlines(
    world, client, link_url, hotline
):
    first = {"step": "1", "member": world.zhang.pk, **answers("phq-", [2, 1]),
             **answers("gad-", [0, 1])}  # fmt: skip
    more = client.post(link_url, first)
    body = more.content.decode()
    assert more.status_code == 200 and 'id="care-more-form"' in body
    assert body.count('type="radio"') == 7 * 4  # PHQ-9 items 3 to 9 only
    assert "有不如死掉或用某种方式伤害自己的念头" in body
    assert Screening.objects.count() == 0
    second = {**first, "step": "2", **answers("phq-", [0, 0, 1, 0, 0, 0, 1], first=3)}
    done = client.post(link_url, second, **EN)
    text = done.content.decode()
    assert done.status_code == 200
    assert 'id="crisis-hotlines"' in text and HOTLINE in text
    phq9 = Screening.objects.get(instrument="phq9")
    assert phq9.answers == [2, 1, 0, 0, 1, 0, 0, 0, 1] and phq9.urgent
    assert Screening.objects.get(instrument="gad2").band == "negative"
    urgent = Task.objects.filter(priority=TaskPriority.URGENT)
    assert sorted(urgent.values_list("owner__username", flat=True)) == ["counsellor", "grid1"]
    # sending the same form again joins the open crisis rather than paging everyone twice
    client.post(link_url, second)
    assert urgent.count() == 2 and Screening.objects.filter(instrument="phq9").count() == 2


def test_an_unanswered_question_on_the_household_page_is_named(world, client, link_url):
    posted = {"step": "1", "member": world.zhang.pk, **answers("phq-", [1, 0])}
    response = client.post(link_url, posted, **EN)
    assert response.status_code == 422 and "Choose an answer." in response.content.decode()
    assert Screening.objects.count() == 0


def test_the_household_page_screens_only_its_own_members(world, client, link_url):
    posted = {"step": "1", "member": world.li.pk, **answers("phq-", [0, 0]),
              **answers("gad-", [0, 0])}  # fmt: skip
    assert client.post(link_url, posted).status_code == 422
    assert Screening.objects.count() == 0


def test_a_revoked_or_unknown_link_is_a_404(world, client):
    link, token = household_link_issue(actor=world.users["admin"], household=world.household1)
    household_link_revoke(actor=world.users["admin"], link=link)
    assert client.get(reverse("portal:care", kwargs={"token": token})).status_code == 404
    assert client.get(reverse("portal:care", kwargs={"token": "x" * 22})).status_code == 404
    assert client.get(reverse("portal:care")).status_code == 200  # how to get a link


def test_a_mild_result_on_the_household_page_offers_self_help_and_a_re_screen(
    world, client, link_url
):
    first = {"step": "1", "member": world.zhang.pk, **answers("phq-", [2, 1]),
             **answers("gad-", [0, 0])}  # fmt: skip
    second = {**first, "step": "2", **answers("phq-", [1, 1, 1, 0, 0, 0, 0], first=3)}
    done = client.post(link_url, second, **EN).content.decode()
    assert Screening.objects.get(instrument="phq9").band == "mild"
    assert 'id="self-help"' in done and "in two weeks" in done
    assert 'id="crisis-hotlines"' not in done
    negative = {"step": "1", "member": world.zhang.pk, **answers("phq-", [0, 0]),
                **answers("gad-", [0, 0])}  # fmt: skip
    assert 'id="self-help"' not in client.post(link_url, negative, **EN).content.decode()
