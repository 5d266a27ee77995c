"""The only writes of control orders: create from evidence, extend, transfer, record a test,
release. Each one checks scope with `require`, locks the order, appends an `OrderEvent` and an
audit entry. There is no other way to set an order's status or a person's category."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from frontline.accounts.access import Permission, require
from frontline.accounts.models import User
from frontline.contacts.chain import breadth_first
from frontline.contacts.models import ContactLink
from frontline.control import arithmetic
from frontline.control.models import (
    ControlOrder,
    EventKind,
    OrderEvent,
    OrderStatus,
    OrderTest,
    SampleResult,
)
from frontline.core.audit import audit_record
from frontline.core.files import WEBP, stored_name, upload_kind
from frontline.core.models import AuditAction
from frontline.health.models import Antigen, Checkin
from frontline.policy.models import Category, ZoneLevel
from frontline.policy.rules import Outcome
from frontline.policy.selectors import rule_set_in_force, schedule
from frontline.residents.models import Resident
from frontline.sampling.models import Sample, TubeResult
from frontline.tasks.models import ACTIVE_STATUSES, TaskPriority, TaskStatus
from frontline.tasks.services import task_cancel, task_create, task_follow
from frontline.travel.models import TripMatch

DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
MAX_EXTENSION_DAYS = 60
TASK_HOUR = 9  # sampling tasks fall due at nine on their day


@dataclass(frozen=True)
class DocumentEvidence:
    """A documented order from the sub-district: the uploaded file and its reference number."""

    resident: Resident
    file: UploadedFile
    reference: str


Evidence = ContactLink | TripMatch | Checkin | Sample | DocumentEvidence

ARRIVAL_CATEGORY = {
    ZoneLevel.HIGH: Category.ARRIVAL_HIGH_RISK,
    ZoneLevel.SEALED: Category.ARRIVAL_HIGH_RISK,
    ZoneLevel.MEDIUM: Category.ARRIVAL_MEDIUM_RISK,
    ZoneLevel.CONTROLLED: Category.ARRIVAL_MEDIUM_RISK,
    ZoneLevel.LOW: Category.ARRIVAL_LOW_RISK,
    ZoneLevel.PRECAUTION: Category.ARRIVAL_LOW_RISK,
}
DEGREE_CATEGORY = {1: Category.CLOSE_CONTACT, 2: Category.CONTACT_OF_CONTACT}


# -- evidence -----------------------------------------------------------------------------------


Edges = dict[int, list[tuple[str, str]]]  # case id -> its links as (person key, person key)


def case_edges(case_ids: Iterable[int]) -> Edges:
    """The recorded links of these cases, in one query (for a list of evidence in words)."""
    edges: Edges = {case_id: [] for case_id in case_ids}
    for case_id, a_r, a_o, b_r, b_o in (
        ContactLink.objects.filter(case_id__in=list(edges))
        .order_by("id")
        .values_list("case_id", "a_resident_id", "a_outside_id", "b_resident_id", "b_outside_id")
    ):
        edges[case_id].append((f"r{a_r}" if a_r else f"o{a_o}", f"r{b_r}" if b_r else f"o{b_o}"))
    return edges


def contact_degree(link: ContactLink, *, edges: Edges | None = None) -> int | None:
    """The degree of the link's contact (side b) in its case's chain of recorded links."""
    if edges is None or link.case_id not in edges:
        edges = case_edges([link.case_id])
    reached = breadth_first(link.case.person_key, edges[link.case_id])
    found = reached.get(link.b_key)
    return found[0] if found else None


def evidence_resident(evidence: Evidence) -> Resident | None:
    if isinstance(evidence, ContactLink):
        return evidence.b_resident
    if isinstance(evidence, DocumentEvidence):
        return evidence.resident
    return evidence.resident


def categories_for(evidence: Evidence) -> list[Category]:
    """The categories this evidence supports: one for recorded evidence, any for a document."""
    if isinstance(evidence, ContactLink):
        category = DEGREE_CATEGORY.get(contact_degree(evidence) or 0)
        return [category] if category else []
    if isinstance(evidence, TripMatch):
        level = evidence.area.level
        return [ARRIVAL_CATEGORY[ZoneLevel(level)]] if level in ZoneLevel.values else []
    if isinstance(evidence, Checkin):
        return [Category.CONFIRMED_CASE] if evidence.antigen == Antigen.POSITIVE else []
    if isinstance(evidence, Sample):
        return [Category.CONFIRMED_CASE] if is_positive_single(evidence) else []
    return list(Category)


def is_positive_single(sample: Sample) -> bool:
    """A swab alone in a tube that tested positive: the person's own result. (A positive pool
    says only that someone in it is positive; its people are held and re-sampled one per tube.)"""
    return sample.tube.result == TubeResult.POSITIVE and sample.tube.size == 1


def _document_error(upload: UploadedFile) -> str | None:
    if upload.size is None or upload.size > DOCUMENT_MAX_BYTES:
        return _("The document is larger than 10 MB.")
    kind = upload_kind(upload)
    if kind is None or kind == WEBP:
        return _("Send the document as a PDF, JPEG or PNG file.")
    return None


def evidence_errors(evidence: Evidence, category: str) -> dict[str, list[str]]:
    """Every way the evidence fails to support an order of `category`, keyed by field."""
    errors: dict[str, list[str]] = {}
    if category not in Category.values:
        errors["category"] = [_("Choose a category.")]
    if isinstance(evidence, ContactLink) and evidence.b_resident_id is None:
        errors["evidence"] = [_("The contact is not a resident on the roster.")]
    elif isinstance(evidence, Checkin) and evidence.antigen != Antigen.POSITIVE:
        errors["evidence"] = [_("Only a positive antigen result is evidence for an order.")]
    elif isinstance(evidence, Sample) and not is_positive_single(evidence):
        errors["evidence"] = [
            _(
                "Only a positive single tube is evidence for an order; re-sample a pool one per tube."
            )
        ]
    elif isinstance(evidence, DocumentEvidence):
        if not evidence.reference.strip():
            errors["reference"] = [_("Enter the document's reference number.")]
        if message := _document_error(evidence.file):
            errors["document"] = [message]
    supported = category in Category.values and Category(category) in categories_for(evidence)
    if "evidence" not in errors and category in Category.values and not supported:
        errors.setdefault("category", []).append(_("The evidence does not support this category."))
    return errors


def evidence_words(evidence: Evidence, *, edges: Edges | None = None) -> str:
    """The evidence in words a resident could be shown: no other person's name."""
    if isinstance(evidence, ContactLink):
        degree = contact_degree(evidence, edges=edges)
        kind = _("close contact") if degree == 1 else _("contact of a close contact")
        return _("Recorded as a %(kind)s of confirmed case %(reference)s, met on %(day)s.") % {
            "kind": kind, "reference": evidence.case.reference,
            "day": evidence.met_on.isoformat(),
        }  # fmt: skip
    if isinstance(evidence, TripMatch):
        return _("Stayed in %(area)s (%(level)s) from %(first)s to %(last)s.") % {
            "area": evidence.area.name, "level": evidence.area.get_level_display(),
            "first": evidence.first_day.isoformat(), "last": evidence.last_day.isoformat(),
        }  # fmt: skip
    if isinstance(evidence, Checkin):
        return _("Positive antigen self-test reported on %(day)s.") % {
            "day": evidence.day.isoformat()
        }
    if isinstance(evidence, Sample):
        return _("Positive nucleic-acid test, tube %(code)s, sampled on %(day)s.") % {
            "code": evidence.tube.barcode,
            "day": timezone.localtime(evidence.sampled_at).date().isoformat(),
        }
    return _("Documented order %(reference)s from the sub-district.") % {
        "reference": evidence.reference.strip()
    }


