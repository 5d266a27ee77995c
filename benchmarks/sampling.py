"""Case: the tube ledger and coverage of a mass-testing round; targets (issue 5).

- trace-back of 1,000 positive tubes of a 1M-person round (100k tubes of 10): <= 1 s, ORM
  included;
- one positive tube's people: <= 10 ms;
- registering one scan with 1M samples in the round: p95 <= 50 ms;
- the coverage list of a 100k-person round: p95 <= 300 ms (the coverage page, and the call list
  of one building's people not sampled yet).

Data (made once per database by `prepare`, reused afterwards): the benchmark community gets one
round, "基准轮次" (whole community, pools of 10, status sampling), one site "基准采样点" and a
medical sampler `bench-sampler` whose role covers the community. Every resident but a reserve
(5,000, or a tenth of the community when that is smaller; spread evenly over the residents in id
order) is sampled: residents in id order, ten to a tube, so a tube holds the people of 3-4
neighbouring households. The tubes (barcodes `JZ0000000`...) are closed, full (10 of 10) and
await their result; 1,000 of them (or half the tubes, when there are fewer than 2,000), spread
evenly, are the positive ones the trace-back names. Tubes and samples are written with
`core.bulk.RowWriter` (ids from `allocate_ids`), samples with the resident's building and a
scan id `bench-<id>`, then the sampling tables are analysed. At 1M residents: 995,000 samples in
99,500 tubes.

Ours and the baseline, interleaved (`measure_pair`):

- **trace-back**: `services.trace_back(round=..., barcodes=<the 1,000 barcodes>)` (samples with
  tube, resident, household, unit and building), flattened to (barcode, resident id, name,
  phone, building, unit, room); baseline: one hand-written `cursor.execute` joining the same
  six tables for the same barcodes (`= ANY(array)` on PostgreSQL, `IN (...)` on SQLite), same
  columns and order, `fetchall`. The harness compares the rows (and so the resident ids).
- **one tube**: `services.tube_people(tube)` flattened the same way, against the same SQL for one
  tube id; both walk the 1,000 positive tubes in the same order, one tube per call.
- **one scan**: `services.sample_add(actor=sampler, tube=..., resident=..., scan_id=...)` for a
  resident of the reserve not sampled yet (every call a new person, the resident and the tube
  loaded beforehand as the page has them); baseline, for another new person, in one transaction:
  `Sample.objects.create(...)` and `UPDATE` of the tube's size. The tubes both fill (ten calls
  each) are opened with `services.tube_open` before the timing starts. The sampler is one user
  object throughout, so its role assignments are read on the first call only (a scan posted
  through the page reads them once per request: one more indexed query). The harness checks that every call wrote one sample and that ours closed each tube it
  filled.
- **coverage page**: GET /sampling/<round>/coverage/ through Django's test Client, signed in as
  the community admin (expected and sampled people per building and grid, samples per site);
  baseline: two hand-written queries, the present residents of the community per building with
  those sampled in the round and those exempt from it and not sampled (LEFT JOINs on the
  round's samples and exemptions, both unique per person; expected = present - exempt), with the
  building's number and grid name in the page's order, and the round's samples per site (with
  the site's name). The round has no exemptions. The harness checks that the page's rows
  `tr[data-building]` carry the baseline's sampled and expected counts for every building, that
  `#coverage-total` shows their sums, and that the site table shows the same counts.
- **not-sampled call list**: GET /sampling/<round>/missing/?building=<id> for the building with
  the most present residents not sampled (every opening appends one audit entry, so a run adds
  about 25); baseline: the hand-written query for the same list (present residents of that
  building with no sample in the round, with household, unit, building and any exemption
  reason, in address order, at most 2,000) and one for their stored tags, the address, masked
  phone and tags (with the derived "65 and over") computed in Python. The harness checks that
  the page lists as many people as the baseline, with the same addresses in the same order.

The scans a run adds (scan ids `bench-scan-...`, tubes `JZS...`) are deleted at the end of the
run, and at its start when an interrupted run left some, so every run finds the same round.
"""

from __future__ import annotations

import datetime as dt
import html
import math
import re
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from benchmarks.databases import community_admin, ensure_community
from benchmarks.harness import Row, measure_pair

