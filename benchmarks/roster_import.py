"""Case: import N synthetic residents from an .xlsx roster; DESIGN.md target <= 15 s for 100k on
2 cores and <= 2x a baseline of calamine read + bulk insert, measured in the same run.

N is the run's `--residents`, capped at 100,000; 10,000 is measured too when N is larger (a quick
figure that shows how the time scales). The file is built once per size with xlsxwriter
(constant_memory) from `frontline.demo.synthetic.Synthesizer` people: 姓名, 身份证号, 手机, 楼栋,
单元, 房号, 性别, 出生日期 (a date cell); about 100 people to a building, 1-5 to a household.

Every timed run gets a fresh community beside the seeded one (same database, so the resident table
and its indexes already hold the seeded people), with the buildings the file names and no units or
households, and a user who is its community admin. Setting that up and deleting everything the run
wrote (residents, units, households, audit entries, the kept upload) afterwards is not timed.

- ours: `imports.roster_upload` (keeps the file, reads it to find the header), `roster_set_mapping
  (overrides={}, create_places=True)`, `roster_commit` (parses the file again inside its preview,
  validates and matches every row, creates the missing units and households, bulk-creates the
  residents and one audit entry each, refreshes the planner statistics).
- baseline: in one transaction, python-calamine reads the sheet; the same column values are
  computed from the cells with the same functions (pinyin initials, keyed document digest, tails,
  address sort key; sex and birth date as the file gives them); then the same units, households
  and residents are inserted by `executemany` (ids read back by natural key). No validation, no
  matching, no audit, no statistics. The harness checks that both wrote the same rows.

A run costs seconds to tens of seconds, so this case makes at most 3 timed runs per size
(`MAX_REPEAT`) whatever `--repeat` says, ours and the baseline alternating which goes first,
after one untimed warm-up of each on a small file (module imports, the pinyin dictionary).
"""

from __future__ import annotations

import cProfile
import datetime as dt
import gc
import hashlib
import io
import pstats
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from benchmarks.databases import ensure_community
from benchmarks.harness import Row

NAME = "roster_import"
MAX_ROWS = 100_000
QUICK_ROWS = 10_000
WARMUP_ROWS = 300
MAX_REPEAT = 3
TARGET_SECONDS = 15.0
MAX_RATIO = 2.0
TARGET = "<= 15 s and <= 2x"
SEED = 20220406
PEOPLE_PER_BUILDING = 100
UNITS_PER_BUILDING = 2
ROOMS_PER_FLOOR = 2
HEADERS = ("姓名", "身份证号", "手机", "楼栋", "单元", "房号", "性别", "出生日期")
SEX_TEXT = {"M": "男", "F": "女"}
IMPORTER = "bench-roster-importer"
FRESH_PREFIX = "基准导入-"
FILENAME = "花名册-{rows}.xlsx"


def sizes(residents: int) -> list[int]:
    """The import sizes for a run: `--residents` capped at 100k, and 10k when that is larger."""
    return sorted({min(residents, MAX_ROWS), min(residents, QUICK_ROWS)})


def prepare(*, residents: int, log: Callable[[str], None]) -> None:
    """The seeded database (the imports go into fresh communities beside that community)."""
    ensure_community(residents, log)


# -- the file ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RosterFile:
    content: bytes
    rows: int
    buildings: list[str]
    households: int
    seconds: float

    @property
    def filename(self) -> str:
        return FILENAME.format(rows=self.rows)


