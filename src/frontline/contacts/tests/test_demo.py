from __future__ import annotations

from frontline.conftest import make_household, make_resident
from frontline.contacts.demo import DEMO_REFERENCE, ensure_demo_contacts
from frontline.contacts.models import Case
from frontline.contacts.selectors import case_get, chain_of


def test_the_demo_chain_is_recorded_once_with_every_degree(world):
    make_resident(world.household1, name="张小丰", document_number="", phone="")
    for i in range(20):
        household = make_household(world.building2, "7", f"{i + 1:03d}")
        make_resident(household, name=f"演示{i}", document_number="", phone=f"1380000{i:04d}")
    created = ensure_demo_contacts(world.community)
    assert created == 1 + 6 + 12 + 1
    assert ensure_demo_contacts(world.community) == 0
    case = Case.objects.get(reference=DEMO_REFERENCE)
    admin = world.users["admin"]
    counts = chain_of(viewer=admin, case=case_get(viewer=admin, pk=case.pk)).counts()
    assert counts == {1: 8, 2: 12}
