"""Who may do what, where: permissions per role, scope filters, and the checks views and services use.

Every read of people or places goes through `scope_q` (via the selectors) and every guarded action
through `require`. Deny by default: a user with no assignment granting a permission sees nothing.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404, HttpRequest

from frontline.accounts.models import Role, RoleAssignment, User

if TYPE_CHECKING:
    from frontline.places.models import Community


class Permission(enum.StrEnum):
    VIEW_AGGREGATES = "view_aggregates"
    VIEW_PLACES = "view_places"
    EDIT_PLACES = "edit_places"
    VIEW_RESIDENTS = "view_residents"
    EDIT_RESIDENTS = "edit_residents"
    REVEAL_IDENTITY = "reveal_identity"
    VIEW_AUDIT = "view_audit"
    WORK_TASKS = "work_tasks"
    ASSIGN_TASKS = "assign_tasks"
    VIEW_HEALTH = "view_health"  # check-ins, trips, contacts and screening results in scope
    RECORD_HEALTH = "record_health"  # record them on residents' behalf, issue household links
    MANAGE_RISK_AREAS = "manage_risk_areas"  # the installation-wide list of risk areas
    EDIT_POLICY = "edit_policy"  # copy, edit and publish rule sets
    MANAGE_CONTROL = "manage_control"  # create, extend, transfer and release control orders
    OVERRIDE_RELEASE = "override_release"  # release without the required negative results
    RECORD_TESTS = "record_tests"  # record nucleic-acid and antigen test results
    PLAN_SAMPLING = "plan_sampling"  # mass-testing rounds, sites, pooling, assignments
    SAMPLE = "sample"  # scan tubes and people at a sampling site or door to door
    POST_LAB_RESULTS = (
        "post_lab_results"  # a laboratory's result files (the lab account's only right)
    )
    SCREEN_RESIDENTS = "screen_residents"  # record PHQ/GAD screenings on residents' behalf
    VIEW_CARE = "view_care"  # that a care case exists, its risk level and next contact; never notes
    MANAGE_CARE = "manage_care"  # open, assign, refer and close care cases; follow-up schedules
    COUNSEL = "counsel"  # hold care cases, write and read the notes of one's own cases
    READ_CARE_NOTES = "read_care_notes"  # a supervisor's explicit right to read any case's notes
    HANDLE_REQUESTS = "handle_requests"  # see, take, transfer and resolve residents' requests
    MANAGE_HELPDESK = "manage_helpdesk"  # triage keywords, SLAs per category and urgency
    SEND_NOTICES = "send_notices"  # compose and send notices, see acknowledgements, flyers
    MANAGE_SUPPLIES = "manage_supplies"  # catalogue, storerooms, the stock ledger, rounds, batches
    DELIVER = "deliver"  # see and mark one's own deliveries (address and phone tail only)


P = Permission
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.SUBDISTRICT_OFFICER: frozenset({P.VIEW_AGGREGATES, P.MANAGE_RISK_AREAS, P.EDIT_POLICY}),
    # everything but counselling notes (the counsellor's and the supervisor's) and lab postings
    Role.COMMUNITY_ADMIN: frozenset(Permission) - {P.READ_CARE_NOTES, P.COUNSEL, P.POST_LAB_RESULTS},
    Role.FULL_TIME_WORKER: frozenset(
        {P.VIEW_PLACES, P.EDIT_PLACES, P.VIEW_RESIDENTS, P.EDIT_RESIDENTS, P.REVEAL_IDENTITY,
         P.WORK_TASKS, P.ASSIGN_TASKS, P.VIEW_HEALTH, P.RECORD_HEALTH, P.MANAGE_RISK_AREAS,
         P.MANAGE_CONTROL, P.RECORD_TESTS, P.PLAN_SAMPLING, P.SAMPLE, P.SCREEN_RESIDENTS,
         P.VIEW_CARE, P.HANDLE_REQUESTS, P.SEND_NOTICES, P.MANAGE_SUPPLIES, P.DELIVER}
    ),
    Role.PART_TIME_WORKER: frozenset(
        {P.VIEW_PLACES, P.VIEW_RESIDENTS, P.EDIT_RESIDENTS, P.WORK_TASKS, P.VIEW_HEALTH,
         P.RECORD_HEALTH, P.SCREEN_RESIDENTS, P.VIEW_CARE, P.HANDLE_REQUESTS, P.DELIVER}
    ),
    Role.GRID_WORKER: frozenset(
        {P.VIEW_PLACES, P.VIEW_RESIDENTS, P.EDIT_RESIDENTS, P.WORK_TASKS, P.VIEW_HEALTH,
         P.RECORD_HEALTH, P.SCREEN_RESIDENTS, P.VIEW_CARE, P.HANDLE_REQUESTS, P.DELIVER}
    ),
    Role.VOLUNTEER: frozenset({P.WORK_TASKS, P.DELIVER}),
    Role.MEDICAL_SAMPLER: frozenset(
        {P.VIEW_PLACES, P.VIEW_RESIDENTS, P.WORK_TASKS, P.VIEW_HEALTH, P.RECORD_TESTS, P.SAMPLE}
    ),
    Role.COUNSELLOR: frozenset(
        {P.VIEW_RESIDENTS, P.WORK_TASKS, P.SCREEN_RESIDENTS, P.VIEW_CARE, P.MANAGE_CARE, P.COUNSEL}
    ),
    Role.CARE_SUPERVISOR: frozenset(
        {P.VIEW_RESIDENTS, P.WORK_TASKS, P.SCREEN_RESIDENTS, P.VIEW_CARE, P.MANAGE_CARE, P.COUNSEL,
         P.READ_CARE_NOTES}
    ),
    Role.LAB: frozenset({P.POST_LAB_RESULTS}),
}  # fmt: skip


@dataclass(frozen=True)
class Reach:
    """The places one permission covers for one user, as id sets per level."""

    subdistricts: frozenset[int] = field(default_factory=frozenset)
    communities: frozenset[int] = field(default_factory=frozenset)
    grids: frozenset[int] = field(default_factory=frozenset)
    buildings: frozenset[int] = field(default_factory=frozenset)

    def __bool__(self) -> bool:
        return bool(self.subdistricts or self.communities or self.grids or self.buildings)


def assignments_of(user: User | AnonymousUser) -> list[RoleAssignment]:
    """The user's role assignments, read once per request object."""
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_frontline_assignments", None)
    if cached is None:
        cached = list(RoleAssignment.objects.filter(user=user))
        user._frontline_assignments = cached  # type: ignore[union-attr, attr-defined]
    return cached