def build_roster(rows: int) -> RosterFile:
    """`rows` synthetic people, about 100 to a building, 1-5 to a household, in one .xlsx."""
    import xlsxwriter
    from django.utils import timezone

    from frontline.demo.synthetic import Synthesizer

    started = time.perf_counter()
    synth = Synthesizer(SEED + rows, today=timezone.localdate())
    building_count = max(1, -(-rows // PEOPLE_PER_BUILDING))
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"constant_memory": True, "strings_to_numbers": False})
    sheet = workbook.add_worksheet("花名册")
    dates = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, HEADERS)
    line = 0
    households = 0
    for index in range(building_count):
        building = str(index + 1)
        left = rows * (index + 1) // building_count - rows * index // building_count
        flat = 0
        while left > 0:
            size = min(synth.household_size(), left)
            left -= size
            unit = str(flat % UNITS_PER_BUILDING + 1)
            floor, room = divmod(flat // UNITS_PER_BUILDING, ROOMS_PER_FLOOR)
            room_number = f"{floor + 1}{room + 1:02d}"
            flat += 1
            households += 1
            for person in synth.household(size):
                line += 1
                sheet.write_string(line, 0, person.name)
                sheet.write_string(line, 1, person.document_number)
                if person.phone:
                    sheet.write_string(line, 2, person.phone)
                sheet.write_string(line, 3, building)
                sheet.write_string(line, 4, unit)
                sheet.write_string(line, 5, room_number)
                sheet.write_string(line, 6, SEX_TEXT[person.sex])
                sheet.write_datetime(line, 7, person.birth_date, dates)
    workbook.close()
    return RosterFile(
        content=output.getvalue(),
        rows=line,
        buildings=[str(index + 1) for index in range(building_count)],
        households=households,
        seconds=time.perf_counter() - started,
    )


# -- a fresh community per run --------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    community: Any
    buildings: dict[str, int]  # number -> id
    user: Any  # loaded after its role over the community was granted, as a request would load it


class Communities:
    """Fresh communities beside the seeded one, and the removal of everything written into them."""

    def __init__(self, subdistrict: Any, user: Any) -> None:
        self.subdistrict = subdistrict
        self.user = user
        self.made = 0

    def fresh(self, roster: RosterFile, label: str) -> Place:
        from django.db import transaction

        from frontline.accounts.models import Role, RoleAssignment
        from frontline.places.models import Building, Community, Grid

        self.made += 1
        with transaction.atomic():
            community = Community.objects.create(
                subdistrict=self.subdistrict,
                name=f"{FRESH_PREFIX}{roster.rows}-{label}-{self.made}-{time.time_ns()}",
            )
            grid = Grid.objects.create(community=community, name="第1网格")
            Building.objects.bulk_create(
                [Building(community=community, grid=grid, number=n) for n in roster.buildings],
                batch_size=2000,
            )
            RoleAssignment.objects.create(
                user=self.user, role=Role.COMMUNITY_ADMIN, community=community
            )
        buildings = dict(Building.objects.filter(community=community).values_list("number", "pk"))
        user = type(self.user).objects.get(pk=self.user.pk)  # no cached role assignments
        return Place(community=community, buildings=buildings, user=user)

    def remove(self, community_id: int) -> None:
        """Delete the community and every row the runs wrote into it (audit entries included:
        they record benchmark imports, not real ones)."""
        from django.db import connection, transaction

        from frontline.accounts.models import RoleAssignment
        from frontline.core.models import AuditEntry
        from frontline.places.models import Building, Community, Grid, Household, Unit
        from frontline.residents.models import Resident, ResidentTag, RosterImport, RosterMapping

        table = {
            model: connection.ops.quote_name(model._meta.db_table)
            for model in (
                AuditEntry, ResidentTag, Resident, Household, Unit, Building, Grid,
                RosterImport, RosterMapping, RoleAssignment, Community,
            )
        }  # fmt: skip
        buildings = f"SELECT id FROM {table[Building]} WHERE community_id = %s"  # noqa: S608
        units = f"SELECT id FROM {table[Unit]} WHERE building_id IN ({buildings})"  # noqa: S608
        residents = f"SELECT id FROM {table[Resident]} WHERE community_id = %s"  # noqa: S608
        # Table names come from the models' meta; the id is a parameter.
        statements = [
            f"DELETE FROM {table[AuditEntry]} WHERE community_id = %s",  # noqa: S608
            f"DELETE FROM {table[ResidentTag]} WHERE resident_id IN ({residents})",  # noqa: S608
            f"DELETE FROM {table[Resident]} WHERE community_id = %s",  # noqa: S608
            f"DELETE FROM {table[Household]} WHERE unit_id IN ({units})",  # noqa: S608
            f"DELETE FROM {table[Unit]} WHERE building_id IN ({buildings})",  # noqa: S608
            f"DELETE FROM {table[RosterImport]} WHERE community_id = %s",  # noqa: S608
            f"DELETE FROM {table[RosterMapping]} WHERE community_id = %s",  # noqa: S608
            f"DELETE FROM {table[RoleAssignment]} WHERE community_id = %s",  # noqa: S608
            f"DELETE FROM {table[Building]} WHERE community_id = %s",  # noqa: S608
            f"DELETE FROM {table[Grid]} WHERE community_id = %s",  # noqa: S608
            f"DELETE FROM {table[Community]} WHERE id = %s",  # noqa: S608
        ]
        with transaction.atomic(), connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement, [community_id])

    def remove_leftovers(self) -> int:
        """Communities an interrupted run left behind."""
        from frontline.places.models import Community

        leftovers = list(
            Community.objects.filter(
                subdistrict=self.subdistrict, name__startswith=FRESH_PREFIX
            ).values_list("pk", flat=True)
        )
        for pk in leftovers:
            self.remove(pk)
        return len(leftovers)


