"""Writes of the health app: household links and check-ins. Typed, keyword-only, atomic."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connections, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Exists, Field, OuterRef, signals
from django.utils import timezone
from django.utils.translation import gettext as _

from frontline.accounts.access import Permission, require
from frontline.accounts.models import User
from frontline.core.audit import audit_record
from frontline.core.files import photo_error, stored_name
from frontline.core.masking import mask_name
from frontline.core.models import AuditAction
from frontline.health import links, rules
from frontline.health.models import (
    Antigen,
    Checkin,
    CheckinSource,
    HouseholdLink,
    Whereabouts,
)
from frontline.places.models import Building, Household
from frontline.residents.models import Resident
from frontline.tasks.models import TaskPriority
from frontline.tasks.services import task_create

CHECKING_IN = links.CHECKING_IN
URGENT_WITHIN = dt.timedelta(hours=1)
ABNORMAL_WITHIN = dt.timedelta(hours=4)


# -- household links ----------------------------------------------------------------------------


def _household_community_id(household: Household) -> int:
    return household.unit.building.community_id


@transaction.atomic
def household_link_issue(*, actor: User, household: Household) -> tuple[HouseholdLink, str]:
    """A new secret link for the household; the household's previous link stops working."""
    require(actor, Permission.RECORD_HEALTH, household)
    Household.objects.select_for_update().filter(pk=household.pk).first()
    now = timezone.now()
    previous = list(
        HouseholdLink.objects.filter(household=household, revoked_at__isnull=True).values_list(
            "pk", flat=True
        )
    )
    HouseholdLink.objects.filter(pk__in=previous).update(
        revoked_at=now, revoked_by=actor, updated_at=now
    )
    salt = links.new_salt()
    token = links.token_for_salt(salt)
    link = HouseholdLink.objects.create(
        household=household, salt=salt, token_hash=links.token_digest(token), issued_by=actor
    )
    audit_record(
        actor=actor, action=AuditAction.CREATE, target=link, label=f"{household.label} · {link}",
        community_id=_household_community_id(household), fields=["household_link"],
        details={"replaced": previous},
    )  # fmt: skip
    return link, token


@transaction.atomic
def household_link_revoke(*, actor: User, link: HouseholdLink) -> HouseholdLink:
    """Stop a link; check-ins made through it stay. Revoking twice changes nothing."""
    require(actor, Permission.RECORD_HEALTH, link)
    link = (
        HouseholdLink.objects.select_for_update()
        .select_related("household__unit__building")
        .get(pk=link.pk)
    )
    if link.revoked_at is not None:
        return link
    link.revoked_at = timezone.now()
    link.revoked_by = actor
    link.save(update_fields=["revoked_at", "revoked_by", "updated_at"])
    audit_record(
        actor=actor, action=AuditAction.UPDATE, target=link, label=f"{link.household.label} · {link}",
        community_id=_household_community_id(link.household), fields=["revoked_at"],
    )  # fmt: skip
    return link


def household_links_print(
    *, actor: User, building: Building, households: Sequence[Household]
) -> list[tuple[Household, str | None]]:
    """The tokens to print for these households (None where there is no active link), audited
    as an export: a printed sheet opens the households' pages to whoever holds it."""
    require(actor, Permission.RECORD_HEALTH, building)
    active = {
        link.household_id: link
        for link in HouseholdLink.objects.filter(
            household__in=[h.pk for h in households], revoked_at__isnull=True
        )
    }
    rows = [
        (household, links.link_token(active[household.pk]) if household.pk in active else None)
        for household in households
    ]
    printed = [household.label for household, token in rows if token]
    if printed:
        audit_record(
            actor=actor, action=AuditAction.EXPORT, target=building, community_id=building.community_id,
            fields=["household_link"], reason=_("Printed household QR codes"),
            details={"households": printed},
        )  # fmt: skip
    return rows


@transaction.atomic
def building_links_issue_missing(*, actor: User, building: Building) -> int:
    """Issue a link to every household of the building that has none; answers how many."""
    require(actor, Permission.RECORD_HEALTH, building)
    active = HouseholdLink.objects.filter(household=OuterRef("pk"), revoked_at__isnull=True)
    households = (
        Household.objects.filter(unit__building=building)
        .exclude(Exists(active))
        .select_related("unit__building")
    )
    issued = 0
    for household in households:
        household_link_issue(actor=actor, household=household)
        issued += 1
    return issued


# -- check-ins ----------------------------------------------------------------------------------


