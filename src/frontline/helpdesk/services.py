"""Writes of the help desk: a request received from the household page, a worker or the API;
its steps (take, note, transfer, resolve, reopen, rate); escalation of missed clocks; and each
community's triage words and service levels. Typed, keyword-only, atomic; scope checked with
`require`; every change of status appends a `RequestEvent`; follow-up work through `task_create`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from frontline.accounts.access import Permission, require
from frontline.accounts.models import User
from frontline.core.audit import audit_record
from frontline.core.files import photo_error, stored_name
from frontline.core.models import AuditAction
from frontline.health.links import CHECKING_IN
from frontline.health.models import HouseholdLink
from frontline.helpdesk import triage
from frontline.helpdesk.models import (
    OPEN_STATUSES,
    Breach,
    BreachKind,
    Category,
    Channel,
    EventKind,
    HelpdeskSettings,
    HelpRequest,
    RequestEvent,
    RequestStatus,
    ServiceLevel,
    Urgency,
)  # fmt: skip
from frontline.places.models import Community
from frontline.residents.models import Resident
from frontline.tasks.models import ACTIVE_STATUSES, Task, TaskPriority, TaskStatus
from frontline.tasks.services import default_owner, task_create, task_follow

REOPEN_WITHIN = dt.timedelta(days=7)
TEXT_MAX = 2000
ESCALATION_DUE = dt.timedelta(minutes=30)
# (take, resolve) in minutes, per urgency, then per category where it differs.
DEFAULT_SLA: dict[str, tuple[int, int]] = {
    Urgency.URGENT: (15, 2 * 60),
    Urgency.NORMAL: (2 * 60, 24 * 60),
}
DEFAULT_CATEGORY_SLA: dict[tuple[str, str], tuple[int, int]] = {
    (Category.MEDICINE, Urgency.NORMAL): (60, 12 * 60),
    (Category.COMPLAINT, Urgency.NORMAL): (4 * 60, 72 * 60),
    (Category.OTHER, Urgency.NORMAL): (4 * 60, 72 * 60),
}


# -- settings -----------------------------------------------------------------------------------


def triage_rules(community_id: int) -> tuple[list[str], list[str]]:
    """The community's urgent keywords and tag rules; the shipped defaults until it saves its own."""
    row = HelpdeskSettings.objects.filter(community_id=community_id).first()
    if row is None:
        return list(triage.DEFAULT_KEYWORDS), list(triage.DEFAULT_TAG_RULES)
    return list(row.keywords), list(row.tag_rules)


def sla_for(community_id: int, category: str, urgency: str) -> tuple[int, int]:
    """(take, resolve) minutes for a category and urgency in a community."""
    row = (
        ServiceLevel.objects.filter(community_id=community_id, category=category, urgency=urgency)
        .values_list("take_minutes", "resolve_minutes")
        .first()
    )
    if row is not None:
        return row
    return DEFAULT_CATEGORY_SLA.get((category, urgency), DEFAULT_SLA[urgency])


def sla_table(community_id: int) -> list[tuple[str, str, int, int]]:
    """Every (category, urgency, take, resolve) in force in the community, in choice order."""
    saved = {
        (row.category, row.urgency): (row.take_minutes, row.resolve_minutes)
        for row in ServiceLevel.objects.filter(community_id=community_id)
    }
    return [
        (category, urgency, *saved.get(
            (category, urgency), DEFAULT_CATEGORY_SLA.get((category, urgency), DEFAULT_SLA[urgency])
        ))
        for category in Category.values
        for urgency in Urgency.values
    ]  # fmt: skip