# -- ours and the baseline ------------------------------------------------------------------------


def ours(roster: RosterFile, place: Place) -> dict[str, float]:
    """The service path of the import page: upload, allow new households, confirm."""
    from frontline.residents import imports
    from frontline.residents.roster import reading

    user = place.user
    reading.forget_last_read()  # every run uploads the file afresh: nothing read before counts
    started = time.perf_counter()
    batch = imports.roster_upload(
        actor=user, community=place.community, filename=roster.filename, content=roster.content
    )
    uploaded = time.perf_counter()
    batch = imports.roster_set_mapping(actor=user, batch=batch, overrides={}, create_places=True)
    mapped = time.perf_counter()
    summary = imports.roster_commit(actor=user, batch=batch)
    committed = time.perf_counter()
    if summary.get("create") != roster.rows or sum(summary.values()) != roster.rows:
        raise RuntimeError(f"the import created {summary}, not {roster.rows:,} residents")
    return {
        "upload": uploaded - started,
        "mapping": mapped - uploaded,
        "commit": committed - mapped,
    }


class Baseline:
    """calamine read + the same column values + executemany of units, households, residents."""

    def __init__(self) -> None:
        from django.db import connection

        from frontline.places.models import Household, Unit
        from frontline.residents.models import DocumentType, ResidenceType, Resident, ResidentStatus

        self.connection = connection
        self.units = Insert(Unit, ("building_id", "number"))
        self.households = Insert(Household, ("unit_id", "room"))
        self.residents = Insert(Resident, RESIDENT_COLUMNS)
        self.constants = (
            DocumentType.RESIDENT_ID.value,
            ResidenceType.REGISTERED.value,
            ResidentStatus.PRESENT.value,
        )

    def __call__(self, roster: RosterFile, place: Place) -> None:
        from django.db import transaction
        from python_calamine import CalamineWorkbook

        from frontline.core.identity import document_digest
        from frontline.core.pinyin import initials
        from frontline.places.models import Household, Unit, address_key

        with CalamineWorkbook.from_filelike(io.BytesIO(roster.content)) as book:
            cells: list[list[Any]] = book.get_sheet_by_index(0).to_python()  # type: ignore[assignment]
        people = cells[1:]
        community_id = place.community.pk
        buildings = place.buildings
        sexes = {"男": "M", "女": "F"}
        document_type, residence_type, status = self.constants
        ops = self.connection.ops
        with transaction.atomic():
            self.units.write(
                sorted({(buildings[row[3]], row[4]) for row in people}),
            )
            unit_ids = {
                (building_id, number): pk
                for pk, building_id, number in Unit.objects.filter(
                    building_id__in=buildings.values()
                ).values_list("pk", "building_id", "number")
            }
            self.households.write(
                sorted({(unit_ids[(buildings[row[3]], row[4])], row[5]) for row in people})
            )
            household_ids = {
                (unit_id, room): pk
                for pk, unit_id, room in Household.objects.filter(
                    unit_id__in=unit_ids.values()
                ).values_list("pk", "unit_id", "room")
            }
            rows = []
            for name, number, phone, building, unit, room, sex, birth in people:
                building_id = buildings[building]
                phone = phone or ""
                rows.append(
                    (
                        household_ids[(unit_ids[(building_id, unit)], room)], building_id,
                        community_id, address_key(building, unit, room), name, initials(name),
                        document_type, number, document_digest(number), number[-4:], sexes[sex],
                        ops.adapt_datefield_value(_date(birth)), phone, phone[-4:],
                        residence_type, status,
                    )
                )  # fmt: skip
            self.residents.write(rows)