def order_evidence(order: ControlOrder) -> Evidence | None:
    if order.contact_link_id:
        return order.contact_link
    if order.trip_match_id:
        return order.trip_match
    if order.checkin_id:
        return order.checkin
    if order.sample_id:
        return order.sample
    return None


def order_evidence_words(order: ControlOrder, *, edges: Edges | None = None) -> str:
    evidence = order_evidence(order)
    if evidence is not None:
        return evidence_words(evidence, edges=edges)
    return _("Documented order %(reference)s from the sub-district.") % {
        "reference": order.document_reference
    }


# -- create -------------------------------------------------------------------------------------


def _due(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(TASK_HOUR)))


def _sampling_title(resident: Resident, test: OrderTest, order: ControlOrder) -> str:
    number = (test.day - order.start_on).days + 1
    return _("Sample %(name)s: control order test, day %(n)d of %(m)d") % {
        "name": resident.name, "n": number, "m": order.total_days,
    }  # fmt: skip


def test_add(
    *, actor: User, order: ControlOrder, test: arithmetic.PlannedTest,
    phases: Sequence[arithmetic.PhaseSnapshot],
) -> OrderTest:  # fmt: skip
    """A test day of `order` (its phases already saved) with its sampling task, due that day."""
    row = OrderTest.objects.create(
        order=order, day=test.day, phase_index=test.phase_index, day_in_phase=test.day_in_phase,
        measure=phases[test.phase_index].measure,
    )  # fmt: skip
    row.task = task_create(
        title=_sampling_title(order.resident, row, order), target=order.resident, source=row,
        due_at=_due(row.day), priority=TaskPriority.HIGH, actor=actor,
    )  # fmt: skip
    row.save(update_fields=["task"])
    return row


