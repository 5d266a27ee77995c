from __future__ import annotations

from typing import Any

from django import template

from frontline.accounts.access import Permission, has_permission
from frontline.control import selectors, services
from frontline.policy.models import Measure
from frontline.residents.models import Resident

register = template.Library()


@register.filter
def measure_label(value: str) -> str:
    return str(Measure(value).label) if value in Measure.values else value


@register.simple_tag(takes_context=True)
def resident_orders(context: dict[str, Any], resident: Resident) -> dict[str, Any] | None:
    """The resident's orders with today's progress and the evidence in plain words, for viewers
    with VIEW_HEALTH; None otherwise (the section is left out)."""
    request = context["request"]
    if not has_permission(request.user, Permission.VIEW_HEALTH):
        return None
    orders = selectors.resident_orders(viewer=request.user, resident=resident)
    rows = [
        {
            "order": order,
            "progress": selectors.progress(order),
            "evidence": services.order_evidence_words(order),
        }
        for order in orders
    ]
    active = [order for order in orders if order.is_active]
    return {
        "rows": rows,
        "categories": sorted({order.get_category_display() for order in active}),
        "may_manage": has_permission(request.user, Permission.MANAGE_CONTROL),
    }