def _clean(
    *,
    temperature: object,
    symptoms: Collection[str],
    antigen: str,
    whereabouts: str,
    photo: UploadedFile | None,
) -> tuple[Decimal | None, list[str]]:
    """Every field checked together; one ValidationError names all the bad ones."""
    errors: dict[str, list[str]] = {}
    value, message = rules.parse_temperature(temperature)
    if message:
        errors["temperature"] = [message]
    elif value is None:
        errors["temperature"] = [_("Enter the temperature.")]
    listed, message = rules.clean_symptoms(symptoms)
    if message:
        errors["symptoms"] = [message]
    if antigen not in Antigen.values:
        errors["antigen"] = [_("Choose the antigen self-test result.")]
    if whereabouts not in Whereabouts.values:
        errors["whereabouts"] = [_("Say whether the person is at home or away.")]
    if photo is not None:
        if antigen == Antigen.NONE and "antigen" not in errors:
            errors["antigen_photo"] = [_("A photo goes with an antigen test result.")]
        elif message := photo_error(photo):
            errors["antigen_photo"] = [message]
    if errors:
        raise ValidationError(errors)
    return value, listed


def checkin_record(
    *,
    resident: Resident,
    temperature: object,
    symptoms: Collection[str] = (),
    antigen: str = Antigen.NONE,
    whereabouts: str = Whereabouts.HOME,
    photo: UploadedFile | None = None,
    source: CheckinSource,
    actor: User | None = None,
    link: HouseholdLink | None = None,
) -> Checkin:
    """Record one check-in, by the household's link or by a worker on the resident's behalf.

    An abnormal check-in makes a task for the responsible worker, once per person per day: a
    later abnormal check-in that day is linked to the same task.
    """
    if link is not None:
        if not link.is_active or resident.household_id != link.household_id:
            raise ValidationError({"member": [_("Choose a member of this household.")]})
    elif actor is not None:
        require(actor, Permission.RECORD_HEALTH, resident)
    else:
        raise ValidationError(_("A check-in is recorded through a household link or by a worker."))
    if resident.status not in CHECKING_IN:
        raise ValidationError({"member": [_("This person no longer lives here.")]})
    value, listed = _clean(
        temperature=temperature, symptoms=symptoms, antigen=antigen, whereabouts=whereabouts,
        photo=photo,
    )  # fmt: skip
    assessment = rules.assess(temperature=value, symptoms=listed, antigen=antigen)
    checkin = Checkin(
        resident=resident, building_id=resident.building_id, community_id=resident.community_id,
        day=timezone.localdate(), temperature=value, symptoms=listed, antigen=antigen,
        whereabouts=whereabouts, source=source, recorded_by=actor, link=link,
        abnormal=assessment.abnormal,
    )  # fmt: skip
    if photo is not None:
        checkin.antigen_photo.save(stored_name(photo, "antigen"), photo, save=False)
    if not assessment.abnormal:
        # One INSERT is atomic by itself; this is the path of almost every check-in, so it
        # spares the transaction's extra round trips.
        checkin.save()
        return checkin
    with transaction.atomic():
        checkin.save()
        _follow_up(checkin=checkin, resident=resident, assessment=assessment, actor=actor)
    return checkin


# The columns a check-in through a link takes from the member's and the link's rows.
_FROM_LINK_ROWS = {
    "resident_id": "r.id",
    "building_id": "r.building_id",
    "community_id": "r.community_id",
    "link_id": "l.id",
}
_RETURNED = ("id", "building_id", "community_id", "link_id")
_LINK_INSERTS: dict[str, tuple[str, tuple[Field[Any, Any], ...]] | None] = {}


def _link_insert(alias: str) -> tuple[str, tuple[Field[Any, Any], ...]] | None:
    """`INSERT INTO check-ins (...) SELECT ... FROM member JOIN link WHERE ...` for this
    database, and the fields whose values are passed; None where it cannot be written so."""
    if alias not in _LINK_INSERTS:
        _LINK_INSERTS[alias] = _link_insert_for(connections[alias])
    return _LINK_INSERTS[alias]


