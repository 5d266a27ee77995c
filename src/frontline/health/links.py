"""Household link tokens: derived from a stored salt under the secret key, looked up by digest."""

from __future__ import annotations

import base64
import hashlib
import secrets

from django.db import connections, router
from django.utils.crypto import salted_hmac

from frontline.health.models import HouseholdLink
from frontline.residents.models import Resident, ResidentStatus

CHECKING_IN = (ResidentStatus.PRESENT, ResidentStatus.AWAY)
# What the household page and a check-in need of a member (names are shown masked).
MEMBER_FIELDS = (
    "id",
    "name",
    "household_id",
    "building_id",
    "community_id",
    "status",
    "birth_date",
)

LINK_HMAC_NAMESPACE = "frontline.health.household-link"


def new_salt() -> str:
    return secrets.token_hex(16)


def token_for_salt(salt: str) -> str:
    """22 URL-safe characters (128 bits) that only this installation's secret key can derive."""
    digest = salted_hmac(LINK_HMAC_NAMESPACE, salt, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest[:16]).decode().rstrip("=")


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_token(link: HouseholdLink) -> str:
    return token_for_salt(link.salt)


def active_link(token: str) -> HouseholdLink | None:
    """The unrevoked link a token opens; None for anything else. (The hottest query of the
    household page: one row by a unique index, only the columns the page needs.)"""
    if not token or len(token) > 64:
        return None
    found = list(
        HouseholdLink.objects.filter(token_hash=token_digest(token), revoked_at__isnull=True)
        .only("id", "household_id", "revoked_at")
        .order_by()[:1]
    )
    return found[0] if found else None


def _members_query() -> tuple[str, tuple[str, ...]]:
    """The SQL of `household_by_token` and the member columns it selects, in the order of the
    model's fields (what `Model.from_db` expects)."""
    columns = tuple(
        field.attname for field in Resident._meta.concrete_fields if field.attname in MEMBER_FIELDS
    )
    sql = (
        f"SELECT {', '.join(f'r.{column}' for column in columns)}, l.id "  # noqa: S608
        f"FROM {Resident._meta.db_table} r "
        f"JOIN {HouseholdLink._meta.db_table} l ON l.household_id = r.household_id "
        "WHERE l.token_hash = %s AND l.revoked_at IS NULL AND r.status IN (%s, %s) "
        "ORDER BY r.birth_date, r.id"
    )
    return sql, columns


_MEMBERS_QUERY: tuple[str, tuple[str, ...]] | None = None


def household_by_token(token: str) -> tuple[HouseholdLink, list[Resident]] | None:
    """The active link a token opens and its household's members who may check in, in one
    query; None for an unknown or revoked token. (The household page's hot path.)"""
    global _MEMBERS_QUERY
    if not token or len(token) > 64:
        return None
    # Written out and read through a plain cursor: building this join through the query
    # compiler (or a raw queryset) cost more than running it, on the page every household
    # opens every day. The columns are plain values (ids, text, a date) on every backend.
    if _MEMBERS_QUERY is None:
        _MEMBERS_QUERY = _members_query()
    sql, columns = _MEMBERS_QUERY
    alias = router.db_for_read(Resident)
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, [token_digest(token), *CHECKING_IN])
        rows = cursor.fetchall()
    if rows:
        household_id = rows[0][columns.index("household_id")]
        link = HouseholdLink(id=rows[0][-1], household_id=household_id)
        link._state.adding = False
        link._state.db = alias
        members = [Resident.from_db(alias, columns, row[:-1]) for row in rows]
        return link, members
    found = active_link(token)  # a household whose members all moved out still opens
    return (found, []) if found is not None else None
