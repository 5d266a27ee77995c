"""Helpers to build cases and chains in tests."""

from __future__ import annotations

import datetime as dt

from frontline.contacts.models import Case, ContactLink, OutsidePerson
from frontline.contacts.services import case_record

DAY = dt.date(2026, 11, 1)


def zhang_case(world, reference: str = "阳性-001") -> Case:  # type: ignore[no-untyped-def]
    return case_record(
        actor=world.users["admin"], resident=world.zhang, confirmed_on=DAY, reference=reference
    )


def bulk_chain(case: Case, *, direct: int, per_contact: int) -> int:
    """`direct` outside contacts of the index person, each with `per_contact` contacts of their
    own, inserted in bulk (no audit: test data). Returns the number of people added."""
    start = OutsidePerson.objects.count()
    people = OutsidePerson.objects.bulk_create(
        OutsidePerson(
            community_id=case.community_id,
            name=f"外{i}",
            phone=f"139{i:08d}",
            phone_tail=f"{i:08d}"[-4:],
        )
        for i in range(start, start + direct * (1 + per_contact))
    )
    links = []
    index_side = {"a_resident_id": case.resident_id, "a_outside_id": case.outside_person_id}
    index_key = case.person_key
    for d in range(direct):
        first = people[d]
        links.append(
            ContactLink(
                case=case,
                community_id=case.community_id,
                **index_side,
                a_building_id=case.building_id,
                b_outside=first,
                pair_key="|".join(sorted((index_key, f"o{first.pk}"))),
                met_on=DAY,
                link_type="workplace",
            )
        )
        for k in range(per_contact):
            second = people[direct + d * per_contact + k]
            links.append(
                ContactLink(
                    case=case,
                    community_id=case.community_id,
                    a_outside=first,
                    b_outside=second,
                    pair_key=f"o{first.pk}|o{second.pk}",
                    met_on=DAY,
                    link_type="other",
                )
            )
    ContactLink.objects.bulk_create(links, batch_size=2000)
    return len(people)
