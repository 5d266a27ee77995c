"""API bearer tokens: issued once in clear, stored as a SHA-256 digest, revocable."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from frontline.accounts.models import ApiToken, User

TOKEN_PREFIX = "fl_"  # noqa: S105 - a public marker, not a secret


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def token_create(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Issue a token; the clear text is returned once and never stored."""
    clear = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=clear[:10], digest=_digest(clear))
    return token, clear


def token_revoke(*, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def token_user(clear: str) -> User | None:
    """The active user behind a live token, or None."""
    token = (
        ApiToken.objects.filter(
            digest=_digest(clear), revoked_at__isnull=True, user__is_active=True
        )
        .select_related("user")
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
