"""The one way to write an audit entry."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.contenttypes.models import ContentType
from django.db import models

from frontline.accounts.models import User
from frontline.core.models import AuditAction, AuditEntry
from frontline.core.request_context import current_ip


def audit_record(
    *,
    actor: User | None,
    action: AuditAction,
    target: models.Model | None = None,
    label: str = "",
    community_id: int | None = None,
    fields: Sequence[str] = (),
    reason: str = "",
    details: dict[str, object] | None = None,
) -> AuditEntry:
    """Append one entry. `label` must be safe to show (masked); values are never logged."""
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        action=action,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        target_label=(label or (str(target) if target is not None else ""))[:200],
        community_id=community_id,
        fields=list(fields),
        reason=reason,
        details=details or {},
        ip=current_ip(),
    )
