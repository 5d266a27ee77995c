"""应检尽检: expected against sampled per building and site, and the call list of who is missing."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from frontline.core.models import AuditEntry
from frontline.residents.models import Resident, ResidentStatus
from frontline.sampling import coverage
from frontline.sampling.services import sample_add, tube_open
from frontline.sampling.tests.factories import a_round, a_site, residents

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def test_progress_counts_present_people_of_the_rounds_buildings(world, django_assert_num_queries):
    round = a_round(world, pool_size=5)  # building 3 only
    site = a_site(world, round)
    people = residents(world, 6)
    Resident.objects.filter(pk=people[5].pk).update(status=ResidentStatus.MOVED_OUT)
    tube = tube_open(actor=world.users["sampler"], round=round, site=site, barcode="C1")
    for n, person in enumerate(people[:3]):
        sample_add(actor=world.users["sampler"], tube=tube, resident=person, scan_id=f"c{n}")
    with django_assert_num_queries(3):  # the round's buildings, the counts, the buildings
        (row,) = coverage.by_building(round)
    # 张三丰 and the five present people of building 3; 李四 lives in building 5
    assert (row.building, row.expected, row.sampled, row.missing) == (world.building1, 6, 3, 3)
    assert coverage.by_site(round) == [(site, 3)]
    missing = list(coverage.not_sampled(viewer=world.users["admin"], round=round))
    assert missing == sorted([world.zhang, *people[3:5]], key=lambda p: (p.address_key, p.pk))
    assert list(coverage.not_sampled(viewer=world.users["grid1"], round=round)) == missing
    assert list(coverage.not_sampled(viewer=world.users["other_admin"], round=round)) == []


def test_the_coverage_page_links_each_building_to_its_printable_call_list(world, client_for):
    round = a_round(world)
    client = client_for("fulltime")
    page = client.get(reverse("sampling:coverage", kwargs={"pk": round.pk}), **EN).content.decode()
    assert "0 of 1 sampled" in page
    url = reverse("sampling:missing", kwargs={"pk": round.pk}) + f"?building={world.building1.pk}"
    assert url.replace("?", "?") in page.replace("&amp;", "&")
    listing = client.get(url, **EN).content.decode()
    assert world.zhang.name in listing and world.zhang.masked_phone in listing
    assert world.zhang.phone not in listing
    entry = AuditEntry.objects.latest("id")
    assert entry.action == "export" and entry.details["rows"] == 1
    elsewhere = (
        reverse("sampling:missing", kwargs={"pk": round.pk})
        + f"?building={world.other_building.pk}"
    )
    assert client.get(elsewhere).status_code == 404


def test_the_plan_page_times_each_building_and_lists_the_bedridden(world, client_for):
    from frontline.residents.models import ResidentTag, Tag

    round = a_round(world, whole_community=True)
    a_site(world, round, name="北门")
    ResidentTag.objects.create(resident=world.li, tag=Tag.BEDRIDDEN)
    page = client_for("fulltime").get(reverse("sampling:plan", kwargs={"pk": round.pk}), **EN)
    body = page.content.decode()
    assert page.status_code == 200 and "北门" in body
    assert f"Building {world.building1}:" in body and f"Building {world.building2}:" in body
    door = body.split('id="door-to-door"')[1].split("</ul>")[0]
    assert world.li.name in door and world.zhang.name not in door
    assert (
        client_for("sampler").get(reverse("sampling:plan", kwargs={"pk": round.pk})).status_code
        == 403
    )


def test_an_exempt_person_is_not_missing_and_door_to_door_stays_expected(world, client_for):
    from frontline.sampling.models import Exemption
    from frontline.sampling.services import exemption_record

    round = a_round(world)
    away, bedridden = residents(world, 2)
    exemption_record(
        actor=world.users["grid1"], round=round, resident=away, reason="away", note="在外地"
    )
    exemption_record(
        actor=world.users["grid1"], round=round, resident=bedridden, reason="door_to_door"
    )
    (row,) = coverage.by_building(round)
    assert (row.expected, row.exempt, row.missing) == (2, 1, 2)  # 张三丰 and the bedridden one
    listed = {
        p.pk: p.exemption_reason  # type: ignore[attr-defined]
        for p in coverage.not_sampled(viewer=world.users["admin"], round=round)
    }
    assert listed == {world.zhang.pk: None, away.pk: "away", bedridden.pk: "door_to_door"}
    # a new reason replaces the old; an empty one takes it back
    exemption_record(actor=world.users["grid1"], round=round, resident=away, reason="hospital")
    assert Exemption.objects.get(resident=away).reason == "hospital"
    exemption_record(actor=world.users["grid1"], round=round, resident=away, reason="")
    assert not Exemption.objects.filter(resident=away).exists()
    with pytest.raises(PermissionDenied):
        exemption_record(actor=world.users["volunteer"], round=round, resident=away, reason="away")
    # through the call list page
    url = reverse("sampling:exempt", kwargs={"pk": round.pk})
    answer = client_for("admin").post(url, {"resident": away.pk, "reason": "positive"})
    assert answer.status_code == 302 and f"building={away.building_id}" in answer["Location"]
    assert Exemption.objects.get(resident=away).reason == "positive"
    assert (
        client_for("admin").post(url, {"resident": world.outsider.pk, "reason": "away"}).status_code
        == 404
    )


def test_the_round_report_counts_per_building_for_the_officer_and_as_a_workbook(
    world, client_for, django_assert_num_queries
):
    from python_calamine import CalamineWorkbook

    from frontline.sampling.report import round_report
    from frontline.sampling.services import ResultLine, results_record

    round = a_round(world, pool_size=5)
    site = a_site(world, round)
    people = residents(world, 4)
    tube = tube_open(actor=world.users["sampler"], round=round, site=site, barcode="R1")
    for n, person in enumerate(people[:3]):
        sample_add(actor=world.users["sampler"], tube=tube, resident=person, scan_id=f"r{n}")
    now = timezone.now()
    results_record(
        actor=world.users["admin"], source="f",
        lines=[ResultLine(line=2, barcode="R1", result="positive", reported_at=now, lab="区疾控")],
    )  # fmt: skip
    with django_assert_num_queries(4):
        data = round_report(round)
    (row,) = data.rows
    assert (row.progress.expected, row.progress.sampled, row.tubes, row.positive_tubes) == (
        5,
        3,
        1,
        1,
    )
    assert data.coverage_percent == 60.0
    officer = client_for("officer")
    listing = officer.get(reverse("sampling:list"), **EN).content.decode()
    url = reverse("sampling:report", kwargs={"pk": round.pk})
    detail = reverse("sampling:detail", kwargs={"pk": round.pk})
    assert url in listing and f'href="{detail}"' not in listing
    page = officer.get(url, **EN).content.decode()
    assert "coverage 60.0%" in page
    assert all(person.name not in page for person in [world.zhang, *people])
    workbook = officer.get(url, {"format": "xlsx"}, **EN)
    assert workbook["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(workbook.content)).get_sheet_by_index(0)
    rows = sheet.to_python()
    assert rows[3] == [
        "Grid", "Building", "Expected", "Sampled", "Exempt", "Not yet sampled", "Coverage",
        "Tubes", "Positive tubes",
    ]  # fmt: skip
    assert rows[4][2:6] == [5, 3, 0, 2] and rows[4][7:9] == [1, 1]
    assert rows[5][0] == "Total" and rows[5][2] == 5 and rows[4][6] == 0.6
    assert AuditEntry.objects.filter(action="export", community=world.community).exists()
    assert client_for("other_admin").get(url).status_code == 404


def test_the_planning_page_starts_the_advice_from_the_last_rounds_positivity(world, client_for):
    from frontline.sampling.models import Tube

    round = a_round(world, pool_size=5)
    people = residents(world, 10)
    for n in range(2):
        tube = tube_open(actor=world.users["sampler"], round=round, barcode=f"P{n}", capacity=5)
        for m, person in enumerate(people[n * 5 : n * 5 + 5]):
            sample_add(actor=world.users["sampler"], tube=tube, resident=person, scan_id=f"{n}-{m}")
    Tube.objects.filter(barcode="P0").update(result="positive")
    Tube.objects.filter(barcode="P1").update(result="negative")
    page = client_for("fulltime").get(reverse("sampling:new"), **EN).content.decode()
    # one of two tubes of 5 positive: p = 1 - 0.5 ** (1/5) = 12.94 %
    assert 'value="12.94' in page and "last round with results" in page


def test_the_plan_sends_each_building_its_time_as_a_notice(world, client_for):
    from frontline.outreach.models import Notice, NoticeRecipient

    round = a_round(world, whole_community=True)
    a_site(world, round, name="北门")
    url = reverse("sampling:plan_send", kwargs={"pk": round.pk})
    assert client_for("fulltime").post(url).status_code == 302
    notices = Notice.objects.filter(community=world.community).order_by("id")
    assert notices.count() == 2  # buildings 3 and 5
    assert all("北门" in notice.body and notice.status == "sent" for notice in notices)
    reached = set(NoticeRecipient.objects.values_list("household_id", flat=True))
    assert reached == {world.household1.pk, world.household2.pk}
    assert client_for("sampler").post(url).status_code == 403