def reach(user: User | AnonymousUser, permission: Permission) -> Reach:
    granted = [a for a in assignments_of(user) if permission in ROLE_PERMISSIONS[Role(a.role)]]
    return Reach(
        subdistricts=frozenset(a.subdistrict_id for a in granted if a.subdistrict_id),
        communities=frozenset(a.community_id for a in granted if a.community_id),
        grids=frozenset(a.grid_id for a in granted if a.grid_id),
        buildings=frozenset(a.building_id for a in granted if a.building_id),
    )


def has_permission(user: User | AnonymousUser, permission: Permission) -> bool:
    """Whether the user holds the permission anywhere (for menus and list routes)."""
    return bool(reach(user, permission))


def permissions_of(user: User | AnonymousUser) -> set[Permission]:
    return {p for a in assignments_of(user) for p in ROLE_PERMISSIONS[Role(a.role)]}


def scope_q(
    user: User | AnonymousUser,
    permission: Permission,
    *,
    community: str | None,
    building: str | None = None,
    grid: str | None = None,
) -> Q:
    """A filter for rows inside the user's reach for `permission`.

    `community`, `grid` and `building` are the lookup paths from the filtered model to those
    places (None where the model has no such link); a building implies its grid.
    """
    area = reach(user, permission)
    if grid is None and building is not None:
        grid = f"{building}__grid"
    clauses: list[Q] = []
    if community is not None:
        if area.subdistricts:
            # The community row itself ("pk") names its sub-district directly.
            subdistrict = "subdistrict" if community == "pk" else f"{community}__subdistrict"
            clauses.append(Q(**{f"{subdistrict}__in": area.subdistricts}))
        if area.communities:
            clauses.append(Q(**{f"{community}__in": area.communities}))
    if grid is not None and area.grids:
        clauses.append(Q(**{f"{grid}__in": area.grids}))
    if building is not None and area.buildings:
        clauses.append(Q(**{f"{building}__in": area.buildings}))
    if not clauses:
        return Q(pk__in=[])
    combined = clauses[0]
    for clause in clauses[1:]:
        combined |= clause
    return combined