test_add.__test__ = False  # type: ignore[attr-defined]


def audit_order(
    *, actor: User, order: ControlOrder, action: AuditAction, fields: Sequence[str], reason: str,
    details: dict[str, object] | None = None,
) -> None:  # fmt: skip
    audit_record(
        actor=actor, action=action, target=order, community_id=order.community_id,
        fields=list(fields), reason=reason, details=details,
    )  # fmt: skip


@transaction.atomic
def order_create(
    *,
    actor: User,
    evidence: Evidence,
    category: Category | str,
    start: dt.date | None,
    resident: Resident | None = None,
    reason: str = "",
) -> ControlOrder:
    """Put a resident under control from evidence, with the rule set in force on `start`.

    The evidence must name the resident (when `resident` is given, the same one) and support the
    category; a second active order of the same category for the same resident is refused.
    Each test day gets an `OrderTest` and a sampling task.
    """
    person = evidence_resident(evidence)
    errors = evidence_errors(evidence, str(category))
    if resident is not None and person is not None and person.pk != resident.pk:
        errors.setdefault("evidence", []).append(_("The evidence is about someone else."))
    if person is None:
        errors.setdefault("evidence", [_("The evidence names no resident.")])
        raise ValidationError(errors)
    require(actor, Permission.MANAGE_CONTROL, person)
    person = Resident.objects.select_for_update().get(pk=person.pk)
    rule_set = None
    planned = None
    if start is None:
        errors["start"] = [_("Enter the start date.")]
    else:
        rule_set = rule_set_in_force(start)
        if rule_set is None:
            errors["start"] = [_("No rule set is in force on this date.")]
        elif "category" not in errors:
            planned = schedule(rule_set=rule_set, category=category, start=start)
            if planned.outcome is Outcome.NOT_IDENTIFIED:
                errors["category"] = [
                    _("%(rules)s does not identify people in this category.")
                    % {"rules": rule_set.name}
                ]
            elif planned.outcome is Outcome.NO_RULE or not planned.phases:
                errors["category"] = [
                    _("%(rules)s has no rule for this category.") % {"rules": rule_set.name}
                ]
    if (
        "category" not in errors
        and ControlOrder.objects.filter(
            resident=person, category=category, status=OrderStatus.ACTIVE
        ).exists()
    ):
        errors["category"] = [_("This resident already has an active order of this category.")]
    if errors:
        raise ValidationError(errors)
    assert start is not None and rule_set is not None and planned is not None
    phases = arithmetic.phases_from(
        (
            (phase.measure, phase.days, [(day - phase.start).days + 1 for day in phase.test_dates])
            for phase in planned.phases
        ),
        start,
    )
    order = ControlOrder(
        resident=person, community_id=person.community_id, building_id=person.building_id,
        category=category, rule_set=rule_set, start_on=start,
        release_on=arithmetic.release_date(phases, start), total_days=arithmetic.total_days(phases),
        phases=[phase.as_json() for phase in phases],
        measures=",".join(dict.fromkeys(phase.measure for phase in phases)),
        created_by=actor,
    )  # fmt: skip
    evidence_label = evidence_words(evidence)
    if isinstance(evidence, ContactLink):
        order.contact_link = evidence
    elif isinstance(evidence, TripMatch):
        order.trip_match = evidence
    elif isinstance(evidence, Checkin):
        order.checkin = evidence
    elif isinstance(evidence, Sample):
        order.sample = evidence
    else:
        order.document_reference = evidence.reference.strip()
        order.document.save(stored_name(evidence.file, "order"), evidence.file, save=False)
    try:
        with transaction.atomic():
            order.save()
    except IntegrityError as error:  # a second active order of the category, meanwhile
        raise ValidationError(
            {"category": [_("This resident already has an active order of this category.")]}
        ) from error
    for test in arithmetic.planned_tests(phases):
        test_add(actor=actor, order=order, test=test, phases=phases)
    OrderEvent.objects.create(
        order=order, kind=EventKind.CREATED, actor=actor, reason=reason.strip(),
        evidence=evidence_label[:300],
        details={"category": str(category), "rule_set": rule_set.name, "start": start.isoformat(),
                 "release_on": order.release_on.isoformat()},
    )  # fmt: skip
    audit_order(
        actor=actor, order=order, action=AuditAction.CREATE,
        fields=["category", "start_on", "release_on", "status"], reason=reason.strip(),
        details={"evidence": order.evidence_kind.value},
    )  # fmt: skip
    return order


