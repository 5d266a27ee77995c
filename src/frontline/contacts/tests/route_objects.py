"""Objects for the route-by-role access test: a case inside 幸福里 and one in 光明."""

from __future__ import annotations

import datetime as dt

from frontline.contacts.services import case_record, link_record

KINDS = {"contacts:": "case"}
POST_ONLY: set[str] = set()
API_PARAMS = {"case_id": "case"}


def objects(world) -> dict[str, tuple[object, object]]:  # type: ignore[no-untyped-def]
    day = dt.date(2026, 11, 1)
    inside = case_record(
        actor=world.users["admin"], resident=world.zhang, confirmed_on=day, reference="阳性-001"
    )
    link_record(
        actor=world.users["admin"], case=inside, contact_resident=world.li, met_on=day,
        link_type="household",
    )  # fmt: skip
    outside = case_record(
        actor=world.users["other_admin"], resident=world.outsider, confirmed_on=day,
        reference="阳性-002",
    )  # fmt: skip
    return {"case": (inside, outside)}
