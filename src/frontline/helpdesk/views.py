"""Worker pages of the help desk: the request list (by status, category, urgency, grid, overdue),
one request with its timeline and steps, a request entered on a resident's behalf (a phone
call or a visit), the request photo, and each community's triage words and service levels.
Every write goes through `services`; these views parse input and pick templates."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from frontline.accounts.access import Permission, has_permission, requires
from frontline.core.files import private_file_response
from frontline.core.http import AuthedRequest
from frontline.core.pagination import paginate
from frontline.helpdesk import selectors, services
from frontline.helpdesk.models import Category, Channel, RequestStatus, Urgency
from frontline.residents.models import Tag

STATUS_FILTERS = [("open", gettext_lazy("Open")), *RequestStatus.choices]


def _int(value: str) -> int | None:
    return int(value) if value.isdigit() else None


def _filters(request: AuthedRequest) -> selectors.RequestFilters:
    return selectors.RequestFilters(
        status=request.GET.get("status", "open"),
        category=request.GET.get("category", ""),
        urgency=request.GET.get("urgency", ""),
        grid=_int(request.GET.get("grid", "")),
        overdue=request.GET.get("overdue") == "1",
    )


@require_safe
@requires(Permission.HANDLE_REQUESTS)
def request_list(request: AuthedRequest) -> HttpResponse:
    filters = _filters(request)
    page = paginate(request, selectors.request_list(viewer=request.user, filters=filters))
    context = {
        "page": page, "filters": filters, "statuses": STATUS_FILTERS,
        "categories": Category.choices, "urgencies": Urgency.choices,
        "grids": list(selectors.grids_of(viewer=request.user)),
        "may_manage": has_permission(request.user, Permission.MANAGE_HELPDESK),
    }  # fmt: skip
    if request.htmx:
        return render(request, "helpdesk/list.html#results", context)
    return render(request, "helpdesk/list.html", context)


@require_safe
@requires(Permission.HANDLE_REQUESTS, per_object=True)
def request_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    help_request = selectors.request_get(viewer=request.user, pk=pk)
    context = {
        "help_request": help_request,
        "events": list(selectors.request_events(help_request)),
        "candidates": services.assign_candidates(help_request) if help_request.is_open else [],
        "may_reopen": services.may_reopen(help_request),
        "overdue": help_request.overdue_kinds(),
    }
    return render(request, "helpdesk/detail.html", context)


@require_POST
@requires(Permission.HANDLE_REQUESTS, per_object=True)
def request_step(request: AuthedRequest, pk: int) -> HttpResponse:
    """One form per step on the request page: take, assign, note, transfer, resolve, reopen."""
    help_request = selectors.request_get(viewer=request.user, pk=pk)
    action = request.POST.get("action", "")
    try:
        if action == "take":
            services.request_take(actor=request.user, request=help_request)
        elif action == "assign":
            to = next(
                (
                    user
                    for user in services.assign_candidates(help_request)
                    if str(user.pk) == request.POST.get("to")
                ),
                None,
            )
            if to is None:
                raise ValidationError(_("Choose someone who handles requests where this one is."))
            services.request_assign(
                actor=request.user, request=help_request, to=to, note=request.POST.get("note", "")
            )
        elif action == "note":
            services.request_note(
                actor=request.user, request=help_request, note=request.POST.get("note", "")
            )
        elif action == "transfer":
            services.request_transfer(
                actor=request.user, request=help_request,
                partner=request.POST.get("partner", ""), note=request.POST.get("note", ""),
            )  # fmt: skip
        elif action == "resolve":
            services.request_resolve(
                actor=request.user, request=help_request,
                resolution=request.POST.get("resolution", ""),
            )  # fmt: skip
        elif action == "reopen":
            services.request_reopen(
                actor=request.user, request=help_request, reason=request.POST.get("reason", "")
            )
        else:
            raise ValidationError(_("Choose what to do."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The request is updated."))
    return redirect("helpdesk:detail", pk=help_request.pk)


@requires(Permission.HANDLE_REQUESTS, per_object=True)
def resident_request_new(request: AuthedRequest, pk: int) -> HttpResponse:
    """Enter a request on a resident's behalf: a phone call or a visit."""
    resident = selectors.request_resident_get(viewer=request.user, pk=pk)
    error = ""
    if request.method == "POST":
        try:
            channel = request.POST.get("channel", "")
            if channel not in {Channel.PHONE, Channel.VISIT}:
                raise ValidationError({"channel": [_("Choose how the request came in.")]})
            help_request = services.request_submit(
                actor=request.user, resident=resident,
                category=request.POST.get("category", ""), text=request.POST.get("text", ""),
                channel=Channel(channel), photo=request.FILES.get("photo"),
                reported_urgent=request.POST.get("urgent") == "1",
            )  # fmt: skip
        except ValidationError as invalid:
            error = " ".join(invalid.messages)
        else:
            if help_request.is_urgent:
                messages.error(request, _("Urgent: the responsible worker is paged now."))
            else:
                messages.success(request, _("The request is received."))
            return redirect("helpdesk:detail", pk=help_request.pk)
    context = {
        "resident": resident, "error": error, "categories": Category.choices,
        "channels": [(Channel.PHONE.value, Channel.PHONE.label),
                     (Channel.VISIT.value, Channel.VISIT.label)],
        "posted": request.POST,
    }  # fmt: skip
    return render(request, "helpdesk/new.html", context, status=422 if error else 200)


