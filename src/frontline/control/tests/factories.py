"""Evidence to make orders from, in tests: a contact link, a trip match, a positive check-in."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from frontline.conftest import World, make_household, make_resident
from frontline.contacts.models import ContactLink
from frontline.contacts.services import case_record, link_record
from frontline.control.models import ControlOrder
from frontline.control.services import DocumentEvidence, order_create
from frontline.health.models import Checkin, CheckinSource
from frontline.health.services import checkin_record
from frontline.policy.models import Category, RuleSet
from frontline.policy.services import rule_set_copy, rule_set_publish
from frontline.residents.models import Resident
from frontline.travel.models import TripMatch, TripSource
from frontline.travel.services import risk_area_create, trip_record

NINTH = dt.date(2022, 7, 1)  # the 9th edition plan is in force
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def close_contact_link(
    world: World, *, contact: Resident | None = None, day: dt.date = NINTH
) -> ContactLink:
    """李四 is a confirmed case; 张三丰 (or `contact`) met them: a close contact."""
    case = case_record(
        actor=world.users["admin"], resident=world.li, confirmed_on=day, reference="阳性-001"
    )
    return link_record(
        actor=world.users["admin"], case=case, contact_resident=contact or world.zhang,
        met_on=day, link_type="household",
    )  # fmt: skip


def second_degree_link(world: World, first: ContactLink) -> ContactLink:
    """A neighbour of 张三丰 who met them: a contact of a close contact."""
    neighbour = make_resident(
        make_household(world.building1, "2", "402"), name="赵六",
        document_number="110105198501010012", phone="13811112222",
    )  # fmt: skip
    return link_record(
        actor=world.users["admin"], case=first.case, source=first.b_key,
        contact_resident=neighbour, met_on=first.met_on, link_type="other",
    )  # fmt: skip


def trip_match(world: World, *, level: str = "high", day: dt.date = NINTH) -> TripMatch:
    risk_area_create(
        actor=None, name="朝阳区", area_code="110105", level=level,
        valid_from=day - dt.timedelta(days=10),
    )  # fmt: skip
    trip_record(
        resident=world.zhang, source=TripSource.PORTAL, area_code="110105", place="北京朝阳",
        date_from=day - dt.timedelta(days=3), date_to=day - dt.timedelta(days=1),
    )  # fmt: skip
    return TripMatch.objects.get(resident=world.zhang)


def positive_checkin(world: World, antigen: str = "positive") -> Checkin:
    return checkin_record(
        resident=world.zhang, temperature="37.8", antigen=antigen,
        source=CheckinSource.WORKER_PAGE, actor=world.users["admin"],
    )  # fmt: skip


def document(world: World, *, resident: Resident | None = None, content: bytes = PDF,
             reference: str = "街道管控〔2022〕7号") -> DocumentEvidence:  # fmt: skip
    return DocumentEvidence(
        resident=resident or world.zhang,
        file=SimpleUploadedFile("order.pdf", content, content_type="application/pdf"),
        reference=reference,
    )


def close_contact_order(
    world: World, *, start: dt.date = NINTH, actor: str = "admin"
) -> ControlOrder:
    return order_create(
        actor=world.users[actor], evidence=close_contact_link(world, day=start),
        category=Category.CLOSE_CONTACT, start=start,
    )  # fmt: skip


def ninth_in_force_from(world: World, day: dt.date) -> RuleSet:
    """A community brings the 9th edition back: a copy published to take effect on `day`."""
    copy = rule_set_copy(
        actor=world.users["admin"], source=RuleSet.objects.get(preset="ninth-edition"),
        name=f"第九版（{day.isoformat()}起）",
    )  # fmt: skip
    return rule_set_publish(actor=world.users["admin"], rule_set=copy, effective_from=day)
