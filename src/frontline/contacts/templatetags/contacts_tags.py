from __future__ import annotations

from typing import Any

from django import template

from frontline.accounts.access import Permission, has_permission
from frontline.contacts.selectors import resident_contacts as resident_contacts_of
from frontline.residents.models import Resident

register = template.Library()


@register.inclusion_tag("contacts/resident_contacts.html", takes_context=True)
def resident_contacts(context: dict[str, Any], resident: Resident) -> dict[str, Any]:
    """The resident's cases and contact links, for viewers with VIEW_HEALTH; nothing otherwise."""
    request = context["request"]
    if not has_permission(request.user, Permission.VIEW_HEALTH):
        return {"contacts": None}
    return {"contacts": resident_contacts_of(viewer=request.user, resident=resident)}