@require_safe
@requires(Permission.HANDLE_REQUESTS, per_object=True)
def request_photo(request: AuthedRequest, pk: int) -> FileResponse:
    help_request = selectors.request_get(viewer=request.user, pk=pk)
    if not help_request.photo:
        raise Http404
    return private_file_response(help_request.photo)


# -- settings -----------------------------------------------------------------------------------


@require_safe
@requires(Permission.MANAGE_HELPDESK)
def settings_list(request: AuthedRequest) -> HttpResponse:
    communities = list(selectors.settings_communities(viewer=request.user))
    if len(communities) == 1:
        return redirect("helpdesk:settings", pk=communities[0].pk)
    return render(request, "helpdesk/settings_list.html", {"communities": communities})


@requires(Permission.MANAGE_HELPDESK, per_object=True)
def settings_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    """A community's urgent keywords, urgent vulnerability tags and service levels."""
    community = selectors.settings_community_get(viewer=request.user, pk=pk)
    error = ""
    if request.method == "POST":
        try:
            if request.POST.get("action") == "sla":
                services.service_level_update(
                    actor=request.user, community=community,
                    category=request.POST.get("category", ""),
                    urgency=request.POST.get("urgency", ""),
                    take_minutes=request.POST.get("take_minutes", ""),
                    resolve_minutes=request.POST.get("resolve_minutes", ""),
                )  # fmt: skip
            else:
                services.triage_rules_update(
                    actor=request.user, community=community,
                    keywords=request.POST.get("keywords", "").splitlines(),
                    tag_rules=request.POST.get("tag_rules", "").splitlines(),
                )  # fmt: skip
        except ValidationError as invalid:
            error = " ".join(invalid.messages)
        else:
            messages.success(request, _("The help-desk settings are saved."))
            return redirect("helpdesk:settings", pk=community.pk)
    keywords, tag_rules = services.triage_rules(community.pk)
    context = {
        "community": community, "error": error, "keywords": "\n".join(keywords),
        "tag_rules": "\n".join(tag_rules), "tags": [(t.value, t.label) for t in Tag],
        "sla": [
            (category, Category(category).label, urgency, Urgency(urgency).label, take, resolve)
            for category, urgency, take, resolve in services.sla_table(community.pk)
        ],
    }  # fmt: skip
    return render(request, "helpdesk/settings.html", context, status=422 if error else 200)


@require_safe
@requires(Permission.HANDLE_REQUESTS)
def urgent_banner(request: AuthedRequest) -> HttpResponse:
    """The urgent requests nobody has taken, for the banner every page of a worker who handles
    requests loads and refreshes (htmx, every minute) until someone takes them."""
    rows = selectors.urgent_untaken(viewer=request.user)
    context = {
        "rows": rows[: selectors.URGENT_BANNER_ROWS],
        "more": len(rows) > selectors.URGENT_BANNER_ROWS,
    }
    return render(request, "helpdesk/_urgent_banner.html", context)
