"""Writes of medicine runs. Typed, keyword-only, atomic; every bad field is reported at once.

A request comes from the household page or from a worker on the resident's behalf (HANDLE_REQUESTS:
a phone call, a visit, the API). The responsible worker gets a task at once, urgent for dialysis,
insulin or anti-epileptic medicine. Handlers put requests for one pharmacy into a run for a runner
(anyone holding DELIVER there); the runner records what was collected and at what cost, hands each
medicine over and records the payment. Each step is an event on the request's timeline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from frontline.accounts.access import Permission, holders_over, require, scoped
from frontline.accounts.models import User
from frontline.core.audit import audit_record
from frontline.core.files import photo_error, stored_name
from frontline.core.models import AuditAction
from frontline.core.numbers import parse_money
from frontline.health.links import CHECKING_IN
from frontline.health.models import HouseholdLink
from frontline.medicine import urgency
from frontline.medicine.models import (
    EventKind,
    MedicineEvent,
    MedicineRequest,
    MedicineRun,
    MedicineStatus,
    RequestChannel,
    RunStatus,
)
from frontline.places.models import Community
from frontline.residents.models import Resident
from frontline.tasks.models import Task, TaskPriority, TaskStatus
from frontline.tasks.services import default_owner, task_create, task_follow

URGENT_WITHIN = dt.timedelta(hours=4)
NORMAL_WITHIN = dt.timedelta(hours=48)
MAX_COST = Decimal("100000")
FIELD_LIMITS = {"medicine": 100, "dose": 100, "quantity": 50, "pharmacy": 100}


def _event(
    request: MedicineRequest, kind: EventKind, *, actor: User | None, note: str = "",
    by_resident: bool = False,
) -> MedicineEvent:  # fmt: skip
    return MedicineEvent.objects.create(
        request=request, kind=kind, actor=actor, note=note, by_resident=by_resident,
        created_at=timezone.now(),
    )  # fmt: skip


def _audit(actor: User | None, row: MedicineRequest | MedicineRun, fields: list[str]) -> None:
    if actor is not None:
        action = AuditAction.CREATE if fields == ["created"] else AuditAction.UPDATE
        audit_record(
            actor=actor, action=action, target=row, community_id=row.community_id, fields=fields
        )


def _follow_task(request: MedicineRequest, actor: User | None, to_status: TaskStatus) -> None:
    if request.task_id is not None:
        task_follow(actor=actor, task=Task(pk=request.task_id), to_status=to_status)


# -- requests -----------------------------------------------------------------------------------


@transaction.atomic
def request_submit(
    *,
    resident: Resident,
    medicine: str,
    dose: str,
    quantity: str,
    pharmacy: str,
    prescription: UploadedFile | None = None,
    link: HouseholdLink | None = None,
    actor: User | None = None,
    channel: RequestChannel = RequestChannel.WORKER,
) -> MedicineRequest:
    """Receive a request from the household page (`link`) or a worker; its urgency comes from
    the medicine's name and the person's dialysis tag, and the responsible worker (the grid's,
    else the community admin) gets a task due within 4 hours if urgent, else 48."""
    if link is not None:
        if not link.is_active or resident.household_id != link.household_id:
            raise ValidationError({"member": [_("Choose a member of this household.")]})
        channel = RequestChannel.PORTAL
    elif actor is not None:
        require(actor, Permission.HANDLE_REQUESTS, resident)
    else:
        raise ValidationError(_("A request comes through a household link or from a worker."))
    values = {"medicine": medicine, "dose": dose, "quantity": quantity, "pharmacy": pharmacy}
    cleaned = {name: (value or "").strip() for name, value in values.items()}
    messages = {
        "medicine": _("Name the medicine."),
        "dose": _("Give the dose, e.g. one tablet twice a day."),
        "quantity": _("Say how much to fetch, e.g. 2 boxes."),
        "pharmacy": _("Name the pharmacy or hospital."),
    }
    errors: dict[str, list[str]] = {}
    for name, value in cleaned.items():
        if not value:
            errors[name] = [messages[name]]
        elif len(value) > FIELD_LIMITS[name]:
            errors[name] = [_("Keep this under %(n)d characters.") % {"n": FIELD_LIMITS[name]}]
    if resident.status not in CHECKING_IN:
        errors["member"] = [_("This person no longer lives here.")]
    if prescription is not None and (message := photo_error(prescription)):
        errors["prescription"] = [message]
    if errors:
        raise ValidationError(errors)
    resident = Resident.objects.select_related("household__unit__building", "community").get(
        pk=resident.pk
    )
    reasons = urgency.reasons(medicine=cleaned["medicine"], tags=resident.tag_values)
    request = MedicineRequest.objects.create(
        community_id=resident.community_id, building_id=resident.building_id,
        household_id=resident.household_id, resident=resident, urgent=bool(reasons),
        urgent_reasons=list(reasons),
        channel=channel, recorded_by=actor, **cleaned,
    )  # fmt: skip
    if prescription is not None:
        request.prescription.save(
            stored_name(prescription, "prescription"), prescription, save=False
        )
        request.save(update_fields=["prescription", "updated_at"])
    _event(request, EventKind.REQUESTED, actor=actor, by_resident=link is not None)
    title = (_("Urgent medicine: %(name)s, %(medicine)s") if reasons
             else _("Medicine to fetch: %(name)s, %(medicine)s")) % {
        "name": resident.name, "medicine": request.medicine,
    }  # fmt: skip
    request.task = task_create(
        title=title, target=resident, source=request, actor=actor,
        description=f"{request.quantity} · {request.dose} · {request.pharmacy}",
        owner=default_owner(community=resident.community, building=resident.building),
        priority=TaskPriority.URGENT if reasons else TaskPriority.NORMAL,
        due_at=timezone.now() + (URGENT_WITHIN if reasons else NORMAL_WITHIN),
    )  # fmt: skip
    request.save(update_fields=["task", "updated_at"])
    _audit(actor, request, ["created"])
    return request


@transaction.atomic
def request_cancel(
    *, request: MedicineRequest, reason: str, actor: User | None = None,
    link: HouseholdLink | None = None,
) -> MedicineRequest:  # fmt: skip
    """Withdraw a request nobody has collected yet: the household through its link, or a worker
    who handles it (with a reason)."""
    if link is not None:
        if not link.is_active or request.household_id != link.household_id:
            raise PermissionDenied
    elif actor is not None:
        require(actor, Permission.HANDLE_REQUESTS, request)
        if not reason.strip():
            raise ValidationError({"reason": [_("Say why the request is cancelled.")]})
    else:
        raise PermissionDenied
    request = MedicineRequest.objects.select_for_update().get(pk=request.pk)
    if request.status not in (MedicineStatus.REQUESTED, MedicineStatus.PLANNED):
        raise ValidationError(
            {"status": [_("Only a request that is not collected yet can be cancelled.")]}
        )
    request.status = MedicineStatus.CANCELLED
    request.run = None
    request.save(update_fields=["status", "run", "updated_at"])
    _event(request, EventKind.CANCELLED, actor=actor, by_resident=link is not None,
           note=reason.strip())  # fmt: skip
    _follow_task(request, actor, TaskStatus.CANCELLED)
    _audit(actor, request, ["status"])
    return request


# -- runs ---------------------------------------------------------------------------------------


def runner_candidates(community: Community) -> list[User]:
    """Who may fetch medicine there: anyone holding `deliver` over the community or part of it."""
    return list(holders_over(community, Permission.DELIVER))


@transaction.atomic
def run_plan(
    *, actor: User, requests: Sequence[MedicineRequest], runner: User, pharmacy: str = ""
) -> MedicineRun:
    """Put waiting requests of one community into a run for `runner` (urgent ones first on its
    list); the pharmacy defaults to the requests' when they all name the same one."""
    if not requests:
        raise ValidationError({"requests": [_("Choose the requests to fetch.")]})
    rows = list(
        MedicineRequest.objects.select_for_update()
        .filter(scoped(actor, Permission.HANDLE_REQUESTS, MedicineRequest))
        .filter(pk__in=[r.pk for r in requests])
        .order_by("id")
    )
    if len(rows) != len({r.pk for r in requests}):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if len({row.community_id for row in rows}) > 1:
        errors["requests"] = [_("A run serves one community.")]
    waiting = [row for row in rows if row.status != MedicineStatus.REQUESTED]
    if waiting:
        errors["requests"] = [
            _("Already in a run or closed: %(ids)s")
            % {"ids": ", ".join(str(r.pk) for r in waiting)}
        ]
    pharmacy = pharmacy.strip() or (
        rows[0].pharmacy if len({r.pharmacy for r in rows}) == 1 else ""
    )
    if not pharmacy:
        errors["pharmacy"] = [_("Name the pharmacy or hospital of this run.")]
    community = rows[0].community
    reached = MedicineRequest.objects.filter(
        scoped(runner, Permission.DELIVER, MedicineRequest), pk__in=[row.pk for row in rows]
    )
    if runner not in runner_candidates(community) or reached.count() != len(rows):
        errors["runner"] = [_("Choose someone who delivers where these requests are.")]
    if errors:
        raise ValidationError(errors)
    run = MedicineRun.objects.create(
        community=community, pharmacy=pharmacy[:100], runner=runner, planned_by=actor
    )
    for row in rows:
        row.status = MedicineStatus.PLANNED
        row.run = run
        row.save(update_fields=["status", "run", "updated_at"])
        _event(row, EventKind.PLANNED, actor=actor, note=f"{runner} · {run.pharmacy}")
        _follow_task(row, actor, TaskStatus.IN_PROGRESS)
    _audit(actor, run, ["created"])
    return run