NAME = "sampling"
ROUND_NAME = "基准轮次"
SITE_NAME = "基准采样点"
SAMPLER_USERNAME = "bench-sampler"
POOL = 10
RESERVE = 5_000
POSITIVES = 1_000
BARCODE_PREFIX = "JZ"  # the round's tubes: JZ + 7 digits
RUN_BARCODE_PREFIX = "JZS"  # tubes a run opens (never digits after JZ, so never the round's)
RUN_SCAN_PREFIX = "bench-scan-"  # the round's samples are bench-<id>
WARMUP = 2
BATCH = 50_000
TRACE_TARGET = (1.0, "p95 <= 1 s")
TUBE_TARGET = (0.010, "p95 <= 10 ms")
SCAN_TARGET = (0.050, "p95 <= 50 ms")
COVERAGE_TARGET = (0.300, "p95 <= 300 ms")
CALL_LIST_LIMIT = 2000  # views.MISSING_LIMIT
BUILDING_ROW = re.compile(
    r'<tr data-building="(\d+)"><td>.*?</td><td>([\d,]+)</td><td>([\d,]+)</td>', re.S
)
COVERAGE_TOTAL = re.compile(r'id="coverage-total"[^>]*>(.*?)</p>', re.S)
SITE_TABLE = re.compile(r'id="site-progress"[^>]*>(.*?)</table>', re.S)
SITE_ROW = re.compile(r"<tr><td>(.*?)</td><td>([\d,]+)</td></tr>", re.S)
MISSING_TABLE = re.compile(r'id="missing-table".*?<tbody>(.*?)</tbody>', re.S)
MISSING_ROW = re.compile(r"<tr[^>]*><td>(.*?)</td>", re.S)  # the empty row's cell has colspan
NUMBER = re.compile(r"\d[\d,]*")