@transaction.atomic
def triage_rules_update(
    *, actor: User, community: Community, keywords: Sequence[str], tag_rules: Sequence[str]
) -> HelpdeskSettings:
    """Save a community's urgent keywords and tag rules (community administrators)."""
    require(actor, Permission.MANAGE_HELPDESK, community)
    from frontline.residents.models import Tag

    errors: dict[str, list[str]] = {}
    words = triage.clean_keywords(keywords)
    if len(words) > 200 or any(len(word) > 30 for word in words):
        errors["keywords"] = [_("Enter at most 200 keywords of at most 30 characters each.")]
    rules = [rule.strip() for rule in tag_rules if rule.strip()]
    known = set(Tag.values)
    if any(not triage.parse_tag_rule(rule) <= known for rule in rules):
        errors["tag_rules"] = [
            _("Use the vulnerability tags (%(tags)s), joined by + when all must hold.")
            % {"tags": ", ".join(Tag.values)}
        ]
    if errors:
        raise ValidationError(errors)
    row, _created = HelpdeskSettings.objects.select_for_update().get_or_create(community=community)
    row.keywords = words
    row.tag_rules = ["+".join(sorted(triage.parse_tag_rule(rule))) for rule in dict.fromkeys(rules)]
    row.updated_by = actor
    row.save(update_fields=["keywords", "tag_rules", "updated_by", "updated_at"])
    audit_record(
        actor=actor, action=AuditAction.UPDATE, target=row, community_id=community.pk,
        fields=["keywords", "tag_rules"],
    )  # fmt: skip
    return row