# -- changes ------------------------------------------------------------------------------------


def _locked_active(order: ControlOrder) -> ControlOrder:
    locked = ControlOrder.objects.select_for_update().select_related("resident").get(pk=order.pk)
    if locked.status != OrderStatus.ACTIVE:
        raise ValidationError({"status": [_("This order is already closed.")]})
    return locked


@transaction.atomic
def order_extend(
    *, actor: User, order: ControlOrder, days: int | None, reason: str, evidence: str
) -> ControlOrder:
    """Lengthen the order's last phase by `days`; reason and evidence are both required."""
    require(actor, Permission.MANAGE_CONTROL, order)
    order = _locked_active(order)
    errors: dict[str, list[str]] = {}
    if not isinstance(days, int) or not 1 <= days <= MAX_EXTENSION_DAYS:
        errors["days"] = [_("Extend by 1 to %(max)d days.") % {"max": MAX_EXTENSION_DAYS}]
    if not reason.strip():
        errors["reason"] = [_("Say why the order is extended.")]
    if not evidence.strip():
        errors["evidence"] = [_("Name the evidence for the extension (a result, a document).")]
    if errors:
        raise ValidationError(errors)
    assert days is not None
    phases = arithmetic.extended(order.phase_snapshots, days)
    before = order.release_on
    order.phases = [phase.as_json() for phase in phases]
    order.release_on = arithmetic.release_date(phases, order.start_on)
    order.total_days = arithmetic.total_days(phases)
    order.save(update_fields=["phases", "release_on", "total_days", "updated_at"])
    OrderEvent.objects.create(
        order=order, kind=EventKind.EXTENDED, actor=actor, reason=reason.strip(),
        evidence=evidence.strip()[:300],
        details={"days": days, "release_before": before.isoformat(),
                 "release_on": order.release_on.isoformat()},
    )  # fmt: skip
    audit_order(
        actor=actor, order=order, action=AuditAction.UPDATE,
        fields=["phases", "release_on"], reason=reason.strip(), details={"days": days},
    )  # fmt: skip
    return order


def _close_open_tasks(*, actor: User, order: ControlOrder, note: str) -> int:
    """Cancel the sampling tasks of tests still waiting; a closed order needs no more samples."""
    cancelled = 0
    for test in order.tests.filter(result=SampleResult.PENDING).select_related("task"):
        if test.task is not None and test.task.status in ACTIVE_STATUSES:
            task_cancel(actor=actor, task=test.task, note=note)
            cancelled += 1
    return cancelled


@transaction.atomic
def order_transfer(*, actor: User, order: ControlOrder, reason: str) -> ControlOrder:
    """Close the order because the resident went to hospital; pending sampling tasks are cancelled."""
    require(actor, Permission.MANAGE_CONTROL, order)
    order = _locked_active(order)
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why and where the resident was transferred.")]})
    order.status = OrderStatus.TRANSFERRED
    order.closed_at = timezone.now()
    order.save(update_fields=["status", "closed_at", "updated_at"])
    cancelled = _close_open_tasks(
        actor=actor, order=order, note=_("The resident was transferred to hospital.")
    )
    OrderEvent.objects.create(
        order=order, kind=EventKind.TRANSFERRED, actor=actor, reason=reason.strip(),
        details={"tasks_cancelled": cancelled},
    )  # fmt: skip
    audit_order(
        actor=actor, order=order, action=AuditAction.UPDATE, fields=["status"],
        reason=reason.strip(), details={"status": OrderStatus.TRANSFERRED.value},
    )  # fmt: skip
    return order


