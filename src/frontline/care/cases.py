"""Writes and guarded reads of care cases and their notes. Typed, keyword-only, atomic.

Who may do what (accounts.access): `manage_care` opens, assigns, schedules and closes cases;
`counsel` holds cases and writes and reads the notes of one's own; `read_care_notes` (the
supervisor) reads any case's notes in scope. Every read of notes writes an audit entry.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from frontline.accounts.access import Permission, require, scoped
from frontline.accounts.models import RoleAssignment, User
from frontline.care.instruments import Band
from frontline.care.models import (
    RISK_ORDER,
    CareCase,
    CareNote,
    CaseReason,
    CaseStatus,
    Referral,
    ReferralKind,
    RiskLevel,
    Screening,
)
from frontline.care.services import COUNSEL_ROLES, on_duty_counsellor
from frontline.core.audit import audit_record
from frontline.core.models import AuditAction
from frontline.residents.models import Resident
from frontline.tasks.models import TaskPriority
from frontline.tasks.services import task_create

NOTE_MAX = 10_000
MAX_FOLLOW_UPS = 26
CONTACT_HOUR = 10  # follow-up contacts fall due at ten on their day
BAND_RISK = {
    Band.MODERATE: RiskLevel.MEDIUM,
    Band.MODERATELY_SEVERE: RiskLevel.HIGH,
    Band.SEVERE: RiskLevel.HIGH,
}


def _audit(actor: User | None, case: CareCase, action: AuditAction, fields: list[str]) -> None:
    audit_record(
        actor=actor, action=action, target=case, community_id=case.community_id, fields=fields
    )


def counsels_over(user: User, resident_id: int) -> bool:
    """Whether the user holds `counsel` where the person lives."""
    return Resident.objects.filter(
        scoped(user, Permission.COUNSEL, Resident), pk=resident_id
    ).exists()


def _check_counsellor(counsellor: User, resident_id: int) -> None:
    if not counsellor.is_active or not counsels_over(counsellor, resident_id):
        raise ValidationError(
            {"counsellor": [_("Choose a counsellor who works where this person lives.")]}
        )


def counsellor_choices(case: CareCase) -> list[User]:
    """Active users holding `counsel` over the case's community (for the assign form)."""
    over = Q(community_id=case.community_id) | Q(subdistrict_id=case.community.subdistrict_id)
    over |= Q(grid_id=case.building.grid_id) | Q(building_id=case.building_id)
    holders = RoleAssignment.objects.filter(over, role__in=COUNSEL_ROLES).values("user_id")
    return list(User.objects.filter(is_active=True, pk__in=holders).order_by("username"))


@transaction.atomic
def case_open(
    *,
    actor: User,
    resident: Resident,
    reason: str,
    risk: str,
    plan: str = "",
    counsellor: User | None = None,
) -> CareCase:
    """Open a case (a referral, a help-desk request, a self-referral); one open case per person."""
    require(actor, Permission.MANAGE_CARE, resident)
    errors: dict[str, list[str]] = {}
    if reason not in CaseReason.values:
        errors["reason"] = [_("Choose why the case is opened.")]
    if risk not in RiskLevel.values:
        errors["risk"] = [_("Choose a risk level.")]
    if errors:
        raise ValidationError(errors)
    if CareCase.objects.filter(resident=resident, status=CaseStatus.OPEN).exists():
        raise ValidationError({"resident": [_("This person already has an open care case.")]})
    if counsellor is not None:
        _check_counsellor(counsellor, resident.pk)
    chosen = counsellor or on_duty_counsellor(
        community_id=resident.community_id, building=resident.building
    )
    try:
        with transaction.atomic():
            case = CareCase.objects.create(
                resident=resident, community_id=resident.community_id,
                building_id=resident.building_id, counsellor=chosen, risk=risk, reason=reason,
                plan=plan.strip(), opened_by=actor,
            )  # fmt: skip
    except IntegrityError:
        raise ValidationError(
            {"resident": [_("This person already has an open care case.")]}
        ) from None
    _audit(actor, case, AuditAction.CREATE, ["care_case"])
    return case


def _open_or_raise(
    *, resident: Resident, risk: RiskLevel, reason: CaseReason, actor: User | None,
    screening: Screening | None = None,
) -> tuple[CareCase, bool]:  # fmt: skip
    """The person's open case with its risk raised to `risk` (never lowered), or a new one for
    the counsellor on duty; True when it was opened now."""
    case = (
        CareCase.objects.select_for_update()
        .filter(resident=resident, status=CaseStatus.OPEN)
        .first()
    )
    if case is None:
        case = CareCase.objects.create(
            resident=resident, community_id=resident.community_id,
            building_id=resident.building_id, risk=risk, reason=reason,
            screening=screening, opened_by=actor,
            counsellor=on_duty_counsellor(community_id=resident.community_id, building=resident.building),
        )  # fmt: skip
        _audit(actor, case, AuditAction.CREATE, ["care_case"])
        return case, True
    if RISK_ORDER[risk] > RISK_ORDER[RiskLevel(case.risk)]:
        case.risk = risk
        case.save(update_fields=["risk", "updated_at"])
        _audit(actor, case, AuditAction.UPDATE, ["risk"])
    return case, False