@dataclass(frozen=True)
class Layout:
    """How a community of `residents` people is sampled."""

    residents: int

    @property
    def tubes(self) -> int:
        return (self.residents - min(RESERVE, self.residents // 10)) // POOL

    @property
    def sampled(self) -> int:
        return self.tubes * POOL

    @property
    def unsampled(self) -> int:
        return self.residents - self.sampled

    @property
    def positives(self) -> int:
        return min(POSITIVES, self.tubes // 2)

    def barcode(self, index: int) -> str:
        return f"{BARCODE_PREFIX}{index:07d}"

    def positive_barcodes(self) -> list[str]:
        return [self.barcode(k * self.tubes // self.positives) for k in range(self.positives)]

    def reserved(self) -> set[int]:
        """Indexes (in id order) of the residents left out of the round."""
        return {k * self.residents // self.unsampled for k in range(self.unsampled)}

    def check(self) -> Layout:
        if self.positives < 1:
            raise RuntimeError("the sampling case needs a community of at least 30 residents")
        return self


def prepare(*, residents: int, log: Callable[[str], None]) -> None:
    community = ensure_community(residents, log)
    _ensure_round(community, Layout(residents).check(), log)


# -- data ---------------------------------------------------------------------------------------


def sampler_for(community: Any) -> Any:
    """A medical sampler whose one role assignment covers the whole benchmark community."""
    from frontline.accounts.models import Role, RoleAssignment, User

    user, created = User.objects.get_or_create(
        username=SAMPLER_USERNAME, defaults={"display_name": "基准采样员"}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    RoleAssignment.objects.get_or_create(user=user, role=Role.MEDICAL_SAMPLER, community=community)
    return User.objects.get(pk=user.pk)  # fresh: no cached role assignments


def _ensure_round(community: Any, layout: Layout, log: Callable[[str], None]) -> Any:
    """The benchmark round, complete; built (again) when missing or incomplete."""
    from frontline.sampling.models import Round, Sample, Tube

    sampler = sampler_for(community)
    found = Round.objects.filter(community=community, name=ROUND_NAME).order_by("pk").first()
    if found is not None:
        _discard_scans(found)
        tubes = Tube.objects.filter(round=found).count()
        samples = Sample.objects.filter(round=found).count()
        if (tubes, samples) == (layout.tubes, layout.sampled):
            return found
        log(f"round {ROUND_NAME}: {tubes:,} tubes and {samples:,} samples, rebuilding it")
        _drop_round(found)
    return _build_round(community, sampler, layout, log)


def _drop_round(round: Any) -> None:
    from django.db import connection, transaction

    from frontline.sampling.models import ResultEntry, Round, Sample, Site, Tube

    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        # Table and column names are the models'; the round id is a parameter.
        cursor.execute(
            f"DELETE FROM {quote(ResultEntry._meta.db_table)} WHERE tube_id IN "  # noqa: S608
            f"(SELECT id FROM {quote(Tube._meta.db_table)} WHERE round_id = %s)",
            [round.pk],
        )
        for model in (Sample, Tube):
            cursor.execute(
                f"DELETE FROM {quote(model._meta.db_table)} WHERE round_id = %s",  # noqa: S608
                [round.pk],
            )
        Site.objects.filter(round=round).delete()
        Round.objects.filter(pk=round.pk).delete()


def _build_round(community: Any, sampler: Any, layout: Layout, log: Callable[[str], None]) -> Any:
    from django.db import connection, transaction
    from django.utils import timezone

    from frontline.core.bulk import RowWriter, allocate_ids
    from frontline.residents.models import Resident
    from frontline.sampling.models import (
        Round,
        RoundStatus,
        Sample,
        Tube,
        TubeResult,
        TubeStatus,
    )
    from frontline.sampling.services import round_create, site_create

    started = time.perf_counter()
    admin = community_admin(community)
    now = timezone.now().replace(microsecond=0)
    with transaction.atomic():
        round = round_create(
            actor=admin, community=community, name=ROUND_NAME, starts_at=now,
            ends_at=now + dt.timedelta(days=365), pool_size=POOL,
        )  # fmt: skip
        site = site_create(actor=admin, round=round, name=SITE_NAME, tables=10, samplers=[sampler])
        Round.objects.filter(pk=round.pk).update(status=RoundStatus.SAMPLING)
        closed_at = connection.ops.adapt_datetimefield_value(now)
        tube_ids = allocate_ids(Tube, layout.tubes)
        RowWriter(
            Tube,
            ("id", "round_id", "site_id", "barcode", "capacity", "size", "status", "result",
             "opened_by_id", "closed_at"),
        ).write(
            (tube_id, round.pk, site.pk, layout.barcode(index), POOL, POOL, TubeStatus.CLOSED,
             TubeResult.PENDING, sampler.pk, closed_at)
            for index, tube_id in enumerate(tube_ids)
        )  # fmt: skip
        tubes_done = time.perf_counter()
        sample_ids = allocate_ids(Sample, layout.sampled)
        writer = RowWriter(
            Sample,
            ("id", "round_id", "tube_id", "resident_id", "building_id", "scan_id",
             "sampled_by_id"),
        )  # fmt: skip
        reserved = layout.reserved()
        people = (
            Resident.objects.filter(community=community)
            .order_by("pk")
            .values_list("pk", "building_id")
            .iterator(chunk_size=10_000)
        )
        batch: list[tuple[Any, ...]] = []
        written = 0
        for index, (resident_id, building_id) in enumerate(people):
            if index in reserved:
                continue
            sample_id = sample_ids[written]
            batch.append(
                (sample_id, round.pk, tube_ids[written // POOL], resident_id, building_id,
                 f"bench-{sample_id}", sampler.pk)
            )  # fmt: skip
            written += 1
            if len(batch) == BATCH:
                writer.write(batch)
                batch = []
        writer.write(batch)
        if written != layout.sampled:
            raise RuntimeError(f"wrote {written:,} samples, expected {layout.sampled:,}")
    with connection.cursor() as cursor:
        for model in (Tube, Sample):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    log(
        f"round {ROUND_NAME}: {layout.tubes:,} tubes in {tubes_done - started:.1f} s, "
        f"{layout.sampled:,} samples ({layout.unsampled:,} residents left for scans), "
        f"{time.perf_counter() - started:.1f} s in all"
    )
    return Round.objects.get(pk=round.pk)


def _discard_scans(round: Any) -> int:
    """Delete what runs added to the round (their samples, then their tubes)."""
    from django.db import transaction

    from frontline.sampling.models import Sample, Tube

    with transaction.atomic():
        count, _ = Sample.objects.filter(round=round, scan_id__startswith=RUN_SCAN_PREFIX).delete()
        Tube.objects.filter(round=round, barcode__startswith=RUN_BARCODE_PREFIX).delete()
    return count


# -- measurements -------------------------------------------------------------------------------


def run(*, residents: int, repeat: int, explain: bool, log: Callable[[str], None]) -> list[Row]:
    from frontline.sampling.models import Round

    layout = Layout(residents).check()
    community = ensure_community(residents, log)
    round = _ensure_round(community, layout, log)
    round = Round.objects.select_related("community").get(pk=round.pk)
    try:
        return [
            _trace_back_row(round, layout, repeat=repeat, explain=explain, log=log),
            _tube_row(round, layout, repeat=repeat, explain=explain, log=log),
            _scan_row(round, layout, community, repeat=repeat, explain=explain, log=log),
            *_coverage_rows(round, layout, community, repeat=repeat, explain=explain, log=log),
        ]
    finally:
        discarded = _discard_scans(round)
        log(f"removed the {discarded:,} samples this run added")


TRACE_COLUMNS = "t.barcode, r.id, r.name, r.phone, b.number, u.number, h.room"


def _joins() -> str:
    from frontline.places.models import Building, Household, Unit
    from frontline.residents.models import Resident
    from frontline.sampling.models import Sample, Tube

    return (
        f"FROM {Sample._meta.db_table} s "
        f"JOIN {Tube._meta.db_table} t ON t.id = s.tube_id "
        f"JOIN {Resident._meta.db_table} r ON r.id = s.resident_id "
        f"JOIN {Household._meta.db_table} h ON h.id = r.household_id "
        f"JOIN {Unit._meta.db_table} u ON u.id = h.unit_id "
        f"JOIN {Building._meta.db_table} b ON b.id = u.building_id "
    )


def _flatten(barcode: str, samples: list[Any]) -> Iterator[tuple[Any, ...]]:
    for sample in samples:
        person = sample.resident
        household = person.household
        yield (
            barcode, person.pk, person.name, person.phone, household.unit.building.number,
            household.unit.number, household.room,
        )  # fmt: skip


def _trace_back_row(
    round: Any, layout: Layout, *, repeat: int, explain: bool, log: Callable[[str], None]
) -> Row:
    from django.db import connection

    from frontline.sampling.services import trace_back

    barcodes = layout.positive_barcodes()
    if connection.vendor == "postgresql":
        where, params = "t.barcode = ANY(%s)", [round.pk, barcodes]
    else:
        where, params = f"t.barcode IN ({', '.join(['%s'] * len(barcodes))})", [round.pk, *barcodes]
    # Table and column names are ours; every value is a parameter.
    sql = (
        f"SELECT {TRACE_COLUMNS} {_joins()}WHERE s.round_id = %s AND {where} "
        "ORDER BY t.barcode, r.household_id, s.id"
    )

    def ours() -> list[tuple[Any, ...]]:
        found = trace_back(round=round, barcodes=barcodes)
        return [row for code, samples in found.items() for row in _flatten(code, samples)]

    def baseline() -> list[tuple[Any, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return list(cursor.fetchall())

    expected = baseline()
    got, ours_queries = _captured(ours)
    matches = got == expected and len(expected) == layout.positives * POOL
    if not matches:
        missing = sorted({row[1] for row in expected} - {row[1] for row in got})
        log(
            f"MISMATCH trace-back: ours {len(got):,} rows, baseline {len(expected):,}, "
            f"expected {layout.positives * POOL:,}; resident ids only the baseline found: "
            f"{missing[:5]}"
        )
    if explain:
        _explain(connection, f"trace-back of {len(barcodes):,} tubes", ours, [(sql, params)])
    ours_times, baseline_times = measure_pair(ours, baseline, repeat=repeat, warmup=WARMUP)
    return _row(
        f"sampling: trace-back, {len(barcodes):,} tubes", layout, TRACE_TARGET, ours_times, baseline_times, ours_queries, 1, matches, log,
        extra={"tubes": len(barcodes), "people": len(expected)},
    )  # fmt: skip


def _tube_row(
    round: Any, layout: Layout, *, repeat: int, explain: bool, log: Callable[[str], None]
) -> Row:
    from django.db import connection

    from frontline.sampling.models import Tube
    from frontline.sampling.services import tube_people

    codes = layout.positive_barcodes()
    tubes = sorted(Tube.objects.filter(round=round, barcode__in=codes), key=lambda t: t.barcode)
    # Table and column names are ours; the tube id is a parameter.
    sql = f"SELECT {TRACE_COLUMNS} {_joins()}WHERE s.tube_id = %s ORDER BY r.household_id, s.id"

    def ours_for(tube: Any) -> list[tuple[Any, ...]]:
        return list(_flatten(tube.barcode, tube_people(tube)))

    def baseline_for(tube: Any) -> list[tuple[Any, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(sql, [tube.pk])
            return list(cursor.fetchall())

    checked = tubes[:: max(1, len(tubes) // 20)]
    matches = all(ours_for(tube) == baseline_for(tube) for tube in checked)
    if not matches:
        log(f"MISMATCH one tube: ours and the baseline differ on one of {len(checked)} tubes")
    turn = {"ours": 0, "baseline": 0}

    def next_tube(who: str) -> Any:
        tube = tubes[turn[who] % len(tubes)]
        turn[who] += 1
        return tube

    def ours() -> list[tuple[Any, ...]]:
        return ours_for(next_tube("ours"))

    def baseline() -> list[tuple[Any, ...]]:
        return baseline_for(next_tube("baseline"))

    _, ours_queries = _captured(lambda: ours_for(tubes[0]))
    if explain:
        _explain(
            connection, "one tube's people", lambda: ours_for(tubes[0]), [(sql, [tubes[0].pk])]
        )
    ours_times, baseline_times = measure_pair(ours, baseline, repeat=repeat, warmup=WARMUP)
    return _row(
        "sampling: one tube's people", layout, TUBE_TARGET, ours_times, baseline_times, ours_queries, 1,
        matches, log,
    )  # fmt: skip


def _scan_row(
    round: Any,
    layout: Layout,
    community: Any,
    *,
    repeat: int,
    explain: bool,
    log: Callable[[str], None],
) -> Row:
    from django.db import connection, transaction
    from django.db.models import Exists, F, OuterRef

    from frontline.control.models import ControlOrder, OrderStatus
    from frontline.residents.models import Resident
    from frontline.sampling.models import Sample, Site, Tube, TubeStatus
    from frontline.sampling.services import sample_add, tube_open

    sampler = sampler_for(community)
    site = Site.objects.get(round=round, name=SITE_NAME)
    calls = repeat + WARMUP + 2  # each side; ours also once for the query count, once to explain
    fresh = list(
        Resident.objects.filter(community=community)
        .exclude(Exists(Sample.objects.filter(round=round, resident=OuterRef("pk"))))
        .exclude(
            Exists(ControlOrder.objects.filter(resident=OuterRef("pk"), status=OrderStatus.ACTIVE))
        )
        .order_by("pk")[: 2 * calls]
    )
    if len(fresh) < 2 * calls:
        raise RuntimeError(
            f"only {len(fresh):,} residents are left unsampled in {ROUND_NAME}; "
            f"{2 * calls:,} are needed: run with a smaller --repeat"
        )
    stamp = f"{int(time.time() * 1000):x}"
    tubes_each = math.ceil(calls / POOL)
    opened = [
        tube_open(
            actor=sampler, round=round, site=site, barcode=f"{RUN_BARCODE_PREFIX}{stamp}{n:03d}"
        )
        for n in range(2 * tubes_each)
    ]
    ours_tubes, baseline_tubes = opened[:tubes_each], opened[tubes_each:]
    ours_people, baseline_people = fresh[0::2], fresh[1::2]
    count = {"ours": 0, "baseline": 0}

    def ours() -> Any:
        n = count["ours"]
        count["ours"] += 1
        added = sample_add(
            actor=sampler, tube=ours_tubes[n // POOL], resident=ours_people[n],
            scan_id=f"{RUN_SCAN_PREFIX}{stamp}-o{n}",
        )  # fmt: skip
        if added.repeated:
            raise RuntimeError(f"scan {n} was taken for a repeated one")
        return added

    def baseline() -> Any:
        n = count["baseline"]
        count["baseline"] += 1
        tube, person = baseline_tubes[n // POOL], baseline_people[n]
        with transaction.atomic():
            sample = Sample.objects.create(
                round=round, tube=tube, resident=person, building_id=person.building_id,
                scan_id=f"{RUN_SCAN_PREFIX}{stamp}-b{n}", sampled_by=sampler,
            )  # fmt: skip
            Tube.objects.filter(pk=tube.pk).update(size=F("size") + 1)
        return sample

    _, ours_queries = _captured(ours)
    _, baseline_queries = _captured(baseline)
    if explain:
        _explain(connection, "one scan", ours, [])
    ours_times, baseline_times = measure_pair(ours, baseline, repeat=repeat, warmup=WARMUP)

    written = {
        side: Sample.objects.filter(
            scan_id__startswith=f"{RUN_SCAN_PREFIX}{stamp}-{side[0]}"
        ).count()
        for side in ("ours", "baseline")
    }
    states = {
        tube.pk: (tube.size, tube.status)
        for tube in Tube.objects.filter(pk__in=[t.pk for t in ours_tubes])
    }
    filled = [states[t.pk] for t in ours_tubes]
    closed_right = (
        all((status == TubeStatus.CLOSED) == (size == POOL) for size, status in filled)
        and sum(size for size, _status in filled) == count["ours"]
    )
    matches = written == count and closed_right
    if not matches:
        log(f"MISMATCH one scan: wrote {written}, called {count}, ours' tubes {filled}")
    return _row(
        "sampling: register one scan", layout, SCAN_TARGET, ours_times, baseline_times, ours_queries,
        baseline_queries, matches, log, extra={"samples_in_round": layout.sampled},
    )  # fmt: skip


def _coverage_rows(
    round: Any,
    layout: Layout,
    community: Any,
    *,
    repeat: int,
    explain: bool,
    log: Callable[[str], None],
) -> list[Row]:
    """The coverage page and the call list of the building with most people not sampled."""
    from django.db import connection
    from django.test import Client

    client = Client()
    client.force_login(community_admin(community))

    def page(url: str) -> Callable[[], str]:
        def get() -> str:
            response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"GET {url} answered {response.status_code}")
            return response.content.decode()

        return get

    coverage_baseline = CoverageBaseline(connection, round_id=round.pk, community_id=community.pk)
    buildings, sites = coverage_baseline()
    coverage_page = page(f"/sampling/{round.pk}/coverage/")
    content, ours_queries = _captured(coverage_page)
    matches, problem = _coverage_matches(content, buildings, sites)
    if not matches:
        log(f"MISMATCH coverage page: {problem}")
    if explain:
        _explain(connection, "coverage page", coverage_page, coverage_baseline.statements())
    ours_times, baseline_times = measure_pair(
        coverage_page, coverage_baseline, repeat=repeat, warmup=WARMUP
    )
    coverage_row = _row(
        "sampling: coverage page", layout, COVERAGE_TARGET, ours_times, baseline_times,
        ours_queries, coverage_baseline.queries, matches, log,
        extra={"buildings": len(buildings), "expected": sum(b.expected for b in buildings),
               "sampled": sum(b.sampled for b in buildings)},
    )  # fmt: skip

    worst = max(buildings, key=lambda b: (b.unsampled, -b.building_id))
    list_baseline = CallListBaseline(
        connection, round_id=round.pk, community_id=community.pk, building_id=worst.building_id
    )
    expected = list_baseline()
    call_list = page(f"/sampling/{round.pk}/missing/?building={worst.building_id}")
    content, ours_queries = _captured(call_list)
    table = MISSING_TABLE.search(content)
    addresses = [
        html.unescape(cell)
        for cell in MISSING_ROW.findall(table[1] if table else "")
        if "colspan" not in cell
    ]
    matches = addresses == [person[3] for person in expected]
    if not matches:
        log(
            f"MISMATCH call list of building {worst.building_id}: ours {len(addresses)} people "
            f"{addresses[:3]}, baseline {len(expected)} {[p[3] for p in expected[:3]]}"
        )
    if explain:
        _explain(connection, "not-sampled call list", call_list, list_baseline.statements())
    ours_times, baseline_times = measure_pair(
        call_list, list_baseline, repeat=repeat, warmup=WARMUP
    )
    list_row = _row(
        "sampling: not-sampled call list", layout, COVERAGE_TARGET, ours_times, baseline_times,
        ours_queries, list_baseline.queries, matches, log,
        extra={"building": worst.building_id, "people": len(expected)},
    )  # fmt: skip
    return [coverage_row, list_row]


def _numbers(text: str) -> list[int]:
    return [int(n.replace(",", "")) for n in NUMBER.findall(text)]


def _coverage_matches(
    content: str, buildings: list[BuildingCount], sites: list[tuple[str | None, int]]
) -> tuple[bool, str]:
    """Whether the coverage page shows the baseline's counts; if not, what differs."""
    shown = {
        int(pk): (int(sampled.replace(",", "")), int(expected.replace(",", "")))
        for pk, sampled, expected in BUILDING_ROW.findall(content)
    }
    wanted = {b.building_id: (b.sampled, b.expected) for b in buildings}
    if shown != wanted:
        differ = sorted(
            pk for pk in shown.keys() | wanted.keys() if shown.get(pk) != wanted.get(pk)
        )
        return False, (
            f"{len(shown)} building rows against {len(wanted)}; differing buildings {differ[:5]}, "
            f"ours {[shown.get(pk) for pk in differ[:5]]}, baseline {[wanted.get(pk) for pk in differ[:5]]}"
        )
    total = COVERAGE_TOTAL.search(content)
    sums = sorted([sum(b.sampled for b in buildings), sum(b.expected for b in buildings)])
    if total is None or sorted(_numbers(total[1])) != sums:
        return False, f"total {total[1] if total else None!r}, baseline sampled / expected {sums}"
    site_table = SITE_TABLE.search(content)
    site_rows = SITE_ROW.findall(site_table[1]) if site_table else []
    shown_sites = [int(n.replace(",", "")) for _name, n in site_rows]
    if shown_sites != [n for _name, n in sites]:
        return False, f"sites {site_rows}, baseline {sites}"
    return True, ""


@dataclass(frozen=True)
class BuildingCount:
    building_id: int
    number: str
    grid: str | None
    expected: int  # present, less those exempt and not sampled
    sampled: int
    exempt: int

    @property
    def unsampled(self) -> int:
        """Present and not sampled: the people of the building's call list."""
        return self.expected + self.exempt - self.sampled


class CoverageBaseline:
    """The coverage figures by hand: per building, the present residents of the community less
    those exempt from the round and not sampled (expected), and those sampled in the round, in
    the page's order (grid name, building number); samples per site of the round, in the page's
    order (site name, id), door to door last."""

    queries = 2

    def __init__(self, connection: Any, *, round_id: int, community_id: int) -> None:
        from frontline.places.models import Building, Grid
        from frontline.residents.models import Resident, ResidentStatus
        from frontline.sampling.models import EXEMPT_REASONS, Exemption, Sample, Site, Tube

        self.connection = connection
        reasons = ", ".join(["%s"] * len(EXEMPT_REASONS))
        # Table and column names are ours; every value is a parameter. Samples and exemptions
        # are unique per round and person, so the LEFT JOINs add no rows.
        self.buildings_sql = (
            "SELECT b.id, b.number, g.name, c.present - c.exempt, c.sampled, c.exempt FROM ("  # noqa: S608
            "SELECT r.building_id AS building_id, COUNT(*) AS present, COUNT(s.id) AS sampled, "
            "COUNT(CASE WHEN s.id IS NULL THEN e.id END) AS exempt "
            f"FROM {Resident._meta.db_table} r LEFT JOIN {Sample._meta.db_table} s "
            "ON s.resident_id = r.id AND s.round_id = %s "
            f"LEFT JOIN {Exemption._meta.db_table} e ON e.resident_id = r.id AND e.round_id = %s "
            f"AND e.reason IN ({reasons}) "
            "WHERE r.community_id = %s AND r.status = %s GROUP BY r.building_id) c "
            f"JOIN {Building._meta.db_table} b ON b.id = c.building_id "
            f"JOIN {Grid._meta.db_table} g ON g.id = b.grid_id ORDER BY g.name, b.number"
        )
        self.buildings_params = [
            round_id, round_id, *EXEMPT_REASONS, community_id, ResidentStatus.PRESENT,
        ]  # fmt: skip
        self.sites_sql = (
            "SELECT t.site_id, si.name, COUNT(*) "  # noqa: S608
            f"FROM {Sample._meta.db_table} s JOIN {Tube._meta.db_table} t ON t.id = s.tube_id "
            f"LEFT JOIN {Site._meta.db_table} si ON si.id = t.site_id "
            "WHERE s.round_id = %s GROUP BY t.site_id, si.name"
        )
        self.sites_params = [round_id]

    def statements(self) -> list[tuple[str, list[Any]]]:
        return [(self.buildings_sql, self.buildings_params), (self.sites_sql, self.sites_params)]

    def __call__(self) -> tuple[list[BuildingCount], list[tuple[str | None, int]]]:
        with self.connection.cursor() as cursor:
            cursor.execute(self.buildings_sql, self.buildings_params)
            buildings = [BuildingCount(*row) for row in cursor.fetchall()]
            cursor.execute(self.sites_sql, self.sites_params)
            per_site = cursor.fetchall()
        named = sorted(
            ((name, site_id, n) for site_id, name, n in per_site if site_id is not None),
            key=lambda row: (row[0], row[1]),
        )
        sites: list[tuple[str | None, int]] = [(name, n) for name, _id, n in named]
        sites += [(None, n) for site_id, _name, n in per_site if site_id is None]
        return buildings, sites


class CallListBaseline:
    """One building's present residents without a sample in the round, in address order, at
    most 2,000, with their address, masked phone, tags (stored and derived) and the exemption
    reason recorded, if any."""

    queries = 2

    def __init__(
        self, connection: Any, *, round_id: int, community_id: int, building_id: int
    ) -> None:
        from frontline.places.models import Building, Household, Unit
        from frontline.residents.models import Resident, ResidentStatus, ResidentTag
        from frontline.sampling.models import Exemption, Sample

        self.connection = connection
        self.postgres = connection.vendor == "postgresql"
        # Table and column names are ours; every value is a parameter.
        self.sql = (
            "SELECT r.id, r.name, r.phone, r.birth_date, b.number, u.number, h.room, "  # noqa: S608
            f"e.reason FROM {Resident._meta.db_table} r "
            f"JOIN {Household._meta.db_table} h ON h.id = r.household_id "
            f"JOIN {Unit._meta.db_table} u ON u.id = h.unit_id "
            f"JOIN {Building._meta.db_table} b ON b.id = u.building_id "
            f"LEFT JOIN {Exemption._meta.db_table} e ON e.round_id = %s AND e.resident_id = r.id "
            "WHERE r.community_id = %s AND r.status = %s AND r.building_id = %s AND NOT EXISTS "
            f"(SELECT 1 FROM {Sample._meta.db_table} s WHERE s.round_id = %s "
            "AND s.resident_id = r.id) "
            f"ORDER BY r.address_key, r.id LIMIT {CALL_LIST_LIMIT}"
        )
        self.params = [round_id, community_id, ResidentStatus.PRESENT, building_id, round_id]
        self.tags_table = ResidentTag._meta.db_table

    def _tags_sql(self, ids: list[int]) -> tuple[str, list[Any]]:
        # Table and column names are ours; every value is a parameter.
        params: list[Any]
        if self.postgres:
            where, params = "resident_id = ANY(%s)", [ids]
        else:
            where, params = f"resident_id IN ({', '.join(['%s'] * len(ids))})", list(ids)
        return f"SELECT resident_id, tag FROM {self.tags_table} WHERE {where}", params  # noqa: S608

    def statements(self) -> list[tuple[str, list[Any]]]:
        return [(self.sql, self.params)]

    def __call__(self) -> list[tuple[int, str, str, str, list[str], str | None]]:
        from django.utils import timezone

        from frontline.core.masking import mask_phone
        from frontline.residents.models import SENIOR_AGE, Tag, age_on

        with self.connection.cursor() as cursor:
            cursor.execute(self.sql, self.params)
            rows = cursor.fetchall()
            stored: dict[int, set[str]] = {}
            if rows:
                cursor.execute(*self._tags_sql([row[0] for row in rows]))
                for resident_id, tag in cursor.fetchall():
                    stored.setdefault(resident_id, set()).add(tag)
        today = timezone.localdate()
        people = []
        for pk, name, phone, born, building, unit, room, reason in rows:
            tags = set(stored.get(pk, ()))
            if isinstance(born, str):
                born = dt.date.fromisoformat(born)
            age = age_on(born, today)
            if age is not None and age >= SENIOR_AGE:
                tags.add(Tag.SENIOR)
            labels = [str(tag.label) for tag in Tag if tag in tags]
            address = f"{building}-{unit}-{room}"
            people.append((pk, name, mask_phone(phone), address, labels, reason))
        return people


def _row(
    case: str,
    layout: Layout,
    target: tuple[float, str],
    ours_times: list[float],
    baseline_times: list[float],
    ours_queries: int,
    baseline_queries: int,
    matches: bool,
    log: Callable[[str], None],
    *,
    extra: dict[str, Any] | None = None,
) -> Row:
    from django.db import connection

    row = Row(
        case=case,
        database=connection.vendor,
        residents=layout.residents,
        ours=ours_times,
        baseline=baseline_times,
        target_seconds=target[0],
        target=target[1],
        ours_queries=ours_queries,
        baseline_queries=baseline_queries,
        matches=matches,
        extra=extra or {},
    )
    log(
        f"  {case}: ours p95 {row.ours_p95 * 1000:.1f} ms, baseline {row.baseline_p95 * 1000:.1f} ms"
    )
    return row


def _captured(call: Callable[[], Any]) -> tuple[Any, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        result = call()
    return result, len(captured.captured_queries)


def _explain(
    connection: Any,
    label: str,
    ours: Callable[[], Any],
    baseline: list[tuple[str, list[Any]]],
) -> None:
    """Print every query of one call of ours, its time, and the plans of the slow ones; then
    the baseline's plans."""
    from django.test.utils import CaptureQueriesContext

    out = sys.stdout
    print(f"\n### {connection.vendor}: {label}", file=out)
    with CaptureQueriesContext(connection) as captured:
        ours()
    for number, query in enumerate(captured.captured_queries, 1):
        seconds = float(query["time"])
        print(f"{number:2}. {seconds * 1000:8.1f} ms  {query['sql'][:400]}", file=out)
        if seconds >= 0.02:
            for line in _plan(connection, query["sql"]):
                print(f"              plan: {line}", file=out)
    for sql, params in baseline:
        print(f"baseline: {sql[:400]}", file=out)
        for line in _plan(connection, sql, params):
            print(f"              plan: {line}", file=out)


def _plan(connection: Any, sql: str, params: list[Any] | None = None) -> list[str]:
    prefix = (
        "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS) "
    )
    try:
        with connection.cursor() as cursor:
            cursor.execute(prefix + sql, params)
            return [" ".join(str(cell) for cell in row) for row in cursor.fetchall()]
    except Exception as error:  # a plan is a diagnostic; never let it stop the benchmark
        return [f"(no plan: {error})"]
