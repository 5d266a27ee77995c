from __future__ import annotations

from typing import Any

from django import template

from frontline.accounts.access import Permission, has_permission
from frontline.health.models import Checkin
from frontline.health.selectors import resident_checkins as select_resident_checkins
from frontline.residents.models import Resident

register = template.Library()


@register.simple_tag(takes_context=True)
def resident_checkins(context: dict[str, Any], resident: Resident) -> list[Checkin] | None:
    """The resident's recent check-ins for the signed-in viewer; None when they may not see them."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not has_permission(user, Permission.VIEW_HEALTH):
        return None
    return select_resident_checkins(viewer=user, resident=resident)
