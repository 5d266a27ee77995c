"""Demo psychological support: the community's crisis hotlines and a few screenings recorded by
a worker (minimal, mild, moderate), so the lists, the trend and a care case have something to
show. Called by the demo loader after the accounts exist; idempotent (it stops once the
community has its settings). Everything goes through the services."""

from __future__ import annotations

from django.db import transaction

from frontline.care.instruments import Code
from frontline.care.models import CareSettings, ScreeningSource
from frontline.care.services import care_settings_update, screening_record
from frontline.demo.loader import demo_admin
from frontline.places.models import Community
from frontline.residents.models import Resident, ResidentStatus

HOTLINES = "全国心理援助热线：12356\n希望24热线：400-161-9995"
ANSWERS = (
    (Code.PHQ9, [0, 1, 0, 1, 0, 0, 1, 0, 0]),  # 3: minimal
    (Code.GAD7, [1, 1, 1, 1, 1, 1, 0]),  # 6: mild, a re-screen in two weeks
    (Code.PHQ9, [2, 2, 1, 2, 1, 1, 1, 1, 0]),  # 11: moderate, a care case opens
)


@transaction.atomic
def ensure_demo_care(community: Community) -> int:
    """Record the hotlines and the demo screenings once; returns the screenings made now."""
    if CareSettings.objects.filter(community=community).exists():
        return 0
    actor = demo_admin(community)
    if actor is None:
        return 0
    care_settings_update(actor=actor, community=community, hotlines=HOTLINES, crisis_sla_minutes=60)
    people = Resident.objects.filter(community=community, status=ResidentStatus.PRESENT).order_by(
        "id"
    )[: len(ANSWERS)]
    for person, (code, answers) in zip(people, ANSWERS, strict=False):
        screening_record(
            actor=actor, resident=person, instrument=code, answers=answers,
            source=ScreeningSource.WORKER,
        )  # fmt: skip
    return min(len(people), len(ANSWERS))