def may_plan(user: User, run: MedicineRun) -> bool:
    """Whoever handles requests in the run's community (and sees the names in it)."""
    return MedicineRun.objects.filter(
        scoped(user, Permission.HANDLE_REQUESTS, MedicineRun), pk=run.pk
    ).exists()


def may_run(user: User, run: MedicineRun) -> bool:
    """The run's runner (while they still deliver there), or whoever handles requests in its
    community, acts on it."""
    if (
        run.runner_id == user.pk
        and MedicineRun.objects.filter(
            scoped(user, Permission.DELIVER, MedicineRun), pk=run.pk
        ).exists()
    ):
        return True
    return may_plan(user, run)


def _money(value: object, field: str, errors: dict[str, list[str]]) -> Decimal | None:
    if not str(value if value is not None else "").strip():
        return None
    amount = parse_money(value)
    if amount is None:
        errors[field] = [_("Enter an amount in yuan, e.g. 35.50.")]
    elif amount < 0 or amount > MAX_COST:
        errors[field] = [_("Enter an amount between 0 and 100000 yuan.")]
        return None
    return amount


@transaction.atomic
def run_collect(
    *, actor: User, run: MedicineRun, costs: Mapping[int, object], unavailable: Sequence[int] = ()
) -> MedicineRun:
    """The runner is back from the pharmacy: each request was collected at its cost, or was not
    available there and goes back to waiting (with its task) for another run."""
    run = MedicineRun.objects.select_for_update().get(pk=run.pk)
    if not may_run(actor, run):
        raise PermissionDenied
    if run.status != RunStatus.PLANNED:
        raise ValidationError({"status": [_("This run is already collected.")]})
    rows = list(run.requests.select_for_update().filter(status=MedicineStatus.PLANNED))
    missing = set(unavailable)
    errors: dict[str, list[str]] = {}
    amounts = {row.pk: _money(costs.get(row.pk), f"cost_{row.pk}", errors) for row in rows}
    for row in rows:
        if row.pk not in missing and amounts[row.pk] is None and f"cost_{row.pk}" not in errors:
            errors[f"cost_{row.pk}"] = [
                _("Enter what %(medicine)s cost, or mark it not available.")
                % {"medicine": row.medicine}
            ]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    for row in rows:
        if row.pk in missing:
            row.status, row.run = MedicineStatus.REQUESTED, None
            row.save(update_fields=["status", "run", "updated_at"])
            _event(row, EventKind.UNAVAILABLE, actor=actor, note=run.pharmacy)
            continue
        row.status, row.cost = MedicineStatus.COLLECTED, amounts[row.pk]
        row.save(update_fields=["status", "cost", "updated_at"])
        _event(row, EventKind.COLLECTED, actor=actor, note=f"¥{row.cost}")
    run.status, run.collected_at = RunStatus.COLLECTED, now
    run.save(update_fields=["status", "collected_at", "updated_at"])
    _finish_if_done(run)
    _audit(actor, run, ["status", "costs"])
    return run


