"""A small demo chain: one confirmed case with close contacts and contacts of contacts.

Called by the demo loader after the accounts exist; idempotent (the demo reference is looked up
first). Everything goes through the services, so the audit log shows it like real work.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from frontline.contacts.models import Case, LinkType
from frontline.contacts.services import case_record, link_record
from frontline.demo.loader import demo_admin
from frontline.places.models import Community
from frontline.residents.models import Resident, ResidentStatus

DEMO_REFERENCE = "DEMO-阳性-0001"
PLACES = ("菜市场", "单位食堂", "公交 36 路", "小区快递点", "社区药店")


def ensure_demo_contacts(community: Community) -> int:
    """Record the demo case and its chain once; returns the number of links created now."""
    if Case.objects.filter(community=community, reference=DEMO_REFERENCE).exists():
        return 0
    actor = demo_admin(community)
    if actor is None:
        return 0
    present = Resident.objects.filter(community=community, status=ResidentStatus.PRESENT)
    household = (
        present.values("household_id")
        .annotate(n=Count("id"))
        .filter(n__gte=2)
        .order_by("household_id")
        .values_list("household_id", flat=True)
        .first()
    )
    if household is None:
        return 0
    index, housemate = list(present.filter(household_id=household).order_by("pk")[:2])
    others = list(present.exclude(household_id=household).order_by("pk")[:18])
    today = timezone.localdate()
    created = 0
    with transaction.atomic():
        case = case_record(
            actor=actor, resident=index, confirmed_on=today - dt.timedelta(days=1),
            reference=DEMO_REFERENCE,
        )  # fmt: skip
        link_record(
            actor=actor, case=case, contact_resident=housemate, met_on=today - dt.timedelta(days=2),
            link_type=LinkType.HOUSEHOLD, place="家中",
        )  # fmt: skip
        created += 1
        direct, second = others[:6], others[6:]
        for i, person in enumerate(direct):
            link_record(
                actor=actor, case=case, contact_resident=person,
                met_on=today - dt.timedelta(days=2 + i % 3), met_at=dt.time(8 + i, 30),
                link_type=(LinkType.WORKPLACE, LinkType.TRANSPORT, LinkType.OTHER)[i % 3],
                place=PLACES[i % len(PLACES)],
            )  # fmt: skip
            created += 1
        for i, person in enumerate(second):
            link_record(
                actor=actor, case=case, source=f"r{direct[i % len(direct)].pk}",
                contact_resident=person, met_on=today - dt.timedelta(days=1),
                link_type=LinkType.SAME_BUILDING if i % 2 else LinkType.OTHER,
                place=PLACES[(i + 2) % len(PLACES)],
            )  # fmt: skip
            created += 1
        link_record(
            actor=actor, case=case, contact_name="陈外来", contact_phone="13700009999",
            met_on=today - dt.timedelta(days=3), link_type=LinkType.TRANSPORT, place="公交 36 路",
        )  # fmt: skip
        created += 1
    return created
