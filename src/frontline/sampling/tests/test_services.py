"""The tube ledger through its services: scans, idempotency, undo, results and trace-back."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone, translation

from frontline.control.tests.factories import close_contact_order
from frontline.policy.presets import install_presets
from frontline.sampling.models import ResultEntry, RoundStatus, Sample, Tube, TubeResult, TubeStatus
from frontline.sampling.services import (
    ResultLine,
    results_record,
    round_create,
    sample_add,
    sample_undo,
    trace_back,
    tube_close,
    tube_open,
    tube_people,
)
from frontline.sampling.tests.factories import a_round, a_site, residents
from frontline.tasks.models import Task, TaskPriority

NOW = dt.datetime(2022, 4, 4, 10, 30, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def english():  # type: ignore[no-untyped-def]
    """The services word their errors in the active language; these tests read English."""
    with translation.override("en"):
        yield


def fill(world, tube, people, prefix: str = "scan"):  # type: ignore[no-untyped-def]
    for n, person in enumerate(people):
        sample_add(
            actor=world.users["sampler"],
            tube=tube,
            resident=person,
            scan_id=f"{prefix}-{tube.pk}-{n}",
        )


def messages(error: ValidationError) -> str:
    with translation.override("en"):
        return " ".join(str(m) for m in error.messages)


def test_a_round_reports_every_bad_field_at_once(world):
    start = timezone.now()
    with pytest.raises(ValidationError) as raised:
        round_create(
            actor=world.users["admin"], community=world.community, name=" ", starts_at=start,
            ends_at=start - dt.timedelta(hours=1), pool_size=7, buildings=[world.other_building],
        )  # fmt: skip
    assert set(raised.value.message_dict) == {"name", "ends_at", "pool_size", "buildings"}
    with pytest.raises(PermissionDenied):
        a_round_for(world, "sampler")


def a_round_for(world, user: str):  # type: ignore[no-untyped-def]
    start = timezone.now()
    return round_create(
        actor=world.users[user], community=world.community, name="x", starts_at=start,
        ends_at=start + dt.timedelta(hours=1), pool_size=10,
    )  # fmt: skip


def test_a_tube_fills_to_its_capacity_and_closes_itself(world):
    round = a_round(world, pool_size=5)
    site = a_site(world, round)
    tube = tube_open(actor=world.users["sampler"], round=round, site=site, barcode=" ab 0001 ")
    assert tube.barcode == "AB0001" and tube.capacity == 5
    round.refresh_from_db()
    assert round.status == RoundStatus.SAMPLING
    people = residents(world, 6)
    fill(world, tube, people[:5])
    tube.refresh_from_db()
    assert (tube.size, tube.status) == (5, TubeStatus.CLOSED)
    with pytest.raises(ValidationError) as raised:
        sample_add(actor=world.users["sampler"], tube=tube, resident=people[5], scan_id="late")
    assert "is closed" in messages(raised.value)


def test_the_same_scan_posted_twice_makes_one_sample(world):
    round = a_round(world)
    tube = tube_open(actor=world.users["sampler"], round=round, barcode="T1")
    (person,) = residents(world, 1)
    first = sample_add(actor=world.users["sampler"], tube=tube, resident=person, scan_id="s-1")
    again = sample_add(actor=world.users["sampler"], tube=tube, resident=person, scan_id="s-1")
    assert not first.repeated and again.repeated and again.sample.pk == first.sample.pk
    tube.refresh_from_db()
    assert tube.size == 1 and Sample.objects.count() == 1


def test_a_person_is_sampled_once_a_round_and_a_barcode_is_used_once(world):
    round = a_round(world)
    one = tube_open(actor=world.users["sampler"], round=round, barcode="T1")
    two = tube_open(actor=world.users["sampler"], round=round, barcode="T2")
    (person,) = residents(world, 1)
    sample_add(actor=world.users["sampler"], tube=one, resident=person, scan_id="a")
    with pytest.raises(ValidationError) as raised:
        sample_add(actor=world.users["sampler"], tube=two, resident=person, scan_id="b")
    assert "already sampled in this round (tube T1)" in messages(raised.value)
    with pytest.raises(ValidationError) as raised:
        tube_open(actor=world.users["sampler"], round=round, barcode="t1")
    assert "already used" in messages(raised.value)


def test_someone_outside_the_rounds_buildings_needs_a_reason(world):
    round = a_round(world)  # building 3 only; 李四 lives in building 5
    tube = tube_open(actor=world.users["sampler"], round=round, barcode="T1")
    with pytest.raises(ValidationError) as raised:
        sample_add(actor=world.users["sampler"], tube=tube, resident=world.li, scan_id="a")
    assert set(raised.value.message_dict) == {"override_reason"}
    added = sample_add(
        actor=world.users["sampler"], tube=tube, resident=world.li, scan_id="a",
        override_reason="在3号楼亲戚家居住",
    )  # fmt: skip
    assert added.sample.override_reason == "在3号楼亲戚家居住"


def test_a_person_under_a_control_order_needs_a_tube_of_their_own(world):
    install_presets_for_tests()
    close_contact_order(world)  # 张三丰 is a close contact
    round = a_round(world)
    pooled = tube_open(actor=world.users["sampler"], round=round, barcode="T10")
    with pytest.raises(ValidationError) as raised:
        sample_add(actor=world.users["sampler"], tube=pooled, resident=world.zhang, scan_id="a")
    assert "needs a tube of their own" in messages(raised.value)
    single = tube_open(actor=world.users["sampler"], round=round, barcode="S1", capacity=1)
    sample_add(actor=world.users["sampler"], tube=single, resident=world.zhang, scan_id="a")
    single.refresh_from_db()
    assert single.status == TubeStatus.CLOSED


def install_presets_for_tests() -> None:
    from django.apps import apps

    install_presets(apps.get_model)


def test_undo_takes_the_last_person_out_and_reopens_a_full_tube(world):
    round = a_round(world, pool_size=5)
    tube = tube_open(actor=world.users["sampler"], round=round, barcode="T1")
    people = residents(world, 5)
    fill(world, tube, people)
    removed = sample_undo(actor=world.users["sampler"], tube=tube)
    assert removed is not None and removed.resident == people[4]
    tube.refresh_from_db()
    assert (tube.size, tube.status) == (4, TubeStatus.OPEN)
    sample_add(actor=world.users["sampler"], tube=tube, resident=people[4], scan_id="again")
    tube.refresh_from_db()
    assert tube.size == 5


def test_closing_by_hand_needs_a_swab_in_the_tube(world):
    round = a_round(world)
    tube = tube_open(actor=world.users["sampler"], round=round, barcode="T1")
    with pytest.raises(ValidationError):
        tube_close(actor=world.users["sampler"], tube=tube)
    fill(world, tube, residents(world, 3))
    assert tube_close(actor=world.users["sampler"], tube=tube).status == TubeStatus.CLOSED


def lines(*rows: tuple[str, str]) -> list[ResultLine]:
    return [
        ResultLine(line=n + 2, barcode=code, result=result, reported_at=NOW, lab="区疾控")
        for n, (code, result) in enumerate(rows)
    ]


def test_a_result_file_accounts_for_every_line(world):
    round = a_round(world)
    people = residents(world, 20)
    tubes = []
    for n in range(3):
        tube = tube_open(actor=world.users["sampler"], round=round, barcode=f"T{n}")
        fill(world, tube, people[n * 5 : n * 5 + 5])
        tubes.append(tube)
    results_record(actor=world.users["admin"], lines=lines(("T2", "negative")), source="早间.csv")
    report = results_record(
        actor=world.users["admin"],
        lines=lines(
            ("T0", "阴性"),  # recorded
            ("T1", "positive"),  # recorded, and the trace-back starts
            ("T1", "positive"),  # the same again: a duplicate
            ("T2", "invalid"),  # changed from negative: a new entry, the history kept
            ("NOPE", "negative"),  # unknown
            ("T0", "maybe"),  # a bad row
            ("", "negative"),  # a bad row
        ),
        source="午间.xlsx",
    )
    assert report.recorded == 3
    assert report.duplicates == [(4, "T1")]
    assert report.changed == [(5, "T2", "negative", "invalid")]
    assert report.unknown == [(6, "NOPE")]
    assert [line for line, _reason in report.errors] == [7, 8]
    assert [t.barcode for t in report.positive_tubes] == ["T1"]
    assert [t.barcode for t in report.invalid_tubes] == ["T2"]
    assert list(Tube.objects.order_by("barcode").values_list("result", flat=True)) == [
        TubeResult.NEGATIVE, TubeResult.POSITIVE, TubeResult.INVALID,
    ]  # fmt: skip
    history = ResultEntry.objects.filter(tube__barcode="T2").order_by("id")
    assert [(e.result, e.source) for e in history] == [
        ("negative", "早间.csv"), ("invalid", "午间.xlsx"),
    ]  # fmt: skip


def test_a_positive_pool_holds_its_households_on_the_spot_within_the_same_call(world):
    round = a_round(world)
    people = residents(world, 10)  # five households of two
    tube = tube_open(actor=world.users["sampler"], round=round, barcode="P1")
    fill(world, tube, people)
    report = results_record(actor=world.users["admin"], lines=lines(("P1", "positive")), source="f")
    assert report.tasks == 5
    tasks = Task.objects.filter(source_id=str(tube.pk), priority=TaskPriority.URGENT)
    assert tasks.count() == 5
    assert {task.household_id for task in tasks} == {p.household_id for p in people}
    assert all(task.owner == world.users["grid1"] for task in tasks)
    for task in tasks:
        names = [p.name for p in people if p.household_id == task.household_id]
        assert "P1" in task.title and all(name in task.title for name in names)
    assert [s.resident for s in tube_people(tube)] == sorted(
        people, key=lambda p: (p.household_id, p.pk)
    )
    # the same file again changes nothing and makes no second task
    again = results_record(actor=world.users["admin"], lines=lines(("P1", "positive")), source="f")
    assert again.duplicates == [(2, "P1")] and again.tasks == 0
    assert Task.objects.filter(source_id=str(tube.pk)).count() == 5


def test_an_invalid_tube_asks_for_resampling(world):
    round = a_round(world)
    people = residents(world, 4)
    tube = tube_open(actor=world.users["sampler"], round=round, barcode="I1")
    fill(world, tube, people)
    report = results_record(actor=world.users["admin"], lines=lines(("I1", "invalid")), source="f")
    assert report.tasks == 2
    assert Task.objects.filter(source_id=str(tube.pk), priority=TaskPriority.HIGH).count() == 2


def test_a_lab_posts_results_only_for_tubes_in_its_reach_and_nothing_else(world, client_for):
    round = a_round(world)
    tube = tube_open(actor=world.users["sampler"], round=round, barcode="L1")
    fill(world, tube, residents(world, 2))
    report = results_record(actor=world.users["lab"], lines=lines(("L1", "negative")), source="api")
    assert report.recorded == 1
    with pytest.raises(PermissionDenied):
        results_record(actor=world.users["grid1"], lines=lines(("L1", "negative")), source="x")
    with pytest.raises(PermissionDenied):
        tube_open(actor=world.users["lab"], round=round, barcode="L2")
    other = results_record(
        actor=world.users["other_admin"], lines=lines(("L1", "positive")), source="x"
    )
    assert other.unknown == [(2, "L1")]  # another community's tube is as good as unknown


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_samplers_on_one_tube_and_one_person_in_two_tubes_keep_the_ledger_consistent(world):
    round = a_round(world, pool_size=5)
    tube = tube_open(actor=world.users["sampler"], round=round, barcode="C1")
    other = tube_open(actor=world.users["sampler"], round=round, barcode="C2")
    people = residents(world, 8)
    errors: list[str] = []
    barrier = threading.Barrier(9)

    def scan(target: Tube, person, scan_id: str) -> None:  # type: ignore[no-untyped-def]
        barrier.wait()
        try:
            sample_add(actor=world.users["sampler"], tube=target, resident=person, scan_id=scan_id)
        except ValidationError as error:
            errors.append(messages(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=scan, args=(tube, p, f"x{n}")) for n, p in enumerate(people)]
    threads.append(threading.Thread(target=scan, args=(other, people[0], "y0")))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    tube.refresh_from_db()
    other.refresh_from_db()
    in_tube = Sample.objects.filter(tube=tube).count()
    assert tube.size == in_tube == 5  # never overfilled: three were refused as "full"
    assert other.size == Sample.objects.filter(tube=other).count()
    assert Sample.objects.filter(resident=people[0]).count() == 1
    assert len(errors) == 9 - Sample.objects.count()


def test_trace_back_names_the_people_of_many_tubes_in_three_queries(
    world, django_assert_num_queries
):
    round = a_round(world, pool_size=5)
    people = residents(world, 15)
    for n in range(3):
        tube = tube_open(actor=world.users["sampler"], round=round, barcode=f"B{n}")
        fill(world, tube, people[n * 5 : n * 5 + 5])
    with django_assert_num_queries(3):  # samples and people; tubes; households
        found = trace_back(round=round, barcodes=["b0", "B2", "missing"])
    assert sorted(found) == ["B0", "B2"]
    assert [s.resident for s in found["B2"]] == people[10:15]
    assert all(s.resident.household.label for s in found["B0"])


def test_sealed_buildings_and_the_rounds_listed_groups_are_sampled_one_per_tube(world):
    from frontline.residents.models import ResidentTag, Tag
    from frontline.sampling.services import OwnTube, needs_own_tube
    from frontline.zones.models import Zone
    from frontline.zones.tests.factories import high_zone

    start = timezone.now()
    round = round_create(
        actor=world.users["admin"], community=world.community, name="二轮", starts_at=start,
        ends_at=start + dt.timedelta(hours=6), pool_size=10, own_tube_tags=[Tag.DIALYSIS],
    )  # fmt: skip
    people = residents(world, 2, building=world.building2)
    ResidentTag.objects.create(resident=people[0], tag=Tag.DIALYSIS)
    assert needs_own_tube(round, people[0]) is OwnTube.LISTED
    assert needs_own_tube(round, people[1]) is None
    tube = tube_open(actor=world.users["sampler"], round=round, barcode="G1")
    with pytest.raises(ValidationError) as raised:
        sample_add(actor=world.users["sampler"], tube=tube, resident=people[0], scan_id="a")
    assert "one per tube" in messages(raised.value)
    # 张三丰's building is a high-risk area: everyone living there is sampled alone
    install_presets_for_tests()
    high_zone(world)
    assert Zone.objects.get().site == world.building1
    assert needs_own_tube(round, world.zhang) is OwnTube.SEALED
    with pytest.raises(ValidationError) as raised:
        sample_add(actor=world.users["sampler"], tube=tube, resident=world.zhang, scan_id="b")
    assert "sealed building" in messages(raised.value)
    with pytest.raises(ValidationError):
        round_create(
            actor=world.users["admin"], community=world.community, name="x", starts_at=start,
            ends_at=start + dt.timedelta(hours=1), pool_size=10, own_tube_tags=["astronauts"],
        )  # fmt: skip


def test_with_household_tubes_those_sampled_alone_share_a_tube_with_their_household_only(world):
    from frontline.residents.models import ResidentTag, Tag

    start = timezone.now()
    round = round_create(
        actor=world.users["admin"], community=world.community, name="三轮", starts_at=start,
        ends_at=start + dt.timedelta(hours=6), pool_size=5, own_tube_tags=[Tag.DIALYSIS],
        household_tubes=True,
    )  # fmt: skip
    patient, partner, neighbour, _, other_patient = residents(world, 5)  # two per household
    assert patient.household_id == partner.household_id != neighbour.household_id
    ResidentTag.objects.create(resident=patient, tag=Tag.DIALYSIS)
    tube = tube_open(actor=world.users["sampler"], round=round, barcode="H1")
    sample_add(actor=world.users["sampler"], tube=tube, resident=patient, scan_id="a")
    sample_add(actor=world.users["sampler"], tube=tube, resident=partner, scan_id="b")
    with pytest.raises(ValidationError) as raised:
        sample_add(actor=world.users["sampler"], tube=tube, resident=neighbour, scan_id="c")
    assert "another household" in messages(raised.value)
    pooled = tube_open(actor=world.users["sampler"], round=round, barcode="H2")
    sample_add(actor=world.users["sampler"], tube=pooled, resident=neighbour, scan_id="d")
    ResidentTag.objects.create(resident=other_patient, tag=Tag.DIALYSIS)
    with pytest.raises(ValidationError):  # may not join another household's pooled tube
        sample_add(actor=world.users["sampler"], tube=pooled, resident=other_patient, scan_id="e")
