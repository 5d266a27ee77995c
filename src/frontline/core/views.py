from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from frontline.accounts.access import Permission, requires, scoped
from frontline.core.http import AuthedRequest
from frontline.core.models import AuditAction, AuditEntry
from frontline.core.pagination import paginate


@requires(Permission.VIEW_AUDIT)
def audit_list(request: AuthedRequest) -> HttpResponse:
    """The audit log of the admin's communities, newest first, filterable."""
    entries = AuditEntry.objects.filter(scoped(request.user, Permission.VIEW_AUDIT, AuditEntry))
    action = request.GET.get("action", "")
    actor = request.GET.get("actor", "").strip()
    target = request.GET.get("q", "").strip()
    if action in AuditAction.values:
        entries = entries.filter(action=action)
    if actor:
        entries = entries.filter(actor__username__icontains=actor)
    if target:
        entries = entries.filter(target_label__icontains=target)
    page = paginate(request, entries.select_related("actor", "target_type"))
    return render(
        request,
        "core/audit.html",
        {
            "page": page,
            "actions": AuditAction.choices,
            "action": action,
            "actor": actor,
            "q": target,
        },
    )
