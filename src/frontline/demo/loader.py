"""Load a synthetic community into the database fast, and the demo accounts and tasks on top.

`seed_community` writes places and residents with `bulk_create` in batches inside one transaction:
all of the community or nothing. It computes the derived resident columns exactly as
`frontline.residents.validation.clean_resident_fields` does (pinyin initials, document digest and
tail, phone tail) without calling it per row, which would cost about 0.3 ms a row (5 minutes for a
million). The generator only produces values that pass that validation (the tests check a sample).

Idempotence: a community is seeded once. If a community of that name already exists in the
sub-district and has any building, `seed_community` changes nothing and reports what is there
(`SeedReport.created` is False); it never tops up or deletes. Use another name (the `seed` command
names benchmark communities "基准社区-N") or a fresh database for another size.
"""

from __future__ import annotations

import datetime as dt
import math
import time
import zlib
from dataclasses import dataclass
from functools import lru_cache

from django.db import connection, transaction
from django.utils import timezone

from frontline.core.identity import document_digest
from frontline.core.pinyin import initials
from frontline.demo.synthetic import Person, Synthesizer
from frontline.places.models import Building, Community, Grid, Household, SubDistrict, Unit
from frontline.residents.models import DocumentType, Resident, ResidentTag

DEMO_SUBDISTRICT = "演示街道"
DEMO_COMMUNITY = "幸福里社区"
DEMO_RESIDENTS = 3000
DEFAULT_SEED = 20220404
GRID_COUNT = 6
MIN_BUILDINGS = 30
RESIDENTS_PER_BUILDING = 100
BATCH_SIZE = 2000
OCCUPANCY = 0.9  # share of flats that are lived in


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
            _populate(
                community,
                residents=residents,
                seed=_mix_seed(seed, community_name),
                batch_size=batch_size,
            )
            return _report(community, created=True, started=started)
    return _report(community, created=False, started=started)


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
            _write(community, pending, today=today, batch_size=batch_size)
            pending, pending_people = [], 0
    if pending:
        _write(community, pending, today=today, batch_size=batch_size)


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


def _write(
    community: Community,
    pending: list[tuple[_BuildingPlan, list[list[Person]]]],
    *,
    today: dt.date,
    batch_size: int,
) -> None:
    units = Unit.objects.bulk_create(
        [
            Unit(building=plan.building, number=str(number))
            for plan, _ in pending
            for number in range(1, plan.unit_count + 1)
        ],
        batch_size=batch_size,
    )
    unit_by_key = {(unit.building_id, unit.number): unit for unit in units}
    household_rows = []
    for plan, families in pending:
        for (unit_number, room, _size), family in zip(plan.households, families, strict=True):
            head_phone = next((person.phone for person in family if person.phone), "")
            household_rows.append(
                Household(
                    unit=unit_by_key[(plan.building.pk, str(unit_number))],
                    room=room,
                    phone=head_phone,
                )
            )
    households = iter(Household.objects.bulk_create(household_rows, batch_size=batch_size))

    inserter = _ResidentInserter(community.pk)
    for plan, families in pending:
        for family in families:
            household = next(households)
            for person in family:
                inserter.add(person, household_id=household.pk, building_id=plan.building.pk)
                if len(inserter.rows) >= batch_size:
                    inserter.flush()
    inserter.flush()


class _ResidentInserter:
    """Residents and their tags by `executemany`, with no model instances in between.

    `bulk_create` spends about 0.2 ms a row building model instances and preparing values; a plain
    parametrised INSERT does the same work in a fraction. Columns this loader does not compute
    (added to the model later) get their field default, prepared as the ORM would. Tags are joined
    to their resident by the unique (community, document digest) pair, so no ids come back.
    """

    COMPUTED = (
        "household_id", "building_id", "community_id", "name", "name_initials", "document_type",
        "document_number", "document_digest", "document_tail", "sex", "birth_date", "phone",
        "phone_tail", "residence_type", "status", "emergency_contact_name",
        "emergency_contact_phone", "created_at", "updated_at",
    )  # fmt: skip

    def __init__(self, community_id: int) -> None:
        self.community_id = community_id
        self.ops = connection.ops
        self.now = self.ops.adapt_datetimefield_value(timezone.now())
        fields = [field for field in Resident._meta.concrete_fields if not field.primary_key]
        by_attname = {field.attname: field for field in fields}
        others = [field for field in fields if field.attname not in self.COMPUTED]
        self.constants = tuple(
            field.get_db_prep_save(field.get_default(), connection) for field in others
        )
        quote = self.ops.quote_name
        resident, tag = Resident._meta, ResidentTag._meta
        table = quote(resident.db_table)
        columns = ", ".join(
            quote(column)
            for column in [by_attname[name].column for name in self.COMPUTED]
            + [field.column for field in others]
        )
        marks = ", ".join(["%s"] * (len(self.COMPUTED) + len(others)))
        # Names come from the models' meta, quoted; every value is a parameter.
        self.resident_sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
        tag_table = quote(tag.db_table)
        tag_columns = (
            f"{quote(tag.get_field('resident').column)}, {quote(tag.get_field('tag').column)}"
        )
        pk = quote(resident.pk.column)
        community = quote(resident.get_field("community").column)
        digest = quote(resident.get_field("document_digest").column)
        self.tag_sql = (
            f"INSERT INTO {tag_table} ({tag_columns}) SELECT {pk}, %s FROM {table} "  # noqa: S608
            f"WHERE {community} = %s AND {digest} = %s"
        )
        self.rows: list[tuple[object, ...]] = []
        self.tags: list[tuple[str, int, str]] = []

    def add(self, person: Person, *, household_id: int, building_id: int) -> None:
        """Queue one resident with the derived columns `clean_resident_fields` would compute."""
        number = person.document_number
        digest = document_digest(number)
        self.rows.append(
            (
                household_id, building_id, self.community_id, person.name, _initials(person.name),
                DocumentType.RESIDENT_ID.value, number, digest, number[-4:], person.sex,
                self.ops.adapt_datefield_value(person.birth_date), person.phone,
                person.phone[-4:], person.residence_type, person.status,
                person.emergency_contact_name, person.emergency_contact_phone, self.now, self.now,
                *self.constants,
            )
        )  # fmt: skip
        self.tags.extend((tag, self.community_id, digest) for tag in person.tags)

    def flush(self) -> None:
        with connection.cursor() as cursor:
            if self.rows:
                cursor.executemany(self.resident_sql, self.rows)
            if self.tags:
                cursor.executemany(self.tag_sql, self.tags)
        self.rows, self.tags = [], []


@lru_cache(maxsize=200_000)
def _initials(name: str) -> str:
    return initials(name)