def _finish_if_done(run: MedicineRun) -> None:
    """The run is done once nothing collected is left to hand over; locked, so the last two
    hand-overs at once cannot both miss it."""
    run = MedicineRun.objects.select_for_update().get(pk=run.pk)
    if (
        run.status == RunStatus.COLLECTED
        and not run.requests.filter(status=MedicineStatus.COLLECTED).exists()
    ):
        run.status = RunStatus.DONE
        run.save(update_fields=["status", "updated_at"])


def _collected(actor: User, request: MedicineRequest) -> MedicineRequest:
    request = (
        MedicineRequest.objects.select_for_update(of=("self",))
        .select_related("run")
        .get(pk=request.pk)
    )
    if request.run is None or not may_run(actor, request.run):
        raise PermissionDenied
    if request.status != MedicineStatus.COLLECTED:
        raise ValidationError({"status": [_("This medicine is not waiting to be delivered.")]})
    return request


@transaction.atomic
def request_deliver(
    *, actor: User, request: MedicineRequest, paid: object = None, payment_note: str = ""
) -> MedicineRequest:
    """Hand the medicine over (contactless: left at the door and the household told), with
    what was paid, if anything, and how."""
    request = _collected(actor, request)
    errors: dict[str, list[str]] = {}
    amount = _money(paid, "paid", errors)
    if len(payment_note.strip()) > 100:
        errors["payment_note"] = [_("Keep this under %(n)d characters.") % {"n": 100}]
    if errors:
        raise ValidationError(errors)
    request.status, request.delivered_at = MedicineStatus.DELIVERED, timezone.now()
    fields = ["status", "delivered_at", "updated_at"]
    if amount is not None:
        request.paid, request.payment_note = amount, payment_note.strip()
        fields += ["paid", "payment_note"]
    request.save(update_fields=fields)
    _event(request, EventKind.DELIVERED, actor=actor)
    if amount is not None:
        _event(request, EventKind.PAID, actor=actor, note=f"¥{amount} {request.payment_note}")
    _follow_task(request, actor, TaskStatus.DONE)
    if request.run is not None:
        _finish_if_done(request.run)
    _audit(actor, request, ["status", "paid"])
    return request


@transaction.atomic
def request_not_delivered(*, actor: User, request: MedicineRequest, reason: str) -> Task:
    """Nobody took the medicine in: it stays collected with the runner, and the responsible
    worker gets a task to arrange another hand-over (urgent for urgent medicine)."""
    request = _collected(actor, request)
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why it could not be delivered.")]})
    _event(request, EventKind.NOT_DELIVERED, actor=actor, note=reason.strip())
    resident = request.resident
    task = task_create(
        title=_("Medicine not delivered: %(name)s, %(medicine)s")
        % {"name": resident.name, "medicine": request.medicine},
        description=reason.strip()[:500], target=resident, source=request, actor=actor,
        owner=default_owner(community=request.community, building=request.building),
        priority=TaskPriority.URGENT if request.urgent else TaskPriority.HIGH,
    )  # fmt: skip
    _audit(actor, request, ["delivery"])
    return task
