"""Case: the tube ledger of a mass-testing round; targets (issue 5) at 1M people in the round.

- trace-back of 1,000 positive tubes of a 1M-person round (100k tubes of 10): <= 1 s, ORM
  included;
- one positive tube's people: <= 10 ms;
- registering one scan with 1M samples in the round: p95 <= 50 ms.

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

The scans a run adds (scan ids `bench-scan-...`, tubes `JZS...`) are deleted at the end of the
run, and at its start when an interrupted run left some, so every run finds the same round.
"""

from __future__ import annotations

import datetime as dt
import math
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
