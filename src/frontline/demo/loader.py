"""Load a synthetic community into the database fast, and the demo accounts and tasks on top.

`seed_community` writes places and residents in batches of about 2,000 people (buildings by
`bulk_create`, the rest by `executemany`) inside one transaction: all of the community or nothing.
Only one batch is held in memory, plus the set of ID numbers already used (about 60 MB at a
million). It computes the derived resident columns exactly as
`frontline.residents.validation.clean_resident_fields` does (pinyin initials, document digest and
tail, phone tail) without calling it per row, which would cost about 0.3 ms a row (5 minutes for a
million). The generator only produces values that pass that validation (the tests check every
row of a small community).

Measured on SQLite (2 busy cores): 3,000 residents in 0.5 s, 100,000 in about 10 s, 1,000,000 in
about 2.5 minutes.

Idempotence: a community is seeded once. If a community of that name already exists in the
sub-district and has any building, `seed_community` changes nothing and reports what is there
(`SeedReport.created` is False); it never tops up or deletes. Use another name (the `seed` command
names benchmark communities "基准社区-N") or a fresh database for another size.

`ensure_demo_accounts` and `ensure_demo_tasks` are idempotent too: accounts are reset to the
documented password and scope on every run; tasks are created once per community.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from frontline.accounts.models import Role, RoleAssignment, User
from frontline.core.bulk import RowWriter
from frontline.core.identity import document_digest
from frontline.core.pinyin import initials
from frontline.demo.synthetic import Person, Synthesizer
from frontline.places.models import (
    Building,
    Community,
    Grid,
    Household,
    SubDistrict,
    Unit,
    address_key,
)
from frontline.residents.models import (
    DocumentType,
    ResidenceType,
    Resident,
    ResidentStatus,
    ResidentTag,
    Tag,
    senior_born_before,
)
from frontline.residents.statistics import refresh_statistics
from frontline.tasks.models import Task, TaskPriority
from frontline.tasks.services import task_create

DEMO_SUBDISTRICT = "演示街道"
DEMO_COMMUNITY = "幸福里社区"
DEMO_RESIDENTS = 3000
DEFAULT_SEED = 20220404
GRID_COUNT = 6
MIN_BUILDINGS = 30
RESIDENTS_PER_BUILDING = 100
BATCH_SIZE = 2000
OCCUPANCY = 0.9  # share of flats that are lived in
SQLITE_CACHE_KIB = 256 * 1024  # page cache while seeding (SQLite only), released afterwards


@dataclass(frozen=True)
class SeedReport:
    community: str
    community_id: int
    created: bool
    grids: int
    buildings: int
    units: int
    households: int
    residents: int
    tags: int
    seconds: float

    def summary(self) -> str:
        verb = "seeded" if self.created else "already present, nothing changed:"
        return (
            f"{self.community} {verb} {self.residents:,} residents, "
            f"{self.households:,} households, {self.buildings:,} buildings "
            f"({self.units:,} units), {self.grids} grids, "
            f"{self.tags:,} tags in {self.seconds:.1f} s"
        )


@dataclass
class _BuildingPlan:
    building: Building
    unit_count: int
    rooms_per_floor: int
    households: list[tuple[int, str, int]]  # (unit number, room, size)


def seed_community(
    *,
    residents: int,
    community_name: str = DEMO_COMMUNITY,
    seed: int = DEFAULT_SEED,
    subdistrict_name: str = DEMO_SUBDISTRICT,
    batch_size: int = BATCH_SIZE,
) -> SeedReport:
    """Create a community of exactly `residents` synthetic people, or report the existing one.

    Layout: 6 grids; max(30, residents / 100) buildings shared out in order over the grids; each
    building 2-4 units (stairwells) of floors x 2-4 flats (rooms 101 ... 1104), about 90% of them
    lived in by a household of 1-5 people. The same seed and community name give the same people
    (ages count from today).
    """
    if residents < 1:
        raise ValueError("residents must be at least 1")
    started = time.perf_counter()
    with transaction.atomic():
        subdistrict, _ = SubDistrict.objects.get_or_create(
            name=subdistrict_name, defaults={"code": "420106002"}
        )
        community, created = Community.objects.get_or_create(
            subdistrict=subdistrict,
            name=community_name,
            defaults={
                "code": "420106002003" if community_name == DEMO_COMMUNITY else "",
                "hotline": "027-8765 4321",
            },
        )
        if created or not Building.objects.filter(community=community).exists():
            with _sqlite_page_cache(SQLITE_CACHE_KIB):
                _populate(
                    community,
                    residents=residents,
                    seed=_mix_seed(seed, community_name),
                    batch_size=batch_size,
                )
                refresh_statistics()
            return _report(community, created=True, started=started)
    return _report(community, created=False, started=started)


@contextmanager
def _sqlite_page_cache(kib: int) -> Iterator[None]:
    """A bigger SQLite page cache while seeding: the random-order indexes (document digest,
    name initials) outgrow the default 2 MB soon, and 1M residents then take 1.5x as long."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA cache_size = {-abs(int(kib))}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {previous}")


