"""Objects behind the control app's object routes, for the route-by-role access test."""

from __future__ import annotations

import datetime as dt

from frontline.contacts.services import case_record, link_record
from frontline.control.models import ControlOrder, OrderTest
from frontline.control.services import order_create
from frontline.policy.models import Category
from frontline.policy.presets import install_presets

KINDS = {
    "control:": "control_order", "control:test": "order_test", "control:transition": "rule_set",
}  # fmt: skip
POST_ONLY: set[str] = set()
API_PARAMS = {"order_id": "control_order", "test_id": "order_test"}


def _order(world, resident, contact, actor) -> ControlOrder:  # type: ignore[no-untyped-def]
    day = dt.date(2022, 7, 1)  # the 9th edition plan, which identifies close contacts
    case = case_record(
        actor=actor, resident=resident, confirmed_on=day, reference=f"阳性-{resident.pk}"
    )
    link = link_record(
        actor=actor, case=case, contact_resident=contact, met_on=day, link_type="household"
    )
    return order_create(actor=actor, evidence=link, category=Category.CLOSE_CONTACT, start=day)


def objects(world) -> dict[str, tuple[object, object]]:  # type: ignore[no-untyped-def]
    from django.apps import apps

    from frontline.conftest import make_household, make_resident

    install_presets(apps.get_model)
    inside = _order(world, world.li, world.zhang, world.users["admin"])
    neighbour = make_resident(
        make_household(world.other_building, "2", "402"), name="钱七",
        document_number="110105198501010012", phone="13811113333",
    )  # fmt: skip
    outside = _order(world, world.outsider, neighbour, world.users["other_admin"])
    return {
        "control_order": (inside, outside),
        "order_test": (
            OrderTest.objects.filter(order=inside)[0],
            OrderTest.objects.filter(order=outside)[0],
        ),
    }
