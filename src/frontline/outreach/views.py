"""Worker pages of the notices: the list, composing, a notice with its attachments and
deliveries, the acknowledgement report with the households not reached (each one can be marked
"told at the door"), the printable flyer and each community's channel settings; lectures and
support groups with their registrations and attendance. Every write goes through `services`,
`attachments` or `lectures`."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from frontline.accounts.access import Permission, has_permission, requires
from frontline.core.forms import add_service_errors
from frontline.core.http import AuthedRequest
from frontline.core.pagination import paginate
from frontline.health.qr import qr_svg
from frontline.outreach import attachments, lectures, selectors, services
from frontline.outreach.formatting import to_html
from frontline.outreach.forms import LectureForm, NoticeForm
from frontline.outreach.models import LectureKind, NoticeStatus, WecomRobot
from frontline.places.models import Grid
from frontline.residents.models import Tag
from frontline.residents.selectors import resident_list

DEFAULT_HOURS = 24


@require_safe
@requires(Permission.SEND_NOTICES)
def notice_list(request: AuthedRequest) -> HttpResponse:
    page = paginate(request, selectors.notice_list(viewer=request.user))
    communities = list(selectors.notice_communities(viewer=request.user))
    return render(request, "outreach/notice_list.html", {"page": page, "communities": communities})


@requires(Permission.SEND_NOTICES)
def notice_create(request: AuthedRequest) -> HttpResponse:
    communities = selectors.notice_communities(viewer=request.user)
    form = NoticeForm(request.POST or None, communities=communities)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                notice = services.notice_create(
                    actor=request.user, community=data["community"], title=data["title"],
                    body=data["body"], expires_at=data["expires_at"], channels=data["channels"],
                    grid_ids=[grid.pk for grid in data["grids"]],
                    building_ids=[building.pk for building in data["buildings"]],
                    tags=data["tags"],
                )  # fmt: skip
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return redirect("outreach:notice", pk=notice.pk)
        status = 422
    return render(request, "outreach/notice_form.html", {"form": form}, status=status)


@require_safe
@requires(Permission.SEND_NOTICES, per_object=True)
def notice_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    notice = selectors.notice_get(viewer=request.user, pk=pk)
    context: dict[str, object] = {
        "notice": notice,
        "body": to_html(notice.body),
        "grids": list(notice.grids.all()),
        "buildings": list(notice.buildings.all()),
        "tags": [str(Tag(tag).label) for tag in notice.tags],
        "attachments": list(notice.attachments.all()),
        "max_attachments": attachments.MAX_ATTACHMENTS,
    }
    if notice.status == NoticeStatus.DRAFT:
        context["preview_count"] = services.notice_households_count(notice=notice)
    else:
        context["summary"] = selectors.delivery_summary(notice=notice)
        context["problems"] = list(selectors.delivery_problems(notice=notice))
    return render(request, "outreach/notice_detail.html", context)


@require_POST
@requires(Permission.SEND_NOTICES, per_object=True)
def notice_send(request: AuthedRequest, pk: int) -> HttpResponse:
    notice = selectors.notice_get(viewer=request.user, pk=pk)
    try:
        notice = services.notice_send(actor=request.user, notice=notice)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The notice is on its way to %(n)d households.") % {"n": notice.household_count},
        )
    return redirect("outreach:notice", pk=notice.pk)


@require_POST
@requires(Permission.SEND_NOTICES, per_object=True)
def notice_attach(request: AuthedRequest, pk: int) -> HttpResponse:
    """Attach files to a draft (all or none)."""
    notice = selectors.notice_get(viewer=request.user, pk=pk)
    try:
        added = attachments.attachments_add(
            actor=request.user, notice=notice, files=request.FILES.getlist("files")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(n)d files attached.") % {"n": len(added)})
    return redirect(f"{reverse('outreach:notice', kwargs={'pk': notice.pk})}#attachments")


@require_safe
@requires(Permission.SEND_NOTICES, per_object=True)
def attachment_download(request: AuthedRequest, pk: int) -> FileResponse:
    return attachments.attachment_response(selectors.attachment_get(viewer=request.user, pk=pk))


@require_POST
@requires(Permission.SEND_NOTICES, per_object=True)
def attachment_remove(request: AuthedRequest, pk: int) -> HttpResponse:
    attachment = selectors.attachment_get(viewer=request.user, pk=pk)
    try:
        attachments.attachment_remove(actor=request.user, attachment=attachment)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(
        f"{reverse('outreach:notice', kwargs={'pk': attachment.notice_id})}#attachments"
    )


@require_POST
@requires(Permission.SEND_NOTICES, per_object=True)
def notice_retry(request: AuthedRequest, pk: int) -> HttpResponse:
    notice = selectors.notice_get(viewer=request.user, pk=pk)
    count = services.notice_retry(actor=request.user, notice=notice)
    messages.success(request, _("%(n)d messages will be tried again.") % {"n": count})
    return redirect("outreach:notice", pk=notice.pk)


def _hours(request: AuthedRequest) -> int:
    value = request.GET.get("hours", "")
    return int(value) if value.isdigit() and int(value) <= services.MAX_HOURS else DEFAULT_HOURS


@require_safe
@requires(Permission.SEND_NOTICES, per_object=True)
def notice_report(request: AuthedRequest, pk: int) -> HttpResponse:
    """Read and unread per building; once N hours have passed, the buildings with households not
    reached (each a link) and, for the building chosen, its households: a page stays small
    however many households a notice reached."""
    notice = selectors.notice_get(viewer=request.user, pk=pk)
    hours = _hours(request)
    buildings = selectors.acknowledgement_report(viewer=request.user, notice=notice)
    since = selectors.not_reached_since(notice, hours)
    unread = selectors.not_reached(viewer=request.user, notice=notice, hours=hours)
    value = request.GET.get("building", "")
    chosen = next((row for row in buildings if str(row.building_id) == value), None)
    context = {
        "notice": notice, "hours": hours, "buildings": buildings, "since": since,
        "unread_buildings": [row for row in buildings if row.unread] if since else [],
        "chosen": chosen,
        "listed": list(unread.filter(building_id=chosen.building_id)) if chosen and since else [],
        "without_task": unread.filter(task__isnull=True).count() if since else 0,
        "total": sum(row.households for row in buildings),
        "read": sum(row.read for row in buildings),
    }  # fmt: skip
    return render(request, "outreach/notice_report.html", context)


@require_POST
@requires(Permission.SEND_NOTICES, per_object=True)
def notice_door_to_door(request: AuthedRequest, pk: int) -> HttpResponse:
    """One click: a door-to-door task for each household not reached (never twice)."""
    notice = selectors.notice_get(viewer=request.user, pk=pk)
    hours = request.POST.get("hours", "")
    building = request.POST.get("building", "")
    try:
        created = services.door_to_door_tasks_create(
            actor=request.user, notice=notice, hours=hours,
            building_id=int(building) if building.isdigit() else None,
        )  # fmt: skip
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(n)d door-to-door tasks made.") % {"n": len(created)})
    url = reverse("outreach:report", kwargs={"pk": notice.pk})
    return redirect(f"{url}?hours={hours if str(hours).isdigit() else DEFAULT_HOURS}")


@require_POST
@requires(Permission.SEND_NOTICES, Permission.WORK_TASKS, per_object=True)
def notice_read_at_door(request: AuthedRequest, pk: int) -> HttpResponse:
    """A household told in person counts as read (one button per household on the report; an
    htmx post gets its row back)."""
    household = request.POST.get("household", "")
    recipient = selectors.door_recipient(
        viewer=request.user, notice_id=pk, household_id=int(household) if household.isdigit() else 0
    )
    recipient = services.notice_read_at_door(actor=request.user, recipient=recipient)
    if request.htmx:
        return render(request, "outreach/notice_report.html#household", {"recipient": recipient})
    messages.success(
        request, _("%(household)s is recorded as told.") % {"household": recipient.household.label}
    )
    url = reverse("outreach:report", kwargs={"pk": pk})
    hours = request.POST.get("hours", "")
    return redirect(
        f"{url}?hours={hours if hours.isdigit() else DEFAULT_HOURS}&building={recipient.building_id}"
    )


@require_safe
@requires(Permission.SEND_NOTICES, per_object=True)
def notice_flyer(request: AuthedRequest, pk: int) -> HttpResponse:
    """An A4 flyer for the notice board and doors: the text, the expiry, the community's
    hotline and a QR code of the household page (the household's own sticker opens it)."""
    notice = selectors.notice_get(viewer=request.user, pk=pk)
    start = request.build_absolute_uri(reverse("portal:household"))
    context = {"notice": notice, "body": to_html(notice.body), "qr": qr_svg(start, scale=5),
               "start": start}  # fmt: skip
    return render(request, "outreach/flyer.html", context)


@requires(Permission.SEND_NOTICES, per_object=True)
def settings_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    """Where a community's notices go besides households: e-mail addresses, WeCom robots."""
    community = selectors.community_get(viewer=request.user, pk=pk)
    grids = list(Grid.objects.filter(community=community).order_by("name"))
    robots = {
        robot.grid_id: robot.webhook_url for robot in WecomRobot.objects.filter(community=community)
    }
    current = services.outreach_settings_for(community.pk)
    values = {
        "email_addresses": current.email_addresses,
        "community_webhook": robots.get(None, ""),
        **{f"grid_{grid.pk}": robots.get(grid.pk, "") for grid in grids},
    }
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        values = {name: request.POST.get(name, "") for name in values}
        try:
            services.outreach_settings_update(
                actor=request.user, community=community,
                email_addresses=values["email_addresses"],
                community_webhook=values["community_webhook"],
                grid_webhooks={grid.pk: values[f"grid_{grid.pk}"] for grid in grids},
            )  # fmt: skip
        except ValidationError as error:
            errors = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
            status = 422
        else:
            messages.success(request, _("The notice settings are saved."))
            return redirect("outreach:settings", pk=community.pk)
    grid_rows = [(grid, f"grid_{grid.pk}", values[f"grid_{grid.pk}"]) for grid in grids]
    context = {"community": community, "values": values, "grid_rows": grid_rows,
               "errors": errors}  # fmt: skip
    return render(request, "outreach/settings.html", context, status=status)


# -- lectures -----------------------------------------------------------------------------------

REGISTER_MATCHES = 10


@requires(*selectors.LECTURE_READERS)
def lecture_list(request: AuthedRequest) -> HttpResponse:
    """Lectures and support groups of the viewer's communities (one kind with `?kind=`); those
    who send notices announce a lecture here, those who manage care a support group."""
    kind = request.GET.get("kind", "")
    kind = kind if kind in LectureKind.values else ""
    form = LectureForm(
        request.POST or None,
        lecture_communities=selectors.announcing_communities(
            viewer=request.user, kind=LectureKind.LECTURE
        ),
        group_communities=selectors.announcing_communities(
            viewer=request.user, kind=LectureKind.SUPPORT_GROUP
        ),
        user=request.user,
    )
    status = 200
    if request.method == "POST":
        if not form.may_announce:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                lecture = lectures.lecture_create(
                    actor=request.user, community=data["community"], kind=data["kind"],
                    topic=data["topic"], speaker=data["speaker"], host=data["host"],
                    starts_at=data["starts_at"], minutes=data["minutes"],
                    joining=data["joining"], capacity=data["capacity"],
                    description=data["description"],
                )  # fmt: skip
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The lecture is announced on the household pages."))
                return redirect("outreach:lecture", pk=lecture.pk)
        status = 422
    context = {
        "lectures": list(selectors.lecture_list(viewer=request.user, kind=kind)),
        "kind": kind,
        "kinds": LectureKind.choices,
        "form": form if form.may_announce else None,
    }
    return render(request, "outreach/lecture_list.html", context, status=status)


@require_safe
@requires(*selectors.LECTURE_READERS, per_object=True)
def lecture_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """A lecture, the registrations of the people the viewer may see (names, masked phones; a
    support group's only to those who manage care and its host, the others see the count),
    attendance marking once it has started, and registering a resident on their behalf."""
    lecture = selectors.lecture_get(viewer=request.user, pk=pk)
    query = request.GET.get("q", "").strip()
    matches = []
    can_register = has_permission(request.user, selectors.REGISTERED_BY[LectureKind(lecture.kind)])
    if query and can_register:
        matches = list(
            resident_list(viewer=request.user, query=query).filter(
                community_id=lecture.community_id
            )[:REGISTER_MATCHES]
        )
    reminder = None
    if lecture.reminder_id is not None:
        reminder = selectors.visible_notices(request.user).filter(pk=lecture.reminder_id).first()
    context = {
        "lecture": lecture,
        "shown": selectors.registrants_shown(viewer=request.user, lecture=lecture),
        "registrations": list(
            selectors.lecture_registrations(viewer=request.user, lecture=lecture)
        ),
        "reminder": reminder,
        "can_mark": lecture.has_started
        and selectors.lecture_managed(viewer=request.user, lecture=lecture),
        "can_register": can_register and lecture.ends_at > timezone.now(),
        "query": query,
        "matches": matches,
    }
    return render(request, "outreach/lecture_detail.html", context)


@require_POST
@requires(*selectors.LECTURE_READERS, per_object=True)
def lecture_register(request: AuthedRequest, pk: int) -> HttpResponse:
    """Register a resident the worker may act for (someone without a smartphone)."""
    lecture = selectors.lecture_get(viewer=request.user, pk=pk)
    resident_id = request.POST.get("resident", "")
    resident = get_object_or_404(
        resident_list(viewer=request.user, status="all"),
        pk=int(resident_id) if resident_id.isdigit() else 0,
    )
    try:
        lectures.register(lecture=lecture, resident=resident, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(name)s is registered.") % {"name": resident.name})
    return redirect("outreach:lecture", pk=lecture.pk)


@require_POST
@requires(*selectors.LECTURE_READERS, per_object=True)
def lecture_attendance(request: AuthedRequest, pk: int) -> HttpResponse:
    """Mark whether one registered resident came."""
    lecture = selectors.lecture_get(viewer=request.user, pk=pk)
    if not selectors.lecture_managed(viewer=request.user, lecture=lecture):
        raise PermissionDenied
    registration_id = request.POST.get("registration", "")
    registration = get_object_or_404(
        selectors.lecture_registrations(viewer=request.user, lecture=lecture),
        pk=int(registration_id) if registration_id.isdigit() else 0,
    )
    try:
        lectures.attendance_mark(
            actor=request.user, registration=registration,
            attended=request.POST.get("attended") == "yes",
        )  # fmt: skip
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(f"{reverse('outreach:lecture', kwargs={'pk': lecture.pk})}#r{registration.pk}")
