"""Demo check-ins: household links for the first buildings and today's check-ins for most of
their residents, a few of them abnormal, so the check-in pages and the inbox show real work.

Idempotent: nothing is done when the community already has household links. Everything goes
through the services, so the tasks and the audit log look like real work.
"""

from __future__ import annotations

import random

from django.db import transaction

from frontline.demo.loader import demo_admin
from frontline.health.models import CheckinSource, HouseholdLink, Symptom
from frontline.health.services import building_links_issue_missing, checkin_record
from frontline.places.models import Building, Community
from frontline.residents.models import Resident, ResidentStatus

DEMO_BUILDINGS = 3
CHECKED_IN_SHARE = 0.7
ABNORMAL_EVERY = 40  # about one check-in in 40 is abnormal


@transaction.atomic
def ensure_demo_checkins(community: Community, *, seed: int = 20220406) -> int:
    """Issue links for the first buildings and record today's check-ins; returns how many."""
    if HouseholdLink.objects.filter(household__unit__building__community=community).exists():
        return 0
    actor = demo_admin(community)
    if actor is None:
        return 0
    rng = random.Random(seed)
    buildings = list(Building.objects.filter(community=community).order_by("pk")[:DEMO_BUILDINGS])
    for building in buildings:
        building_links_issue_missing(actor=actor, building=building)
    residents = Resident.objects.filter(
        building__in=buildings, status=ResidentStatus.PRESENT
    ).order_by("pk")
    recorded = 0
    for resident in residents:
        if rng.random() > CHECKED_IN_SHARE:
            continue
        abnormal = rng.randrange(ABNORMAL_EVERY) == 0
        checkin_record(
            resident=resident,
            temperature=round(rng.uniform(37.4, 38.9) if abnormal else rng.uniform(36.1, 37.0), 1),
            symptoms=[Symptom.COUGH] if abnormal and rng.random() < 0.5 else [],
            source=CheckinSource.WORKER_PAGE,
            actor=actor,
        )
        recorded += 1
    return recorded
