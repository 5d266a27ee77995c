"""Demo requests: an urgent medicine request by phone still waiting to be taken (so the banner
shows), and a food request taken and resolved. Called by the demo loader after the accounts
exist; idempotent (it stops once the community has a request). Through the services."""

from __future__ import annotations

from django.db import transaction

from frontline.demo.loader import demo_admin
from frontline.helpdesk.models import Channel, HelpRequest
from frontline.helpdesk.services import request_resolve, request_submit, request_take
from frontline.places.models import Community
from frontline.residents.models import Resident, ResidentStatus


@transaction.atomic
def ensure_demo_requests(community: Community) -> int:
    """Record the demo requests once; returns how many were made now."""
    if HelpRequest.objects.filter(community=community).exists():
        return 0
    admin = demo_admin(community)
    if admin is None:
        return 0
    people = list(
        Resident.objects.filter(community=community, status=ResidentStatus.PRESENT).order_by("-id")[
            :2
        ]
    )
    if len(people) < 2:
        return 0
    request_submit(
        actor=admin, resident=people[0], category="medicine",
        text="降压药断药两天，家里没人能去医院配药。", channel=Channel.PHONE,
    )  # fmt: skip
    food = request_submit(
        actor=admin, resident=people[1], category="food", text="家里蔬菜吃完了，能否帮忙代购？",
        channel=Channel.VISIT,
    )  # fmt: skip
    food = request_take(actor=admin, request=food)
    request_resolve(actor=admin, request=food, resolution="志愿者已送菜到门口。")
    return 2