def _link_insert_for(
    connection: BaseDatabaseWrapper,
) -> tuple[str, tuple[Field[Any, Any], ...]] | None:
    fields = tuple(f for f in Checkin._meta.concrete_fields if not f.primary_key)
    if not connection.features.can_return_columns_from_insert:
        return None
    if any(hasattr(f, "get_placeholder") for f in fields):  # a value with its own SQL wrapping
        return None
    quote = connection.ops.quote_name
    column = {f.attname: quote(str(f.column)) for f in Checkin._meta.concrete_fields}
    passed = tuple(f for f in fields if f.attname not in _FROM_LINK_ROWS)
    sql = (
        f"INSERT INTO {quote(Checkin._meta.db_table)} ({', '.join(column[f.attname] for f in fields)}) "  # noqa: S608
        f"SELECT {', '.join(_FROM_LINK_ROWS.get(f.attname, '%s') for f in fields)} "
        f"FROM {quote(Resident._meta.db_table)} r "
        f"JOIN {quote(HouseholdLink._meta.db_table)} l ON l.household_id = r.household_id "
        "WHERE l.token_hash = %s AND l.revoked_at IS NULL AND r.id = %s "
        f"AND r.status IN ({', '.join('%s' for _ in CHECKING_IN)}) "
        f"RETURNING {', '.join(column[name] for name in _RETURNED)}"
    )
    return sql, passed


def checkin_record_by_token(
    *,
    token: str,
    member_id: int,
    temperature: object,
    symptoms: Collection[str] = (),
    antigen: str = Antigen.NONE,
    whereabouts: str = Whereabouts.HOME,
) -> Checkin | None:
    """A normal check-in through a household link (no photo), recorded by one statement that
    inserts it only if the token's digest opens an active link and `member_id` is a member of
    that household who may check in: the same checks as `checkin_record`, without reading the
    rows first (the post almost every household sends every day).

    None, with nothing written, when anything is off: a bad field, an abnormal reading (which
    makes a task), no such link or member. The caller then takes `checkin_record`'s path, which
    says what is wrong or makes the task.
    """
    if not token or len(token) > 64 or not 0 < member_id < 2**63:
        return None
    try:
        value, listed = _clean(
            temperature=temperature, symptoms=symptoms, antigen=antigen, whereabouts=whereabouts,
            photo=None,
        )  # fmt: skip
    except ValidationError:
        return None
    if rules.assess(temperature=value, symptoms=listed, antigen=antigen).abnormal:
        return None
    alias = router.db_for_write(Checkin)
    statement = _link_insert(alias)
    if statement is None:
        return None
    sql, passed = statement
    connection = connections[alias]
    checkin = Checkin(
        resident_id=member_id, day=timezone.localdate(), temperature=value, symptoms=listed,
        antigen=antigen, whereabouts=whereabouts, source=CheckinSource.HOUSEHOLD_LINK,
        abnormal=False,
    )  # fmt: skip
    params = []
    for field in passed:
        param = field.get_db_prep_save(field.pre_save(checkin, add=True), connection=connection)
        if hasattr(param, "resolve_expression"):  # e.g. a database default: the ORM's path
            return None
        params.append(param)
    params += [links.token_digest(token), member_id, *CHECKING_IN]
    signals.pre_save.send(
        sender=Checkin, instance=checkin, raw=False, using=alias, update_fields=None
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    checkin.pk, checkin.building_id, checkin.community_id, checkin.link_id = row
    checkin._state.adding = False  # as `save()` leaves it
    checkin._state.db = alias
    signals.post_save.send(
        sender=Checkin, instance=checkin, created=True, update_fields=None, raw=False, using=alias
    )
    return checkin


def _follow_up(
    *, checkin: Checkin, resident: Resident, assessment: rules.Assessment, actor: User | None
) -> None:
    # Lock the person so that two abnormal check-ins at the same moment make one task.
    Resident.objects.select_for_update().filter(pk=resident.pk).first()
    earlier = (
        Checkin.objects.filter(resident=resident, day=checkin.day, task__isnull=False)
        .exclude(pk=checkin.pk)
        .values_list("task_id", flat=True)
        .first()
    )
    if earlier is None:
        reasons = "、".join(rules.reason_labels(assessment.reasons, checkin.temperature))
        task = task_create(
            title=_("Abnormal check-in: %(name)s (%(reasons)s)") % {"name": resident.name, "reasons": reasons},
            description=_("Call or visit today; the check-in is linked as the evidence. Source: %(source)s.")
            % {"source": checkin.get_source_display()},
            target=resident, source=checkin, actor=actor,
            priority=TaskPriority.URGENT if assessment.urgent else TaskPriority.HIGH,
            due_at=timezone.now() + (URGENT_WITHIN if assessment.urgent else ABNORMAL_WITHIN),
        )  # fmt: skip
        earlier = task.pk
    checkin.task_id = earlier
    checkin.save(update_fields=["task", "updated_at"])


def public_member_label(resident: Resident) -> str:
    """How the household page names a member: the given name with the surname hidden (*三丰)."""
    return mask_name(resident.name)