def _mix_seed(seed: int, name: str) -> int:
    """Different communities from one seed get different people (and phone numbers)."""
    return seed * 1_000_003 + zlib.crc32(name.encode())


def _report(community: Community, *, created: bool, started: float) -> SeedReport:
    buildings = Building.objects.filter(community=community)
    return SeedReport(
        community=community.name,
        community_id=community.pk,
        created=created,
        grids=Grid.objects.filter(community=community).count(),
        buildings=buildings.count(),
        units=Unit.objects.filter(building__community=community).count(),
        households=Household.objects.filter(unit__building__community=community).count(),
        residents=Resident.objects.filter(community=community).count(),
        tags=ResidentTag.objects.filter(resident__community=community).count(),
        seconds=time.perf_counter() - started,
    )


def _populate(community: Community, *, residents: int, seed: int, batch_size: int) -> None:
    today = timezone.localdate()
    synth = Synthesizer(seed, today=today)
    existing_grids = {grid.name: grid for grid in Grid.objects.filter(community=community)}
    grids = []
    for index in range(1, GRID_COUNT + 1):
        name = f"第{index}网格"
        grids.append(
            existing_grids.get(name) or Grid.objects.create(community=community, name=name)
        )

    building_count = max(MIN_BUILDINGS, -(-residents // RESIDENTS_PER_BUILDING))
    buildings = Building.objects.bulk_create(
        [
            Building(
                community=community,
                grid=grids[index * GRID_COUNT // building_count],
                number=str(index + 1),
            )
            for index in range(building_count)
        ],
        batch_size=batch_size,
    )

    pending: list[tuple[_BuildingPlan, list[list[Person]]]] = []
    pending_people = 0
    for index, building in enumerate(buildings):
        quota = residents * (index + 1) // building_count - residents * index // building_count
        plan, families = _plan_building(building, quota, synth)
        pending.append((plan, families))
        pending_people += quota
        if pending_people >= batch_size:
            _write(community, pending)
            pending, pending_people = [], 0
    if pending:
        _write(community, pending)


def _plan_building(
    building: Building, quota: int, synth: Synthesizer
) -> tuple[_BuildingPlan, list[list[Person]]]:
    """Households for `quota` people in one building, and the flats they live in."""
    rng = synth.rng
    sizes: list[int] = []
    left = quota
    while left > 0:
        size = min(synth.household_size(), left)
        sizes.append(size)
        left -= size
    unit_count = rng.choice((2, 2, 3, 3, 4))
    rooms_per_floor = rng.choice((2, 2, 2, 3, 4))
    needed = math.ceil(len(sizes) / OCCUPANCY)
    floors = max(2, -(-needed // (unit_count * rooms_per_floor)))
    if floors > 33:  # a very dense building: widen it rather than build higher
        floors = 33
        unit_count = max(unit_count, -(-needed // (floors * rooms_per_floor)))
    flats = [
        (unit, floor, room)
        for unit in range(1, unit_count + 1)
        for floor in range(1, floors + 1)
        for room in range(1, rooms_per_floor + 1)
    ]
    occupied = sorted(rng.sample(flats, len(sizes)))
    households = [
        (unit, f"{floor}{room:02d}", size)
        for (unit, floor, room), size in zip(occupied, sizes, strict=True)
    ]
    families = [synth.household(size) for size in sizes]
    return _BuildingPlan(building, unit_count, rooms_per_floor, households), families


def _write(community: Community, pending: list[tuple[_BuildingPlan, list[list[Person]]]]) -> None:
    """Units, households, residents and tags of a few buildings, by `executemany`.

    `bulk_create` spends about 0.1-0.2 ms a row building model instances and preparing values;
    plain parametrised INSERTs do the same work in a fraction of that. The ids are read back by
    natural key (building + unit number, unit + room, community + document digest).
    """
    ops = connection.ops
    building_ids = [plan.building.pk for plan, _ in pending]

    RowWriter(Unit, ("building_id", "number")).write(
        (plan.building.pk, str(number))
        for plan, _ in pending
        for number in range(1, plan.unit_count + 1)
    )
    unit_ids = {
        (building_id, number): pk
        for building_id, number, pk in Unit.objects.filter(building_id__in=building_ids)
        .values_list("building_id", "number", "pk")
        .iterator()
    }

    RowWriter(Household, ("unit_id", "room", "phone")).write(
        (
            unit_ids[(plan.building.pk, str(unit_number))],
            room,
            next((person.phone for person in family if person.phone), ""),
        )
        for plan, families in pending
        for (unit_number, room, _size), family in zip(plan.households, families, strict=True)
    )
    household_ids = {
        (unit_id, room): pk
        for unit_id, room, pk in Household.objects.filter(unit_id__in=unit_ids.values())
        .values_list("unit_id", "room", "pk")
        .iterator()
    }

    rows: list[tuple[Any, ...]] = []
    tags: list[tuple[str, str]] = []  # (document digest, tag)
    for plan, families in pending:
        for (unit_number, room, _size), family in zip(plan.households, families, strict=True):
            household_id = household_ids[(unit_ids[(plan.building.pk, str(unit_number))], room)]
            for person in family:
                number = person.document_number
                digest = document_digest(number)
                rows.append(
                    (
                        household_id, plan.building.pk, community.pk, person.name,
                        _initials(person.name), DocumentType.RESIDENT_ID.value, number, digest,
                        number[-4:], person.sex, ops.adapt_datefield_value(person.birth_date),
                        person.phone, person.phone[-4:], person.residence_type, person.status,
                        person.emergency_contact_name, person.emergency_contact_phone,
                        address_key(plan.building.number, str(unit_number), room),
                    )
                )  # fmt: skip
                tags.extend((digest, tag) for tag in person.tags)
    RowWriter(Resident, RESIDENT_COLUMNS).write(rows)
    if tags:
        resident_ids = dict(
            # By building only: with `community` too SQLite may walk a community index instead.
            Resident.objects.filter(building_id__in=building_ids)
            .values_list("document_digest", "pk")
            .iterator()
        )
        RowWriter(ResidentTag, ("resident_id", "tag")).write(
            (resident_ids[digest], tag) for digest, tag in tags
        )


# The columns `clean_resident_fields` fills (derived ones included), as `_write` gives them.
RESIDENT_COLUMNS = (
    "household_id", "building_id", "community_id", "name", "name_initials", "document_type",
    "document_number", "document_digest", "document_tail", "sex", "birth_date", "phone",
    "phone_tail", "residence_type", "status", "emergency_contact_name", "emergency_contact_phone",
    "address_key",
)  # fmt: skip


@lru_cache(maxsize=200_000)
def _initials(name: str) -> str:
    return initials(name)


# --- demo accounts -------------------------------------------------------------------------------

DEMO_PASSWORD = "frontline-demo"  # noqa: S105 - documented demo logins, printed by `frontline demo`
SUPERUSER = "admin"
# Console output only, like Django's own command messages: not in the translation catalogues.
SUPERUSER_LABEL = "Django admin (superuser)"
# (username, role, scope level, display name)
DEMO_ACCOUNTS: tuple[tuple[str, Role, str, str], ...] = (
    ("officer", Role.SUBDISTRICT_OFFICER, "subdistrict", "周敏（街道）"),
    ("community_admin", Role.COMMUNITY_ADMIN, "community", "李建华（社区书记）"),
    ("fulltime", Role.FULL_TIME_WORKER, "community", "王芳（专职社工）"),
    ("parttime", Role.PART_TIME_WORKER, "community", "张磊（兼职社工）"),
    ("grid1", Role.GRID_WORKER, "grid", "刘洋（第1网格员）"),
    ("volunteer", Role.VOLUNTEER, "community", "陈晨（志愿者）"),
    ("sampler", Role.MEDICAL_SAMPLER, "community", "赵丽（采样医生）"),
    ("counsellor", Role.COUNSELLOR, "community", "孙悦（心理咨询师）"),
    ("supervisor", Role.CARE_SUPERVISOR, "community", "吴静（心理督导）"),
    ("lab", Role.LAB, "subdistrict", "区疾控检测实验室"),
)


def demo_grid(community: Community) -> Grid:
    """Grid 1 of the community: "第1网格" when the loader made it, else the first grid."""
    grids = Grid.objects.filter(community=community)
    grid = grids.filter(name="第1网格").first() or grids.order_by("pk").first()
    if grid is None:
        raise ValueError(f"{community} has no grid; seed it first")
    return grid


@transaction.atomic
def demo_admin(community: Community) -> User | None:
    """The community's first community admin: who the demo's sample work is recorded by."""
    assignment = (
        RoleAssignment.objects.filter(community=community, role=Role.COMMUNITY_ADMIN)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return assignment.user if assignment else None


def ensure_demo_accounts(community: Community) -> list[tuple[str, str, str]]:
    """One login per role over `community`, plus the superuser `admin`; all with `DEMO_PASSWORD`.

    Returns (username, password, role label) rows. Running it again resets each demo user's
    password, re-activates it and makes the demo assignment its only one (moving it to this
    community if it pointed elsewhere); nothing is duplicated.
    """
    scopes: dict[str, dict[str, Any]] = {
        "subdistrict": {"subdistrict": community.subdistrict},
        "community": {"community": community},
        "grid": {"grid": demo_grid(community)},
    }
    password = make_password(DEMO_PASSWORD)  # hashed once: nine hashes would take seconds
    logins = []
    for username, role, level, display_name in DEMO_ACCOUNTS:
        user = _demo_user(username, display_name=display_name, password=password)
        scope = scopes[level]
        RoleAssignment.objects.filter(user=user).exclude(role=role, **scope).delete()
        RoleAssignment.objects.get_or_create(user=user, role=role, **scope)
        logins.append((username, DEMO_PASSWORD, str(role.label)))
    _demo_user(SUPERUSER, display_name="管理员", password=password, superuser=True)
    logins.append((SUPERUSER, DEMO_PASSWORD, SUPERUSER_LABEL))
    return logins


def _demo_user(username: str, *, display_name: str, password: str, superuser: bool = False) -> User:
    user, _ = User.objects.get_or_create(username=username)
    user.display_name = display_name
    user.is_active = True
    user.is_staff = user.is_superuser = superuser
    user.password = password
    user.save()
    return user


# --- demo tasks ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _TaskPlan:
    title: str
    description: str
    pick: str  # which residents or households (see `_candidates`)
    priority: TaskPriority
    due_hours: tuple[int, ...]  # one task per entry, due this many hours from now (<0: overdue)


DEMO_TASKS: tuple[_TaskPlan, ...] = (
    _TaskPlan(
        "回访独居老人", "电话或上门确认老人身体状况，询问药品和生活物资是否充足。",
        "living_alone", TaskPriority.NORMAL, (-30, -4, 20, 48, 72),
    ),
    _TaskPlan(
        "核实外出人员返回时间", "联系本人或家属，登记预计返回日期和途经地区。",
        "away", TaskPriority.NORMAL, (-8, 24, 36, 96),
    ),
    _TaskPlan(
        "保障透析患者按时就医", "确认下次透析时间，协调车辆和通行证明。",
        "dialysis", TaskPriority.URGENT, (6, 30),
    ),
    _TaskPlan(
        "孕产妇健康随访", "了解产检安排，登记预产期，提供就医绿色通道联系方式。",
        "pregnant", TaskPriority.HIGH, (-2, 72),
    ),
    _TaskPlan(
        "卧床老人上门采样登记", "登记上门采样地址和时间，通知采样人员。",
        "bedridden", TaskPriority.HIGH, (-6, 12),
    ),
    _TaskPlan(
        "慢病老人代购药品", "核对常用药清单，安排志愿者代购并送药上门。",
        "chronic_senior", TaskPriority.NORMAL, (-50, 40, 120),
    ),
    _TaskPlan(
        "核实租户住户信息", "上门核对租住人员、租期和联系电话，更新住户档案。",
        "tenant_household", TaskPriority.LOW, (72, 120, 168),
    ),
)  # fmt: skip
DEMO_TASK_TITLES = tuple(plan.title for plan in DEMO_TASKS)


def ensure_demo_tasks(community: Community, *, seed: int = DEFAULT_SEED) -> tuple[int, int]:
    """About 20 open follow-up tasks on residents and households, through `task_create`.

    Some are overdue, some high or urgent. Created once: if the community already holds a task
    with one of the demo titles (whatever its status), nothing is created. Owners are chosen by
    `task_create` (the grid worker of grid 1 buildings, else the community admin), so run
    `ensure_demo_accounts` first. Returns (tasks created now, demo tasks in the community).
    """
    existing = Task.objects.filter(community=community, title__in=DEMO_TASK_TITLES)
    if existing.exists():
        return 0, existing.count()
    rng = random.Random(_mix_seed(seed, community.name))
    now = timezone.now()
    created = 0
    with transaction.atomic():
        for plan in DEMO_TASKS:
            candidates = list(_candidates(community, plan.pick).values_list("pk", flat=True)[:2000])
            picks = sorted(rng.sample(candidates, min(len(plan.due_hours), len(candidates))))
            targets = _targets(plan.pick, picks)
            for target, hours in zip(targets, plan.due_hours, strict=False):
                task_create(
                    title=plan.title,
                    target=target,
                    description=plan.description,
                    due_at=now + dt.timedelta(hours=hours),
                    priority=plan.priority,
                )
                created += 1
    return created, existing.count()


def _candidates(community: Community, pick: str) -> QuerySet:
    if pick == "tenant_household":
        return (
            Household.objects.filter(
                unit__building__community=community,
                residents__residence_type=ResidenceType.TENANT,
            )
            .distinct()
            .order_by("pk")
        )
    residents = Resident.objects.filter(community=community).exclude(
        status=ResidentStatus.MOVED_OUT
    )
    if pick == "away":
        residents = residents.filter(status=ResidentStatus.AWAY)
    elif pick == "chronic_senior":
        residents = residents.filter(
            tags__tag=Tag.CHRONIC, birth_date__lte=senior_born_before(timezone.localdate())
        )
    else:
        residents = residents.filter(tags__tag=Tag(pick))
    return residents.order_by("pk")


def _targets(pick: str, pks: list[int]) -> list[Household | Resident]:
    if pick == "tenant_household":
        households = Household.objects.select_related("unit__building__community").in_bulk(pks)
        return [households[pk] for pk in pks]
    residents = Resident.objects.select_related("community", "building", "household").in_bulk(pks)
    return [residents[pk] for pk in pks]