@transaction.atomic
def order_record_test(
    *, actor: User, test: OrderTest, result: str, sample_reference: str = ""
) -> OrderTest:
    """Record a test day's result. A positive result is itself evidence: it is logged and makes
    an urgent task; it does not change the order or the category by itself."""
    require(actor, Permission.RECORD_TESTS, test.order)
    test = (
        OrderTest.objects.select_for_update(of=("self",))  # the task is an outer join
        .select_related("order__resident", "task")
        .get(pk=test.pk)
    )
    errors: dict[str, list[str]] = {}
    if result not in (SampleResult.NEGATIVE, SampleResult.POSITIVE):
        errors["result"] = [_("Choose negative or positive.")]
    if test.result != SampleResult.PENDING:
        errors["result"] = [_("This test already has a result.")]
    if len(sample_reference.strip()) > 100:
        errors["sample_reference"] = [_("The sample reference is at most 100 characters.")]
    if errors:
        raise ValidationError(errors)
    test.result = result
    test.sample_reference = sample_reference.strip()
    test.recorded_by = actor
    test.recorded_at = timezone.now()
    test.save(update_fields=["result", "sample_reference", "recorded_by", "recorded_at"])
    order = test.order
    if test.task is not None:  # the sampler who records the result finishes its sampling task
        task_follow(
            actor=actor, task=test.task, to_status=TaskStatus.DONE, note=test.get_result_display()
        )
    evidence = _("Test on %(day)s: %(result)s") % {
        "day": test.day.isoformat(), "result": test.get_result_display(),
    }  # fmt: skip
    if test.sample_reference:
        evidence = f"{evidence} ({test.sample_reference})"
    OrderEvent.objects.create(
        order=order, kind=EventKind.TEST_RECORDED, actor=actor, evidence=evidence[:300], test=test,
        details={"result": result, "day": test.day.isoformat()},
    )  # fmt: skip
    if result == SampleResult.POSITIVE:
        task_create(
            title=_("Positive test of %(name)s under control order: act now") % {
                "name": order.resident.name
            },
            target=order.resident, source=test, priority=TaskPriority.URGENT, actor=actor,
            description=evidence,
        )  # fmt: skip
    audit_order(
        actor=actor, order=order, action=AuditAction.UPDATE, fields=["tests"], reason="",
        details={"test_day": test.day.isoformat(), "result": result},
    )  # fmt: skip
    return test


def release_blockers_text(check: arithmetic.ReleaseCheck, release_on: dt.date) -> list[str]:
    texts = {
        arithmetic.Blocker.NOT_ACTIVE: _("This order is already closed."),
        arithmetic.Blocker.TOO_EARLY: _("The release date is %(day)s.")
        % {"day": release_on.isoformat()},
        arithmetic.Blocker.RESULTS_MISSING: _("Some required tests have no result yet."),
        arithmetic.Blocker.RESULT_POSITIVE: _("A required test was positive."),
    }
    return [texts[blocker] for blocker in check.blockers]


def release_check(order: ControlOrder, on: dt.date) -> arithmetic.ReleaseCheck:
    return arithmetic.release_check(
        active=order.is_active, release_on=order.release_on,
        results=order.tests.values_list("result", flat=True), on=on,
    )  # fmt: skip


@transaction.atomic
def order_release(
    *,
    actor: User,
    order: ControlOrder,
    reason: str = "",
    override: bool = False,
    on: dt.date | None = None,
) -> ControlOrder:
    """Release the resident: on or after the release date with every required test negative;
    or, with `override`, by someone holding OVERRIDE_RELEASE and with a reason."""
    day = on or timezone.localdate()
    if override:
        require(actor, Permission.OVERRIDE_RELEASE, order)
    else:
        require(actor, Permission.MANAGE_CONTROL, order)
    order = _locked_active(order)
    check = release_check(order, day)
    if override:
        if not reason.strip():
            raise ValidationError({"reason": [_("An override needs a reason.")]})
    elif not check.allowed:
        raise ValidationError({"__all__": release_blockers_text(check, order.release_on)})
    order.status = OrderStatus.RELEASED
    order.closed_at = timezone.now()
    order.save(update_fields=["status", "closed_at", "updated_at"])
    cancelled = _close_open_tasks(actor=actor, order=order, note=_("The order was released."))
    kind = EventKind.OVERRIDDEN if override else EventKind.RELEASED
    evidence = (
        _("Released without: %(why)s")
        % {"why": " ".join(release_blockers_text(check, order.release_on))}
        if override and not check.allowed
        else _("Every required test was negative.")
    )
    OrderEvent.objects.create(
        order=order, kind=kind, actor=actor, reason=reason.strip(), evidence=evidence[:300],
        details={"on": day.isoformat(), "override": override,
                 "blockers": [str(b) for b in check.blockers], "tasks_cancelled": cancelled},
    )  # fmt: skip
    audit_order(
        actor=actor, order=order, action=AuditAction.UPDATE, fields=["status"],
        reason=reason.strip(), details={"status": OrderStatus.RELEASED.value, "override": override},
    )  # fmt: skip
    return order
