"""Pages of the control policy: the rule sets, one set in plain words with a schedule calculator
and a comparison, and (for policy editors) copy, edit and publish.

Rule sets are installation-wide, so no community scope applies: reading needs the view-health or
edit-policy permission anywhere, writing the edit-policy permission (checked by the services).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from frontline.accounts.access import Permission, requires
from frontline.core.forms import add_service_errors
from frontline.core.http import AuthedRequest
from frontline.core.pagination import paginate
from frontline.policy import explain, selectors, services
from frontline.policy.forms import (
    CategoryRuleForm,
    CopyForm,
    PhaseFormSet,
    PublishForm,
    ScheduleForm,
    ZoneRuleFormSet,
    phase_initial,
    zone_initial,
)
from frontline.policy.models import Category, RuleSet

V = TypeVar("V", bound=Callable[..., Any])


def _today() -> Any:
    return timezone.localdate()


def _editable(request: AuthedRequest, pk: int) -> RuleSet:
    """A rule set the user may change: 404 if missing, 403 without the permission."""
    rule_set = selectors.rule_set_get(viewer=request.user, pk=pk)
    if not services.may_edit_policy(request.user):
        raise PermissionDenied
    return rule_set


def _frozen_redirect(request: AuthedRequest, rule_set: RuleSet) -> HttpResponse:
    messages.info(
        request, _("This rule set is published and read-only; copy it to make a new version.")
    )
    return redirect("policy:detail", pk=rule_set.pk)


@requires(Permission.VIEW_HEALTH, Permission.EDIT_POLICY, per_object=True)
def rule_set_list(request: AuthedRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    sort = "name" if request.GET.get("sort") == "name" else "effective"
    rule_sets = selectors.rule_set_list(viewer=request.user, query=query, sort=sort)
    in_force = selectors.rule_set_in_force(_today())
    context = {
        "page": paginate(request, rule_sets),
        "query": query,
        "sort": sort,
        "in_force": in_force,
        "today": _today(),
        "may_edit": services.may_edit_policy(request.user),
    }
    if request.htmx:
        return render(request, "policy/list.html#results", context)
    return render(request, "policy/list.html", context)


@requires(Permission.VIEW_HEALTH, Permission.EDIT_POLICY, per_object=True)
def rule_set_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    rule_set = selectors.rule_set_get(viewer=request.user, pk=pk)
    rules, zones = selectors.rule_set_with_rules(rule_set)
    others = list(selectors.rule_set_list(viewer=request.user).exclude(pk=rule_set.pk))
    compare_with = next(
        (other for other in others if str(other.pk) == request.GET.get("compare", "")), None
    )
    comparison = None
    if compare_with is not None:
        comparison = explain.compare((rules, zones), selectors.rule_set_with_rules(compare_with))
    may_edit = services.may_edit_policy(request.user)
    in_force = selectors.rule_set_in_force(_today())
    context = {
        "rule_set": rule_set,
        "summaries": explain.summarise(rules),
        "zones": [(zone, explain.zone_sentence(zone)) for zone in zones],
        "others": others,
        "compare_with": compare_with,
        "comparison": comparison,
        "in_force": in_force is not None and in_force.pk == rule_set.pk,
        "may_edit": may_edit,
        "problems": services.rule_set_problems(rule_set) if may_edit and not rule_set.is_published else {},
        "schedule_form": ScheduleForm(initial={"category": Category.CLOSE_CONTACT, "start": _today()}),
        "copy_form": CopyForm(),
        "publish_form": PublishForm(initial={"effective_from": _today()}),
    }  # fmt: skip
    return render(request, "policy/detail.html", context)


@requires(Permission.VIEW_HEALTH, Permission.EDIT_POLICY, per_object=True)
def rule_set_schedule(request: AuthedRequest, pk: int) -> HttpResponse:
    """The calculator: a category and a first day -> the phases with dates and test days."""
    rule_set = selectors.rule_set_get(viewer=request.user, pk=pk)
    asked = "category" in request.GET or "start" in request.GET
    form = ScheduleForm(request.GET if asked else None, initial={"start": _today()})
    context: dict[str, Any] = {"rule_set": rule_set, "schedule_form": form, "schedule": None}
    if form.is_bound and form.is_valid():
        schedule = selectors.schedule(
            rule_set=rule_set, category=form.cleaned_data["category"], start=form.cleaned_data["start"]
        )  # fmt: skip
        context |= {"schedule": schedule, "schedule_rows": explain.schedule_rows(schedule)}
    status = 422 if form.is_bound and form.errors else 200
    if request.htmx:
        return render(request, "policy/detail.html#calculator", context, status=status)
    return render(request, "policy/schedule.html", context, status=status)


@requires(Permission.EDIT_POLICY, per_object=True)
def rule_set_copy(request: AuthedRequest, pk: int) -> HttpResponse:
    source = _editable(request, pk)
    form = CopyForm(
        request.POST or None, initial={"name": _("%(name)s (copy)") % {"name": source.name}}
    )
    if request.method == "POST" and form.is_valid():
        try:
            copy = services.rule_set_copy(
                actor=request.user, source=source, name=form.cleaned_data["name"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Draft created. Edit its rules, then publish it."))
            return redirect("policy:edit", pk=copy.pk)
    return render(request, "policy/copy.html", {"source": source, "form": form},
                  status=422 if form.errors else 200)  # fmt: skip


def _category_forms(
    rule_set: RuleSet, data: Any = None, only: str | None = None
) -> list[dict[str, Any]]:
    """One card per category: its form and its phase rows, bound to `data` for category `only`."""
    rules, _zones = selectors.rule_set_with_rules(rule_set)
    cards = []
    for summary in explain.summarise(rules):
        bound = data if summary.category == only else None
        rule = summary.rule
        cards.append(
            {
                "summary": summary,
                "form": CategoryRuleForm(
                    bound, prefix=summary.category,
                    initial={"identified": True if rule is None else rule.identified,
                             "notes": rule.notes if rule else ""},
                ),
                "phases": PhaseFormSet(
                    bound, prefix=f"{summary.category}-phases", initial=phase_initial(summary.phases)
                ),
            }
        )  # fmt: skip
    return cards


@requires(Permission.EDIT_POLICY, per_object=True)
def rule_set_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    """The category rules of a draft, a card per category; each card saves on its own."""
    rule_set = _editable(request, pk)
    if rule_set.is_published:
        return _frozen_redirect(request, rule_set)
    category = request.POST.get("category", "")
    if request.method != "POST" or category not in Category.values:
        return render(
            request, "policy/edit.html", {"rule_set": rule_set, "cards": _category_forms(rule_set)}
        )
    cards = _category_forms(rule_set, request.POST, only=category)
    card = next(card for card in cards if card["summary"].category == category)
    form, phases = card["form"], card["phases"]
    if form.is_valid() and phases.is_valid():
        try:
            services.category_rule_put(
                actor=request.user, rule_set=rule_set, category=category,
                identified=form.cleaned_data["identified"],
                phases=[row.spec() for row in phases.forms
                        if row.cleaned_data and row not in phases.deleted_forms],
                notes=form.cleaned_data["notes"],
            )  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if request.htmx:
                fresh = next(
                    c for c in _category_forms(rule_set) if c["summary"].category == category
                )
                return render(request, "policy/edit.html#card",
                              {"rule_set": rule_set, "card": fresh, "saved": True})  # fmt: skip
            messages.success(request, _("Saved."))
            return redirect("policy:edit", pk=rule_set.pk)
    if request.htmx:
        return render(
            request, "policy/edit.html#card", {"rule_set": rule_set, "card": card}, status=422
        )
    return render(request, "policy/edit.html", {"rule_set": rule_set, "cards": cards}, status=422)


@requires(Permission.EDIT_POLICY, per_object=True)
def rule_set_zones(request: AuthedRequest, pk: int) -> HttpResponse:
    """The zone rules of a draft, edited together and saved all or nothing."""
    rule_set = _editable(request, pk)
    if rule_set.is_published:
        return _frozen_redirect(request, rule_set)
    _rules, zones = selectors.rule_set_with_rules(rule_set)
    formset = ZoneRuleFormSet(request.POST or None, prefix="zones", initial=zone_initial(zones))
    problems: list[str] = []
    if request.method == "POST" and formset.is_valid():
        try:
            services.zone_rules_put(
                actor=request.user, rule_set=rule_set,
                zone_rules=[row.spec() for row in formset.forms
                            if row.cleaned_data and row not in formset.deleted_forms],
            )  # fmt: skip
        except ValidationError as error:
            problems = error.messages
        else:
            messages.success(request, _("Zone rules saved."))
            return redirect("policy:detail", pk=rule_set.pk)
    invalid = request.method == "POST"
    return render(request, "policy/zones.html",
                  {"rule_set": rule_set, "formset": formset, "problems": problems},
                  status=422 if invalid else 200)  # fmt: skip


@requires(Permission.EDIT_POLICY, per_object=True)
def rule_set_publish(request: AuthedRequest, pk: int) -> HttpResponse:
    """Confirm publishing: the problems that stop it, if any, and the date it takes effect."""
    rule_set = _editable(request, pk)
    if rule_set.is_published:
        return _frozen_redirect(request, rule_set)
    form = PublishForm(request.POST or None, initial={"effective_from": _today()})
    if request.method == "POST" and form.is_valid():
        try:
            services.rule_set_publish(
                actor=request.user, rule_set=rule_set, effective_from=form.cleaned_data["effective_from"]
            )  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Published. The rule set is now read-only."))
            return redirect("policy:detail", pk=rule_set.pk)
    context = {"rule_set": rule_set, "form": form, "problems": services.rule_set_problems(rule_set)}
    return render(request, "policy/publish.html", context, status=422 if form.errors else 200)
