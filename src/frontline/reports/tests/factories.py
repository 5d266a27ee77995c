"""A constructed day for the daily report: orders in each measure, closings, cases, contacts and
check-ins in both communities of the test world, all on `timezone.localdate()`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from frontline.accounts.models import User
from frontline.conftest import World, make_resident
from frontline.contacts.services import case_record, link_record
from frontline.control.models import ControlOrder
from frontline.control.services import (
    DocumentEvidence,
    order_create,
    order_release,
    order_transfer,
)
from frontline.control.tests.factories import ninth_in_force_from
from frontline.health.models import CheckinSource
from frontline.health.services import checkin_record
from frontline.places.models import Household
from frontline.policy.models import Category
from frontline.residents.models import Resident

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def resident_id(sequence: int, birth: str = "19900101") -> str:
    """A valid resident ID (GB 11643) with the given sequence number."""
    body = f"110105{birth}{sequence:03d}"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True)) % 11]


def person(household: Household, name: str, sequence: int, status: str = "present") -> Resident:
    return make_resident(household, name=name, document_number=resident_id(sequence), status=status)


def order(actor: User, resident: Resident, category: str, start: dt.date) -> ControlOrder:
    return order_create(
        actor=actor,
        evidence=DocumentEvidence(
            resident=resident,
            file=SimpleUploadedFile("order.pdf", PDF, content_type="application/pdf"),
            reference="街道管控〔2026〕1号",
        ),
        category=category, start=start,
    )  # fmt: skip


@dataclass
class ConstructedDay:
    day: dt.date
    names: list[str]  # every resident's name, none of which an officer may receive


def construct_day(world: World) -> ConstructedDay:
    """幸福里: one order whose phase turns from centralised isolation to home health monitoring
    today, one in centralised isolation, one home isolation starting today, one released and one
    transferred today, one long past its release date; a case confirmed today, one yesterday; a
    contact link recorded today; 8 present residents (one more away), 2 checked in, 1 abnormal
    (twice). 光明: one order in centralised isolation, 2 present, 1 checked in."""
    day = timezone.localdate()
    admin, other_admin = world.users["admin"], world.users["other_admin"]
    ninth_in_force_from(world, day - dt.timedelta(days=40))
    home = world.household1
    switching = person(home, "甲一", 101)
    centralised = person(home, "乙二", 103)
    home_isolated = person(home, "丙三", 105)
    released = person(world.household2, "丁四", 107)
    transferred = person(world.household2, "戊五", 109)
    overdue = person(world.household2, "己六", 111)
    person(world.household2, "庚七", 113, status="away")
    neighbour = person(world.other_household, "辛八", 115)

    order(admin, switching, Category.CLOSE_CONTACT, day - dt.timedelta(days=7))
    order(admin, centralised, Category.CLOSE_CONTACT, day - dt.timedelta(days=2))
    order(admin, home_isolated, Category.CONTACT_OF_CONTACT, day)
    order_release(
        actor=admin, order=order(admin, released, Category.CLOSE_CONTACT, day - dt.timedelta(days=3)),
        reason="出院复核", override=True,
    )  # fmt: skip
    order_transfer(
        actor=admin,
        order=order(admin, transferred, Category.CLOSE_CONTACT, day - dt.timedelta(days=4)),
        reason="转定点医院",
    )
    order(admin, overdue, Category.CLOSE_CONTACT, day - dt.timedelta(days=20))
    order(other_admin, neighbour, Category.CLOSE_CONTACT, day - dt.timedelta(days=1))

    case = case_record(actor=admin, resident=world.li, confirmed_on=day, reference="阳性-001")
    case_record(
        actor=admin, resident=centralised, confirmed_on=day - dt.timedelta(days=1),
        reference="阳性-000",
    )  # fmt: skip
    link_record(
        actor=admin, case=case, contact_resident=world.zhang, met_on=day - dt.timedelta(days=1),
        link_type="household",
    )  # fmt: skip

    def check_in(resident: Resident, temperature: str, actor: User) -> None:
        checkin_record(
            resident=resident, temperature=temperature, source=CheckinSource.WORKER_PAGE,
            actor=actor,
        )  # fmt: skip

    check_in(world.zhang, "36.5", admin)
    check_in(world.li, "38.2", admin)
    check_in(world.li, "38.4", admin)
    check_in(world.outsider, "36.6", other_admin)
    names = [r.name for r in Resident.objects.all()]
    return ConstructedDay(day=day, names=names)