RESIDENT_COLUMNS = (
    "household_id", "building_id", "community_id", "address_key", "name", "name_initials",
    "document_type", "document_number", "document_digest", "document_tail", "sex", "birth_date",
    "phone", "phone_tail", "residence_type", "status",
)  # fmt: skip


def _date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raise ValueError(f"not a date cell: {value!r}")


class Insert:
    """Insert rows of one model: the given columns in order, every other column its default as
    the ORM prepares it, created_at / updated_at now. Each backend's shortest route: SQLite
    `executemany` of one INSERT (one prepared statement stepped per row); PostgreSQL `COPY ...
    FROM STDIN` (psycopg's `write_row`). On PostgreSQL `executemany` through Django's cursor
    (client-side binding, one statement per row) made the whole 100k baseline take 23.8 s instead
    of 8.9 s, psycopg's own server-side-binding `executemany` 16.4 s, and multi-row VALUES of 1,000
    rows through Django's cursor 30.9 s (psycopg's client-side parameter splitting)."""

    def __init__(self, model: Any, attnames: Sequence[str]) -> None:
        from django.db import connection

        fields = [field for field in model._meta.concrete_fields if not field.primary_key]
        by_attname = {field.attname: field for field in fields}
        self.others = [field for field in fields if field.attname not in attnames]
        quote = connection.ops.quote_name
        columns = ", ".join(
            quote(field.column)
            for field in [*(by_attname[name] for name in attnames), *self.others]
        )
        marks = ", ".join(["%s"] * (len(attnames) + len(self.others)))
        table = quote(model._meta.db_table)
        # Names come from the model's meta, quoted; every value is a parameter.
        self.insert_sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
        self.copy_sql = f"COPY {table} ({columns}) FROM STDIN"

    def write(self, rows: Iterable[tuple[Any, ...]]) -> None:
        from django.db import connection
        from django.utils import timezone

        now = connection.ops.adapt_datetimefield_value(timezone.now())
        tail = tuple(
            now
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
            else field.get_db_prep_save(field.get_default(), connection)
            for field in self.others
        )
        values = [(*row, *tail) for row in rows]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(self.copy_sql) as copy:
                    for row in values:
                        copy.write_row(row)
            else:
                cursor.executemany(self.insert_sql, values)


# -- what was written -----------------------------------------------------------------------------

COMPARED = (
    "name", "name_initials", "document_type", "document_number", "document_digest",
    "document_tail", "sex", "birth_date", "phone", "phone_tail", "residence_type", "status",
    "emergency_contact_name", "emergency_contact_phone", "notes", "address_key",
    "building__number", "household__unit__number", "household__room",
)  # fmt: skip


def fingerprint(community_id: int) -> tuple[int, int, str]:
    """(residents, households, a digest of every resident's stored values and address)."""
    from frontline.places.models import Household
    from frontline.residents.models import Resident

    digest = hashlib.sha256()
    count = 0
    for values in (
        Resident.objects.filter(community_id=community_id)
        .order_by("document_number")
        .values_list(*COMPARED)
        .iterator(chunk_size=5000)
    ):
        count += 1
        digest.update(repr(values).encode())
    households = Household.objects.filter(unit__building__community_id=community_id).count()
    return count, households, digest.hexdigest()


# -- the case -------------------------------------------------------------------------------------