def case_from_screening(
    *, screening: Screening, resident: Resident, actor: User | None
) -> CareCase:
    """Open the person's case from a moderate or worse (or urgent) screening, or raise the risk
    of the open one; a screening never lowers a risk. Runs inside `screening_record`."""
    risk = RiskLevel.CRISIS if screening.urgent else BAND_RISK[Band(screening.band)]
    case, _opened = _open_or_raise(
        resident=resident, risk=risk, reason=CaseReason.SCREENING, actor=actor,
        screening=screening,
    )  # fmt: skip
    return case


@transaction.atomic
def case_from_request(
    *, resident: Resident, text: str, urgent: bool, alarming: bool, due_at: dt.datetime,
    actor: User | None,
) -> CareCase:  # fmt: skip
    """A psychological help-desk request reaches psychological support: the person's case is
    opened or its risk raised (crisis when the request is `alarming`: its words matched a triage
    keyword or the worker who took it said it was urgent; high when it is urgent only because
    the person is vulnerable; else medium), and its counsellor gets a task to contact them with
    what they asked, urgent for an urgent request. The request stays with its help-desk owner."""
    risk = RiskLevel.CRISIS if alarming else RiskLevel.HIGH if urgent else RiskLevel.MEDIUM
    case, _opened = _open_or_raise(
        resident=resident, risk=risk, reason=CaseReason.HELPDESK, actor=actor
    )
    if case.counsellor_id is not None:
        task_create(
            title=_("Help-desk request for psychological support: contact %(name)s")
            % {"name": resident.name},
            description=text[:500], target=resident, source=case, owner=case.counsellor,
            actor=actor, priority=TaskPriority.URGENT if urgent else TaskPriority.HIGH,
            due_at=due_at,
        )  # fmt: skip
    return case


@transaction.atomic
def case_assign(*, actor: User, case: CareCase, counsellor: User) -> CareCase:
    require(actor, Permission.MANAGE_CARE, case)
    case = CareCase.objects.select_for_update().get(pk=case.pk)
    if not case.is_open:
        raise ValidationError(_("This case is closed."))
    _check_counsellor(counsellor, case.resident_id)
    case.counsellor = counsellor
    case.save(update_fields=["counsellor", "updated_at"])
    _audit(actor, case, AuditAction.UPDATE, ["counsellor"])
    return case


@transaction.atomic
def case_set_risk(*, actor: User, case: CareCase, risk: str, plan: str | None = None) -> CareCase:
    """The counsellor's or a manager's judgement of the risk, and the plan."""
    require(actor, Permission.MANAGE_CARE, case)
    if risk not in RiskLevel.values:
        raise ValidationError({"risk": [_("Choose a risk level.")]})
    case = CareCase.objects.select_for_update().get(pk=case.pk)
    case.risk = risk
    fields = ["risk"]
    if plan is not None:
        case.plan = plan.strip()
        fields.append("plan")
    case.save(update_fields=[*fields, "updated_at"])
    _audit(actor, case, AuditAction.UPDATE, fields)
    return case


@transaction.atomic
def case_schedule(
    *, actor: User, case: CareCase, every_days: object, times: object, start: dt.date | None = None
) -> list[dt.date]:
    """Plan follow-up contacts (e.g. weekly for 4 weeks): one task per contact for the case's
    counsellor, and the case's next contact date. Answers the dates."""
    require(actor, Permission.MANAGE_CARE, case)
    errors: dict[str, list[str]] = {}
    if not isinstance(every_days, int) or isinstance(every_days, bool) or not 1 <= every_days <= 31:
        errors["every_days"] = [_("Enter a number of days from 1 to 31.")]
    if not isinstance(times, int) or isinstance(times, bool) or not 1 <= times <= MAX_FOLLOW_UPS:
        errors["times"] = [_("Enter a number of contacts from 1 to 26.")]
    if errors:
        raise ValidationError(errors)
    assert isinstance(every_days, int) and isinstance(times, int)  # checked above
    case = CareCase.objects.select_for_update().select_related("resident").get(pk=case.pk)
    if not case.is_open:
        raise ValidationError(_("This case is closed."))
    first = start or timezone.localdate() + dt.timedelta(days=every_days)
    days = [first + dt.timedelta(days=every_days * n) for n in range(times)]
    for number, day in enumerate(days, start=1):
        task_create(
            title=_("Care follow-up %(n)d of %(m)d: %(name)s")
            % {"n": number, "m": times, "name": case.resident.name},
            target=case.resident, source=case, owner=case.counsellor, actor=actor,
            priority=TaskPriority.HIGH if case.risk in (RiskLevel.HIGH, RiskLevel.CRISIS)
            else TaskPriority.NORMAL,
            due_at=timezone.make_aware(dt.datetime.combine(day, dt.time(CONTACT_HOUR))),
        )  # fmt: skip
    case.next_contact_on = days[0]
    case.save(update_fields=["next_contact_on", "updated_at"])
    _audit(actor, case, AuditAction.UPDATE, ["next_contact_on"])
    return days


