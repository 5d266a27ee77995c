import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from frontline.conftest import make_household
from frontline.residents.models import SweepVisit
from frontline.residents.sweeps import sweep_progress, sweep_record_visit, sweep_start
from frontline.tasks.models import Task, TaskPriority


@pytest.fixture
def sweep(world):
    make_household(world.building1, "2", "402")
    return sweep_start(actor=world.users["admin"], community=world.community, purpose="独居老人排查",
                       buildings=[world.building1, world.building2])  # fmt: skip


def test_nobody_home_schedules_one_revisit_task_for_the_grid_worker(world, sweep):
    for _ in range(2):  # a double submit creates nothing twice
        sweep_record_visit(
            actor=world.users["grid1"],
            sweep=sweep,
            household=world.household1,
            outcome="nobody_home",
        )
    task = Task.objects.get()
    assert "3-2-401" in task.title and task.owner == world.users["grid1"]
    assert task.due_at is not None and task.due_at > timezone.now() + dt.timedelta(hours=20)


def test_a_noticed_need_becomes_a_task_with_its_priority(world, sweep):
    sweep_record_visit(
        actor=world.users["grid1"], sweep=sweep, household=world.household1, outcome="visited",
        people_present=1, needs=["medicine", "food"], note="降压药快吃完了",
    )  # fmt: skip
    priorities = dict(Task.objects.values_list("title", "priority"))
    assert len(priorities) == 2
    assert sorted(priorities.values()) == [TaskPriority.NORMAL, TaskPriority.HIGH]
    assert Task.objects.filter(description="降压药快吃完了").count() == 2


def test_a_revisit_updates_the_household_and_progress_counts_it_once(world, sweep):
    sweep_record_visit(
        actor=world.users["admin"], sweep=sweep, household=world.household1, outcome="nobody_home"
    )
    sweep_record_visit(
        actor=world.users["admin"], sweep=sweep, household=world.household1, outcome="visited"
    )
    progress = {
        row.building.number: row for row in sweep_progress(viewer=world.users["admin"], sweep=sweep)
    }
    assert (progress["3"].households, progress["3"].reached, progress["3"].not_reached) == (2, 1, 1)
    assert (progress["5"].households, progress["5"].not_reached) == (1, 1)
    assert SweepVisit.objects.count() == 1


def test_bad_visits_are_refused_with_reasons(world, sweep):
    with pytest.raises(Http404):
        sweep_record_visit(
            actor=world.users["admin"], sweep=sweep, household=world.other_household, outcome="x"
        )
    with pytest.raises(Http404):
        sweep_record_visit(
            actor=world.users["grid1"], sweep=sweep, household=world.household2, outcome="visited"
        )
    with pytest.raises(ValidationError) as error:
        sweep_record_visit(actor=world.users["admin"], sweep=sweep, household=world.household1, outcome="x",
                           needs=["gold"])  # fmt: skip
    assert set(error.value.message_dict) == {"outcome", "needs"}


def test_the_phone_page_saves_one_card_and_answers_it(world, sweep, client_for):
    client = client_for("grid1")
    walk = client.get(
        reverse("residents:sweep_walk", kwargs={"pk": sweep.pk, "building_pk": world.building1.pk})
    )
    assert walk.status_code == 200 and "3-2-401" in walk.content.decode()
    url = reverse(
        "residents:sweep_visit", kwargs={"pk": sweep.pk, "household_pk": world.household1.pk}
    )
    card = client.post(
        url,
        {"outcome": "visited", "people_present": "1", "needs": ["food"]},
        headers={"HX-Request": "true"},
    )
    assert (
        card.status_code == 200
        and 'id="household-' in card.content.decode()
        and "<nav" not in card.content.decode()
    )
    bad = client.post(url, {"people_present": "1"}, headers={"HX-Request": "true"})
    assert bad.status_code == 422 and "alert-danger" in bad.content.decode()
    progress = client.get(reverse("residents:sweep", kwargs={"pk": sweep.pk})).content.decode()
    assert f'data-not-reached="{world.building1.pk}">1<' in progress


def test_the_vulnerable_list_shows_last_contact_and_not_contacted_filter(world, sweep, client_for):
    client = client_for("admin")
    page = client.get(reverse("residents:vulnerable") + "?tag=living_alone").content.decode()
    assert "张三丰" in page and "李四" not in page
    sweep_record_visit(
        actor=world.users["admin"], sweep=sweep, household=world.household1, outcome="visited"
    )
    contacted = client.get(reverse("residents:vulnerable") + "?tag=living_alone").content.decode()
    assert timezone.localdate().isoformat() in contacted
    stale = client.get(
        reverse("residents:vulnerable") + "?tag=living_alone&days=7"
    ).content.decode()
    assert "张三丰" not in stale
    printable = client.get(reverse("residents:vulnerable") + "?tag=senior&print=1").content.decode()
    assert "张三丰" in printable and "window.print()" in printable


def test_the_walk_page_can_list_only_households_not_reached(world, sweep, client_for):
    sweep_record_visit(
        actor=world.users["admin"], sweep=sweep, household=world.household1, outcome="visited"
    )
    url = reverse(
        "residents:sweep_walk", kwargs={"pk": sweep.pk, "building_pk": world.building1.pk}
    )
    pending = client_for("admin").get(url + "?pending=1").content.decode()
    assert "3-2-402" in pending and "3-2-401" not in pending
