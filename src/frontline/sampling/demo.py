"""A demo testing round: today's morning round with a site, its sampler, three full tubes of ten
and a lab result for two of them, so the sampling pages, coverage and report have something to
show. Called by the demo loader after the accounts exist; idempotent (the round's name is looked
up first). Everything goes through the services."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from frontline.accounts.models import User
from frontline.control.models import ControlOrder, OrderStatus
from frontline.demo.loader import demo_admin
from frontline.places.models import Community
from frontline.residents.models import Resident, ResidentStatus
from frontline.sampling.models import Round
from frontline.sampling.services import (
    ResultLine,
    results_record,
    round_create,
    sample_add,
    site_create,
    tube_open,
)

DEMO_ROUND = "示范全员核酸（演示）"
TUBES = 3
PER_TUBE = 10


@transaction.atomic
def ensure_demo_sampling(community: Community) -> int:
    """Record the demo round once; returns the samples made now."""
    if Round.objects.filter(community=community, name=DEMO_ROUND).exists():
        return 0
    admin = demo_admin(community)
    sampler = User.objects.filter(username="sampler", is_active=True).first()
    if admin is None or sampler is None:
        return 0
    start = timezone.localtime().replace(hour=6, minute=0, second=0, microsecond=0)
    round = round_create(
        actor=admin, community=community, name=DEMO_ROUND, starts_at=start,
        ends_at=start + dt.timedelta(hours=6), pool_size=PER_TUBE,
    )  # fmt: skip
    site = site_create(actor=admin, round=round, name="北门", tables=4, samplers=[sampler])
    controlled = ControlOrder.objects.filter(status=OrderStatus.ACTIVE).values("resident_id")
    people = list(
        Resident.objects.filter(community=community, status=ResidentStatus.PRESENT)
        .exclude(pk__in=controlled)
        .order_by("address_key", "id")[: TUBES * PER_TUBE]
    )
    made = 0
    for number in range(TUBES):
        tube = tube_open(actor=sampler, round=round, site=site, barcode=f"DEMO{number + 1:04d}")
        for person in people[number * PER_TUBE : (number + 1) * PER_TUBE]:
            sample_add(actor=sampler, tube=tube, resident=person, scan_id=f"demo-{person.pk}")
            made += 1
    results_record(
        actor=admin, source="演示检测结果.csv",
        lines=[
            ResultLine(line=2, barcode="DEMO0001", result="negative", reported_at=timezone.now(), lab="区疾控"),
            ResultLine(line=3, barcode="DEMO0002", result="negative", reported_at=timezone.now(), lab="区疾控"),
        ],
    )  # fmt: skip
    return made
