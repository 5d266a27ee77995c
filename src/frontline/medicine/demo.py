"""Demo medicine runs: an insulin request (urgent) and a blood-pressure one planned into a run
for the demo volunteer, and one more waiting. Idempotent: it stops once the community has a
medicine request. Through the services."""

from __future__ import annotations

from django.db import transaction

from frontline.accounts.models import Role, User
from frontline.demo.loader import demo_admin
from frontline.medicine.models import MedicineRequest
from frontline.medicine.services import request_submit, run_plan
from frontline.places.models import Community
from frontline.residents.models import Resident, ResidentStatus

REQUESTS = (  # medicine, dose, quantity, pharmacy
    ("门冬胰岛素注射液", "三餐前各6单位", "2支", "市第一医院"),
    ("硝苯地平控释片 30mg", "每日一次，每次1片", "2盒", "市第一医院"),
    ("二甲双胍片 0.5g", "每日两次，每次1片", "3盒", "社区卫生服务中心"),
)


@transaction.atomic
def ensure_demo_medicine(community: Community) -> int:
    """Record the demo requests and run once; returns how many requests were made now."""
    if MedicineRequest.objects.filter(community=community).exists():
        return 0
    admin = demo_admin(community)
    volunteer = (
        User.objects.filter(assignments__community=community, assignments__role=Role.VOLUNTEER)
        .order_by("pk")
        .first()
    )
    people = list(
        Resident.objects.filter(community=community, status=ResidentStatus.PRESENT).order_by("id")[
            10:13
        ]
    )
    if admin is None or len(people) < len(REQUESTS):
        return 0
    made = [
        request_submit(
            actor=admin,
            resident=person,
            medicine=medicine,
            dose=dose,
            quantity=quantity,
            pharmacy=pharmacy,
        )
        for person, (medicine, dose, quantity, pharmacy) in zip(people, REQUESTS, strict=True)
    ]
    if volunteer is not None:
        run_plan(actor=admin, requests=made[:2], runner=volunteer)
    return len(made)