def _minutes(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


@transaction.atomic
def service_level_update(
    *, actor: User, community: Community, category: str, urgency: str, take_minutes: object,
    resolve_minutes: object,
) -> ServiceLevel:  # fmt: skip
    """Set how soon requests of one category and urgency must be taken and resolved."""
    require(actor, Permission.MANAGE_HELPDESK, community)
    errors: dict[str, list[str]] = {}
    if category not in Category.values:
        errors["category"] = [pgettext("request", "Choose a category.")]
    if urgency not in Urgency.values:
        errors["urgency"] = [_("Choose an urgency.")]
    take, resolve = _minutes(take_minutes), _minutes(resolve_minutes)
    if take is None or not 1 <= take <= 7 * 1440:
        errors["take_minutes"] = [_("Enter a number of minutes from 1 to 10080.")]
    if resolve is None or not 1 <= resolve <= 30 * 1440:
        errors["resolve_minutes"] = [_("Enter a number of minutes from 1 to 43200.")]
    elif take is not None and resolve < take:
        errors["resolve_minutes"] = [_("Resolving cannot be due before taking.")]
    if errors:
        raise ValidationError(errors)
    assert take is not None and resolve is not None  # checked above
    row, _created = ServiceLevel.objects.update_or_create(
        community=community, category=category, urgency=urgency,
        defaults={"take_minutes": take, "resolve_minutes": resolve},
    )  # fmt: skip
    audit_record(
        actor=actor, action=AuditAction.UPDATE, target=row, community_id=community.pk,
        fields=["take_minutes", "resolve_minutes"],
    )  # fmt: skip
    return row


# -- receiving ----------------------------------------------------------------------------------


def _event(
    request: HelpRequest, kind: EventKind, *, actor: User | None = None, note: str = "",
    to_owner: User | None = None, by_resident: bool = False, at: dt.datetime | None = None,
) -> RequestEvent:  # fmt: skip
    return RequestEvent.objects.create(
        request=request, kind=kind, actor=actor, note=note, to_owner=to_owner,
        by_resident=by_resident, created_at=at or timezone.now(),
    )  # fmt: skip


def _page(request: HelpRequest, *, actor: User | None, reopened: bool = False) -> Task:
    """The owner's task for the request: urgent requests page at once."""
    urgent = request.is_urgent
    title = (
        _("Urgent request: %(name)s, %(category)s")
        if urgent
        else _("Request: %(name)s, %(category)s")
    ) % {"name": request.resident.name, "category": request.get_category_display()}
    if reopened:
        title = _("Reopened request: %(name)s, %(category)s") % {
            "name": request.resident.name, "category": request.get_category_display(),
        }  # fmt: skip
    return task_create(
        title=title, description=request.text[:500], target=request.resident, source=request,
        owner=request.owner, actor=actor,
        priority=TaskPriority.URGENT if urgent else TaskPriority.NORMAL,
        due_at=request.take_due_at if request.taken_at is None else request.resolve_due_at,
    )  # fmt: skip


@transaction.atomic
def request_submit(
    *,
    resident: Resident,
    category: str,
    text: str,
    channel: Channel,
    actor: User | None = None,
    link: HouseholdLink | None = None,
    photo: UploadedFile | None = None,
    reported_urgent: bool = False,
) -> HelpRequest:
    """Receive a request from the household page (`link`) or from a worker on the resident's
    behalf (a phone call, a visit, the API). Triage decides its urgency; its clocks come from
    the community's service levels; the responsible worker (the grid's, else the community
    admin) owns it and gets a task at once, urgent for an urgent request."""
    if link is not None:
        if not link.is_active or resident.household_id != link.household_id:
            raise ValidationError({"member": [_("Choose a member of this household.")]})
        channel = Channel.PORTAL
    elif actor is not None:
        require(actor, Permission.HANDLE_REQUESTS, resident)
    else:
        raise ValidationError(_("A request comes through a household link or from a worker."))
    errors: dict[str, list[str]] = {}
    if resident.status not in CHECKING_IN:
        errors["member"] = [_("This person no longer lives here.")]
    if category not in Category.values:
        errors["category"] = [_("Choose what the request is about.")]
    text = (text or "").strip()
    if not text:
        errors["text"] = [_("Say what is needed.")]
    elif len(text) > TEXT_MAX:
        errors["text"] = [_("Keep the request under 2000 characters.")]
    if channel not in Channel.values:
        errors["channel"] = [_("Choose how the request came in.")]
    if photo is not None and (message := photo_error(photo)):
        errors["photo"] = [message]
    if errors:
        raise ValidationError(errors)
    resident = Resident.objects.select_related("household__unit__building", "community").get(
        pk=resident.pk
    )
    keywords, tag_rules = triage_rules(resident.community_id)
    tags = list(resident.tag_values)
    assessment = triage.assess(
        category=category, text=text, tags=tags, keywords=keywords, tag_rules=tag_rules,
        reported_urgent=reported_urgent and link is None,
    )  # fmt: skip
    urgency = Urgency.URGENT if assessment.urgent else Urgency.NORMAL
    take, resolve = sla_for(resident.community_id, category, urgency)
    now = timezone.now()
    owner = default_owner(community=resident.community, building=resident.building)
    request = HelpRequest.objects.create(
        community_id=resident.community_id, building_id=resident.building_id,
        household_id=resident.household_id, resident=resident, category=category, text=text,
        urgency=urgency, urgent_reasons=list(assessment.reasons), channel=channel,
        status=RequestStatus.ASSIGNED, owner=owner, recorded_by=actor,
        take_due_at=now + dt.timedelta(minutes=take),
        resolve_due_at=now + dt.timedelta(minutes=resolve),
    )  # fmt: skip
    if photo is not None:
        request.photo.save(stored_name(photo, "request"), photo, save=False)
        request.save(update_fields=["photo", "updated_at"])
    _event(request, EventKind.RECEIVED, actor=actor, by_resident=link is not None, at=now,
           note=request.get_channel_display())  # fmt: skip
    _event(request, EventKind.ASSIGNED, to_owner=owner, at=now)
    request.task = _page(request, actor=actor)
    request.save(update_fields=["task", "updated_at"])
    if category == Category.PSYCHOLOGICAL:
        _to_care(request, actor=actor)
    if actor is not None:
        audit_record(
            actor=actor, action=AuditAction.CREATE, target=request,
            community_id=request.community_id, fields=["request"],
        )  # fmt: skip
    return request


def _to_care(request: HelpRequest, *, actor: User | None) -> None:
    """A psychological request also reaches psychological support (a care case and a task for
    its counsellor); the request itself stays with its owner."""
    from frontline.care.cases import case_from_request  # care does not build on the help desk

    request.care_case = case_from_request(
        resident=request.resident, text=request.text, urgent=request.is_urgent,
        alarming=any(
            reason == "reported" or reason.startswith("keyword:")
            for reason in request.urgent_reasons
        ),
        due_at=request.resolve_due_at, actor=actor,
    )  # fmt: skip
    request.save(update_fields=["care_case", "updated_at"])
    _event(request, EventKind.CARE, actor=actor)


# -- steps by workers ---------------------------------------------------------------------------


def _locked(actor: User, request: HelpRequest) -> HelpRequest:
    require(actor, Permission.HANDLE_REQUESTS, request)
    return HelpRequest.objects.select_for_update().get(pk=request.pk)


def _must_be_open(request: HelpRequest) -> None:
    if not request.is_open:
        raise ValidationError({"status": [_("This request is already resolved.")]})


@transaction.atomic
def request_attach_photo(*, actor: User, request: HelpRequest, photo: UploadedFile) -> HelpRequest:
    """Add the photo a request came without (e.g. sent after a phone call, or through the API)."""
    request = _locked(actor, request)
    if request.photo:
        raise ValidationError({"photo": [_("This request already has a photo.")]})
    if message := photo_error(photo):
        raise ValidationError({"photo": [message]})
    request.photo.save(stored_name(photo, "request"), photo, save=False)
    request.save(update_fields=["photo", "updated_at"])
    _event(request, EventKind.NOTE, actor=actor, note=_("Photo added"))
    audit_record(
        actor=actor, action=AuditAction.UPDATE, target=request,
        community_id=request.community_id, fields=["photo"],
    )  # fmt: skip
    return request


def _task_step(request: HelpRequest, actor: User, *, finish: bool) -> None:
    """Keep the request's task in step with it: whoever takes the request takes its task, and
    resolving it finishes the task."""
    if request.task_id is None:
        return
    task = Task.objects.filter(pk=request.task_id, status__in=ACTIVE_STATUSES).first()
    if task is None:
        return
    task_follow(
        actor=actor, task=task, to_status=TaskStatus.DONE if finish else TaskStatus.IN_PROGRESS
    )


@transaction.atomic
def request_take(*, actor: User, request: HelpRequest) -> HelpRequest:
    """The actor takes the request: it becomes theirs and stops the "taken within" clock."""
    request = _locked(actor, request)
    _must_be_open(request)
    if request.status == RequestStatus.TAKEN and request.owner_id == actor.pk:
        return request  # a double click changes nothing
    now = timezone.now()
    request.owner = actor
    request.status = RequestStatus.TAKEN
    fields = ["owner", "status", "updated_at"]
    if request.taken_at is None:
        request.taken_at = now
        fields.append("taken_at")
    request.save(update_fields=fields)
    _event(request, EventKind.TAKEN, actor=actor, to_owner=actor, at=now)
    _task_step(request, actor, finish=False)
    audit_record(
        actor=actor, action=AuditAction.UPDATE, target=request, community_id=request.community_id,
        fields=["status", "owner"],
    )  # fmt: skip
    return request


def assign_candidates(request: HelpRequest) -> list[User]:
    """Active users who handle requests where this one is."""
    from frontline.accounts.access import ROLE_PERMISSIONS
    from frontline.accounts.models import RoleAssignment

    roles = [
        role for role, granted in ROLE_PERMISSIONS.items() if Permission.HANDLE_REQUESTS in granted
    ]
    building = request.building
    assignments = RoleAssignment.objects.filter(
        Q(community_id=request.community_id) | Q(grid_id=building.grid_id)
        | Q(building_id=building.pk) | Q(subdistrict_id=request.community.subdistrict_id),
        role__in=roles,
    )  # fmt: skip
    return list(
        User.objects.filter(is_active=True, pk__in=assignments.values("user_id")).order_by(
            "username"
        )
    )


@transaction.atomic
def request_assign(*, actor: User, request: HelpRequest, to: User, note: str = "") -> HelpRequest:
    """Give the request to another worker who handles requests where it is."""
    request = _locked(actor, request)
    _must_be_open(request)
    if to.pk not in {user.pk for user in assign_candidates(request)}:
        raise ValidationError(
            {"to": [_("This person does not handle requests where this one is.")]}
        )
    request.owner = to
    request.status = RequestStatus.ASSIGNED if request.taken_at is None else RequestStatus.TAKEN
    request.save(update_fields=["owner", "status", "updated_at"])
    _event(request, EventKind.ASSIGNED, actor=actor, to_owner=to, note=note.strip())
    audit_record(
        actor=actor, action=AuditAction.UPDATE, target=request, community_id=request.community_id,
        fields=["owner"],
    )  # fmt: skip
    return request


@transaction.atomic
def request_note(*, actor: User, request: HelpRequest, note: str) -> RequestEvent:
    """A worker's note on the timeline (kept from the resident's view)."""
    request = _locked(actor, request)
    note = note.strip()
    if not note:
        raise ValidationError({"note": [pgettext("request", "Write the note.")]})
    return _event(request, EventKind.NOTE, actor=actor, note=note[:TEXT_MAX])


@transaction.atomic
def request_transfer(
    *, actor: User, request: HelpRequest, partner: str, note: str = ""
) -> HelpRequest:
    """Hand the request on to a partner organisation (a hospital, the property management, a
    supplier); it stays open, with its owner, until resolved."""
    request = _locked(actor, request)
    _must_be_open(request)
    partner = partner.strip()
    if not partner or len(partner) > 100:
        raise ValidationError(
            {"partner": [_("Name the partner organisation (at most 100 characters).")]}
        )
    now = timezone.now()
    request.partner = partner
    request.status = RequestStatus.TRANSFERRED
    fields = ["partner", "status", "updated_at"]
    if request.taken_at is None:  # handing it on is acting on it
        request.taken_at = now
        request.owner = actor
        fields += ["taken_at", "owner"]
    request.save(update_fields=fields)
    _event(request, EventKind.TRANSFERRED, actor=actor, note=partner, at=now)
    if note.strip():  # the workers' words stay off the household's timeline
        _event(request, EventKind.NOTE, actor=actor, note=note.strip()[:TEXT_MAX], at=now)
    audit_record(
        actor=actor, action=AuditAction.UPDATE, target=request, community_id=request.community_id,
        fields=["status", "partner"],
    )  # fmt: skip
    return request


@transaction.atomic
def request_resolve(*, actor: User, request: HelpRequest, resolution: str) -> HelpRequest:
    """Resolve with the words the resident will read."""
    request = _locked(actor, request)
    _must_be_open(request)
    resolution = resolution.strip()
    if not resolution:
        raise ValidationError({"resolution": [_("Say how the request was resolved.")]})
    now = timezone.now()
    request.status = RequestStatus.RESOLVED
    request.resolution = resolution[:TEXT_MAX]
    request.resolved_at = now
    fields = ["status", "resolution", "resolved_at", "updated_at"]
    if request.taken_at is None:
        request.taken_at = now
        fields.append("taken_at")
    if request.owner_id is None:
        request.owner = actor
        fields.append("owner")
    request.save(update_fields=fields)
    _event(request, EventKind.RESOLVED, actor=actor, note=request.resolution, at=now)
    _task_step(request, actor, finish=True)
    audit_record(
        actor=actor, action=AuditAction.UPDATE, target=request, community_id=request.community_id,
        fields=["status", "resolution"],
    )  # fmt: skip
    return request


# -- the resident's steps -----------------------------------------------------------------------


def _household_request(link: HouseholdLink, request: HelpRequest) -> HelpRequest:
    if not link.is_active or request.household_id != link.household_id:
        raise ValidationError(_("This request is not of your household."))
    return HelpRequest.objects.select_for_update().get(pk=request.pk)


def may_reopen(request: HelpRequest, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return (
        request.status == RequestStatus.RESOLVED
        and request.resolved_at is not None
        and now - request.resolved_at <= REOPEN_WITHIN
    )


@transaction.atomic
def request_reopen(
    *, request: HelpRequest, reason: str, link: HouseholdLink | None = None,
    actor: User | None = None,
) -> HelpRequest:  # fmt: skip
    """Reopen a request resolved at most 7 days ago, by the resident (`link`) or a worker. It
    returns to its owner, who gets a task, due within the resolve time of its service level."""
    if link is not None:
        request = _household_request(link, request)
    elif actor is not None:
        request = _locked(actor, request)
    else:
        raise ValidationError(_("A request is reopened through a household link or by a worker."))
    if not may_reopen(request):
        raise ValidationError(_("Only a request resolved in the last 7 days can be reopened."))
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": [_("Say what is still wrong.")]})
    now = timezone.now()
    _take, resolve = sla_for(request.community_id, request.category, request.urgency)
    request.status = RequestStatus.TAKEN
    request.resolved_at = None
    request.resolve_due_at = now + dt.timedelta(minutes=resolve)
    request.save(update_fields=["status", "resolved_at", "resolve_due_at", "updated_at"])
    _event(request, EventKind.REOPENED, actor=actor, by_resident=link is not None,
           note=reason[:TEXT_MAX], to_owner=request.owner, at=now)  # fmt: skip
    request.task = _page(request, actor=actor, reopened=True)
    request.save(update_fields=["task", "updated_at"])
    if actor is not None:
        audit_record(
            actor=actor, action=AuditAction.UPDATE, target=request,
            community_id=request.community_id, fields=["status"],
        )  # fmt: skip
    return request


@transaction.atomic
def request_rate(
    *, link: HouseholdLink, request: HelpRequest, rating: object, comment: str = ""
) -> HelpRequest:
    """The household's rating (1-5, with a comment) of a resolved request; a later rating
    replaces it, and both stay on the timeline."""
    request = _household_request(link, request)
    errors: dict[str, list[str]] = {}
    if request.status != RequestStatus.RESOLVED:
        errors["rating"] = [_("A request is rated once it is resolved.")]
    stars = _minutes(rating)
    if stars is None or not 1 <= stars <= 5:
        errors["rating"] = [_("Choose from 1 to 5 stars.")]
    comment = comment.strip()
    if len(comment) > 500:
        errors["comment"] = [_("Keep the comment under 500 characters.")]
    if errors:
        raise ValidationError(errors)
    request.rating = stars
    request.rating_comment = comment
    request.save(update_fields=["rating", "rating_comment", "updated_at"])
    _event(request, EventKind.RATED, by_resident=True, note=f"{stars}/5 {comment}".strip())
    return request


# -- escalation ---------------------------------------------------------------------------------


def _overdue(now: dt.datetime) -> list[tuple[HelpRequest, BreachKind, dt.datetime]]:
    open_rows = HelpRequest.objects.filter(status__in=OPEN_STATUSES).select_related(
        "resident", "community"
    )
    untaken = open_rows.filter(taken_at__isnull=True, take_due_at__lt=now).exclude(
        breaches__kind=BreachKind.TAKE
    )
    unresolved = open_rows.filter(resolve_due_at__lt=now).exclude(breaches__kind=BreachKind.RESOLVE)
    found = [(row, BreachKind.TAKE, row.take_due_at) for row in untaken.order_by("id")]
    found += [(row, BreachKind.RESOLVE, row.resolve_due_at) for row in unresolved.order_by("id")]
    return found


def escalate_overdue_requests(*, now: dt.datetime | None = None) -> list[Breach]:
    """For every open request past its "taken within" or "resolved within" clock, one breach
    and one urgent task for the community's administrator; each request is escalated at most
    once per kind of breach, however often this runs."""
    now = now or timezone.now()
    created: list[Breach] = []
    for request, kind, due in _overdue(now):
        try:
            with transaction.atomic():
                breach = Breach.objects.create(
                    request=request, community_id=request.community_id, kind=kind,
                    day=timezone.localdate(due), due_at=due,
                )  # fmt: skip
                words = {"id": request.pk, "name": request.resident.name,
                         "category": request.get_category_display()}  # fmt: skip
                title = (
                    _("Escalated: request %(id)s (%(name)s, %(category)s) not taken in time")
                    if kind == BreachKind.TAKE
                    else _(
                        "Escalated: request %(id)s (%(name)s, %(category)s) not resolved in time"
                    )
                ) % words
                breach.escalation_task = task_create(
                    title=title, description=request.text[:500], target=request.resident,
                    source=request, priority=TaskPriority.URGENT,
                    owner=default_owner(community=request.community, building=None),
                    due_at=now + ESCALATION_DUE,
                )  # fmt: skip
                breach.save(update_fields=["escalation_task"])
                _event(request, EventKind.ESCALATED, note=str(BreachKind(kind).label),
                       to_owner=breach.escalation_task.owner, at=now)  # fmt: skip
        except IntegrityError:
            continue  # another run escalated it a moment ago
        created.append(breach)
    return created