@transaction.atomic
def case_close(*, actor: User, case: CareCase, reason: str = "") -> CareCase:
    """Close a case: after a final re-screen (a screening of the person since the case opened),
    or with a reason."""
    require(actor, Permission.MANAGE_CARE, case)
    case = CareCase.objects.select_for_update().get(pk=case.pk)
    if not case.is_open:
        raise ValidationError(_("This case is already closed."))
    later = Screening.objects.filter(resident_id=case.resident_id, created_at__gt=case.created_at)
    if case.screening_id is not None:
        later = later.exclude(pk=case.screening_id)
    final = later.order_by("-created_at", "-id").first()
    if final is None and not reason.strip():
        raise ValidationError(
            {
                "reason": [
                    _("Screen the person once more before closing, or say why the case closes.")
                ]
            }
        )
    case.status = CaseStatus.CLOSED
    case.closed_at = timezone.now()
    case.close_reason = reason.strip()
    case.closing_screening = final
    case.next_contact_on = None
    case.save(
        update_fields=[
            "status", "closed_at", "close_reason", "closing_screening", "next_contact_on",
            "updated_at",
        ]
    )  # fmt: skip
    _audit(actor, case, AuditAction.UPDATE, ["status"])
    return case


# -- notes --------------------------------------------------------------------------------------


def may_read_notes(user: User, case: CareCase) -> bool:
    """The case's own counsellor (holding `counsel` there), or a holder of `read_care_notes`."""
    if case.counsellor_id == user.pk and counsels_over(user, case.resident_id):
        return True
    return CareCase.objects.filter(
        scoped(user, Permission.READ_CARE_NOTES, CareCase), pk=case.pk
    ).exists()


def case_notes_read(*, actor: User, case: CareCase) -> list[CareNote]:
    """The case's notes, for those allowed; every read is audited. Others get 403 inside their
    scope (they may know the case exists) and 404 outside it."""
    require(actor, Permission.VIEW_CARE, case)
    if not may_read_notes(actor, case):
        raise PermissionDenied
    notes = list(CareNote.objects.filter(case=case).select_related("author"))
    audit_record(
        actor=actor, action=AuditAction.REVEAL, target=case, community_id=case.community_id,
        fields=["care_notes"], details={"notes": len(notes)},
    )  # fmt: skip
    return notes


@transaction.atomic
def note_add(*, actor: User, case: CareCase, body: str) -> CareNote:
    """A note by the case's own counsellor."""
    require(actor, Permission.COUNSEL, case)
    if case.counsellor_id != actor.pk:
        raise PermissionDenied
    text = body.strip()
    if not text:
        raise ValidationError({"body": [_("Write the note.")]})
    if len(text) > NOTE_MAX:
        raise ValidationError({"body": [_("A note is at most 10,000 characters.")]})
    note = CareNote.objects.create(case=case, author=actor, body=text)
    _audit(actor, case, AuditAction.CREATE, ["care_note"])
    return note


# -- referrals ----------------------------------------------------------------------------------

ORGANISATION_MAX = Referral._meta.get_field("organisation").max_length or 100


@transaction.atomic
def referral_make(*, actor: User, case: CareCase, kind: str, organisation: str) -> Referral:
    """Hand an open case on to a partner organisation (the case stays open until closed)."""
    require(actor, Permission.MANAGE_CARE, case)
    case = CareCase.objects.select_for_update().get(pk=case.pk)
    errors: dict[str, list[str]] = {}
    if not case.is_open:
        errors["case"] = [_("This case is already closed.")]
    if kind not in ReferralKind.values:
        errors["kind"] = [_("Choose the kind of organisation.")]
    name = organisation.strip()
    if not name or len(name) > ORGANISATION_MAX:
        errors["organisation"] = [_("Name the organisation (at most 100 characters).")]
    if errors:
        raise ValidationError(errors)
    referral = Referral.objects.create(case=case, kind=kind, organisation=name, referred_by=actor)
    _audit(actor, case, AuditAction.UPDATE, ["referrals"])
    return referral


@transaction.atomic
def referral_outcome(*, actor: User, referral: Referral, outcome: str) -> Referral:
    """Record what came of a referral (admitted, declined, seen twice...); once."""
    require(actor, Permission.MANAGE_CARE, referral.case)
    referral = Referral.objects.select_for_update().select_related("case").get(pk=referral.pk)
    if referral.outcome_at is not None:
        raise ValidationError({"outcome": [_("This referral's outcome is already recorded.")]})
    if not outcome.strip():
        raise ValidationError({"outcome": [_("Say what came of the referral.")]})
    referral.outcome = outcome.strip()
    referral.outcome_at = timezone.now()
    referral.save(update_fields=["outcome", "outcome_at"])
    _audit(actor, referral.case, AuditAction.UPDATE, ["referrals"])
    return referral