def importer() -> Any:
    from frontline.accounts.models import User

    user, created = User.objects.get_or_create(
        username=IMPORTER, defaults={"display_name": "基准导入员"}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def run(*, residents: int, repeat: int, explain: bool, log: Callable[[str], None]) -> list[Row]:
    from django.db import connection

    seeded = ensure_community(residents, log)
    user = importer()
    communities = Communities(seeded.subdistrict, user)
    if removed := communities.remove_leftovers():
        log(f"removed {removed} import communities an interrupted run left behind")
    baseline = Baseline()
    rounds = min(repeat, MAX_REPEAT)
    try:
        warmup = build_roster(WARMUP_ROWS)
        _once(communities, warmup, "warmup", lambda place: ours(warmup, place))
        _once(communities, warmup, "warmup", lambda place: baseline(warmup, place))
        rows = [
            _measure(communities, baseline, size, rounds, explain, log) for size in sizes(residents)
        ]
    finally:
        communities.remove_leftovers()
        _refresh_statistics()
    for row in rows:
        row.database = connection.vendor
        row.residents = residents
    return rows


def _measure(
    communities: Communities, baseline: Baseline, size: int, rounds: int,
    explain: bool, log: Callable[[str], None],
) -> Row:  # fmt: skip
    roster = build_roster(size)
    log(
        f"  roster of {roster.rows:,} rows, {roster.households:,} households, "
        f"{len(roster.buildings):,} buildings: {len(roster.content) / 1e6:.1f} MB "
        f"built in {roster.seconds:.1f} s"
    )
    if explain:
        _profile(communities, roster, lambda place: ours(roster, place))
    ours_times: list[float] = []
    baseline_times: list[float] = []
    stages: list[dict[str, float]] = []
    prints: dict[str, set[tuple[int, int, str]]] = {"ours": set(), "baseline": set()}

    def run_ours(place: Place) -> None:
        stages.append(ours(roster, place))

    def run_baseline(place: Place) -> None:
        baseline(roster, place)

    for round_number in range(rounds):
        pair: list[tuple[str, Callable[[Place], None], list[float]]] = [
            ("ours", run_ours, ours_times),
            ("baseline", run_baseline, baseline_times),
        ]
        if round_number % 2:
            pair.reverse()
        for label, call, times in pair:
            seconds, written = _once(communities, roster, label, call)
            times.append(seconds)
            prints[label].add(written)
            log(f"  import {size:,}: {label} {seconds:.2f} s")
    expected = {(roster.rows, roster.households)}
    matches = (
        len(prints["ours"]) == 1
        and prints["ours"] == prints["baseline"]
        and {written[:2] for written in prints["ours"]} == expected
    )
    if not matches:
        log(
            f"MISMATCH import {size:,}: ours wrote {sorted(prints['ours'])}, baseline "
            f"{sorted(prints['baseline'])}; expected (residents, households) {expected}"
        )
    stage = {
        name: round(statistics.median(run[name] for run in stages), 3)
        for name in ("upload", "mapping", "commit")
    }
    log(f"  import {size:,}: ours by stage (median s) {stage}")
    return Row(
        case=f"roster import: {size:,} rows from .xlsx",
        database="",
        residents=0,
        ours=ours_times,
        baseline=baseline_times,
        target_seconds=TARGET_SECONDS,
        target=TARGET,
        max_ratio=MAX_RATIO,
        matches=matches,
        extra={
            "rows": roster.rows,
            "households": roster.households,
            "file_bytes": len(roster.content),
            "ours_stages_median_s": stage,
            "rounds": rounds,
        },
    )


def _once(
    communities: Communities, roster: RosterFile, label: str, call: Callable[[Place], object]
) -> tuple[float, tuple[int, int, str]]:
    """Time `call` on a fresh community; then check what it wrote and delete it."""
    place = communities.fresh(roster, label)
    try:
        gc.collect()
        started = time.perf_counter()
        call(place)
        seconds = time.perf_counter() - started
        return seconds, fingerprint(place.community.pk)
    finally:
        communities.remove(place.community.pk)


def _profile(communities: Communities, roster: RosterFile, call: Callable[[Place], object]) -> None:
    """--explain: where one import of ours spends its time (cProfile, cumulative; untimed)."""
    profile = cProfile.Profile()
    place = communities.fresh(roster, "profile")
    try:
        profile.runcall(call, place)
    finally:
        communities.remove(place.community.pk)
    print(f"\n### roster import of {roster.rows:,} rows: profile of ours", file=sys.stdout)
    stats = pstats.Stats(profile, stream=sys.stdout)
    stats.sort_stats("cumulative").print_stats(40)
    stats.sort_stats("tottime").print_stats(25)


def _refresh_statistics() -> None:
    """Leave the planner statistics as seeding left them: the imports ran ANALYZE while their
    rows were there, and those rows are gone."""
    from django.db import connection

    from frontline.residents.statistics import refresh_statistics

    refresh_statistics()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