M = TypeVar("M", bound=models.Model)


def scoped(user: User | AnonymousUser, permission: Permission, model: type[models.Model]) -> Q:
    """`scope_q` for a model that declares its `scope_paths` to the place hierarchy."""
    return scope_q(user, permission, **model.scope_paths)  # type: ignore[attr-defined]


def holders_over(community: Community, permission: Permission) -> models.QuerySet[User]:
    """Active users holding `permission` over the community or any part of it (by an assignment
    to it, its sub-district, or one of its grids or buildings), by name: who may be given work
    there, e.g. a delivery batch or a medicine run."""
    roles = [role for role, granted in ROLE_PERMISSIONS.items() if permission in granted]
    over = (
        Q(community_id=community.pk)
        | Q(subdistrict_id=community.subdistrict_id)
        | Q(grid__community_id=community.pk)
        | Q(building__community_id=community.pk)
    )
    holders = RoleAssignment.objects.filter(over, role__in=roles).values("user_id")
    return User.objects.filter(is_active=True, pk__in=holders).order_by("display_name", "username")


def require(user: User | AnonymousUser, permission: Permission, row: M) -> M:
    """Allow `permission` on `row`; else 404 when the row is outside all the user sees, 403 inside."""
    model = type(row)
    rows = model._default_manager.filter(pk=row.pk)
    if rows.filter(scoped(user, permission, model)).exists():
        return row
    visible = Q(pk__in=[])
    for other in permissions_of(user) - {permission}:
        visible |= scoped(user, other, model)
    if rows.filter(visible).exists():
        raise PermissionDenied
    raise Http404


# -- view guards: every page declares the permission it needs ---------------------------------

F = TypeVar("F", bound=Callable[..., Any])


def _guard(
    view: F,
    required: str,
    *,
    sign_in: bool,
    check: tuple[Permission, ...] = (),
) -> F:
    """Wrap a view: send anonymous visitors to log in (pages), then 403 unless the user holds
    one of the `check` permissions somewhere."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if sign_in and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if check and not any(has_permission(request.user, permission) for permission in check):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    guarded.required_permission = required  # type: ignore[attr-defined]
    return guarded  # type: ignore[return-value]


def requires(*permissions: Permission, per_object: bool = False) -> Callable[[F], F]:
    """Page view guard: log in first, then 403 for a user who holds none of `permissions` anywhere.

    Object routes pass `per_object=True`: their selector or service answers 404 for a row outside
    everything the user sees and 403 for one they see but may not act on.
    """
    required = "|".join(permissions)
    check = () if per_object else permissions
    return lambda view: _guard(view, required, sign_in=True, check=check)


def api_requires(*permissions: Permission, per_object: bool = False) -> Callable[[F], F]:
    """API operation guard, like `requires`; the caller is already authenticated by the API."""
    required = "|".join(permissions)
    check = () if per_object else permissions
    return lambda view: _guard(view, required, sign_in=False, check=check)


def signed_in(view: F) -> F:
    """Page view guard for pages every signed-in user may open (their own inbox, password)."""
    return _guard(view, "signed_in", sign_in=True)


def public(view: F) -> F:
    """Mark a view that anyone may open (login, language switch)."""
    view.required_permission = "public"  # type: ignore[attr-defined]
    return view
