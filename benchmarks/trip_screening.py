"""Case: trip screening, 1M trips x 2,000 risk areas; target (issue 4) <= 5 s.

Data (made once per database by `prepare`, reused afterwards): 1,000,000 trips spread over the
benchmark community's residents (10 each at 100k), and 2,000 risk areas, from a fixed random seed.
Places are GB/T 2260-shaped codes (34 provinces x 20 cities x 20 districts): trips 85 % at district
level, 8 % city, 2 % province, 5 % free text only; areas 70 % district, 15 % city, 3 % province,
12 % free text. Trips last 1-7 days in 2022-03..12; areas 5-30 days, 10 % still in force.

- **ours**: `frontline.travel.screening.screening_refresh()`, the code the services call: the
  set-based matching query (a UNION ALL of equality joins with the date range conditions) into a
  temporary table, then only the differences written to the stored matches (DELETE of vanished
  pairs, INSERT ... ON CONFLICT DO UPDATE of new or changed ones), then
  `TripMatch.objects.count()`. Timed runs find the stored matches up to date (nothing changed
  since the last screening), the common case; the first refresh, which writes every match, is
  timed once and logged ("first refresh").
- **baseline**: the same matches counted by hand-written SQL: `SELECT COUNT(*)` over the same
  joins, nothing written. The ratio therefore shows what storing the evidence rows costs.
  (The shortest possible SQL, one join whose ON clause tests prefixes with LIKE, cannot use an
  index and visits all 2 x 10^9 pairs; `--explain` runs it once and prints its time.)
- The harness checks that both counts agree.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable, Iterator
from typing import Any

from benchmarks.databases import ensure_community
from benchmarks.harness import Row, measure_pair

NAME = "trip_screening"
TARGET_SECONDS = 5.0
TARGET = "<= 5 s"
TRIPS = 1_000_000
AREAS = 2_000
MAX_REPEAT = 5
SEED = 20221111
FIRST_DAY = dt.date(2022, 3, 1)
SPAN_DAYS = 300
CITIES = 20
DISTRICTS = 20
PLACE_NAMES = 500
CHUNK = 50_000


def prepare(*, residents: int, log: Callable[[str], None]) -> None:
    community = ensure_community(residents, log)
    _ensure_travel_data(community, log)


def run(*, residents: int, repeat: int, explain: bool, log: Callable[[str], None]) -> list[Row]:
    from django.db import connection

    from frontline.travel.models import TripMatch
    from frontline.travel.screening import match_select, screening_refresh

    community = ensure_community(residents, log)
    _ensure_travel_data(community, log)

    def ours() -> int:
        screening_refresh()
        return TripMatch.objects.count()

    select, params = match_select()
    count_sql = f"SELECT COUNT(*) FROM ({select}) found"  # noqa: S608

    def baseline() -> int:
        with connection.cursor() as cursor:
            cursor.execute(count_sql, params)
            return int(cursor.fetchone()[0])

    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TripMatch._meta.db_table}")  # noqa: S608
    started = time.perf_counter()
    ours_count = ours()
    first_write = time.perf_counter() - started
    baseline_count = baseline()
    log(
        f"matches: ours {ours_count:,}, baseline {baseline_count:,}; "
        f"first refresh (writing every match) {first_write:.1f} s"
    )
    if explain:
        _explain(connection, count_sql, params, log)
    times = min(repeat, MAX_REPEAT)
    ours_times, baseline_times = measure_pair(ours, baseline, repeat=times, warmup=1)
    return [
        Row(
            case=f"trip screening: {TRIPS // 1000:,}k trips x {AREAS:,} areas, refresh",
            database=connection.vendor,
            residents=residents,
            ours=ours_times,
            baseline=baseline_times,
            target_seconds=TARGET_SECONDS,
            target=TARGET,
            ours_queries=3,
            baseline_queries=1,
            matches=ours_count == baseline_count,
            note="" if ours_count == baseline_count else f"{ours_count} != {baseline_count}",
            extra={"matches": ours_count, "first_refresh_seconds": round(first_write, 2)},
        )
    ]


# -- data ---------------------------------------------------------------------------------------


def _ensure_travel_data(community: Any, log: Callable[[str], None]) -> None:
    from django.db import connection, transaction

    from frontline.residents.models import Resident
    from frontline.travel.models import RiskArea, Trip, TripMatch

    trips = Trip.objects.filter(resident__community=community).count()
    if trips == TRIPS and RiskArea.objects.count() == AREAS:
        return
    started = time.perf_counter()
    resident_ids = list(
        Resident.objects.filter(community=community).order_by("pk").values_list("pk", flat=True)
    )
    with transaction.atomic():
        with connection.cursor() as cursor:
            for model in (TripMatch, Trip, RiskArea):
                cursor.execute(f"DELETE FROM {model._meta.db_table}")  # noqa: S608
        _write_travel(resident_ids)
    with connection.cursor() as cursor:
        for model in (Trip, RiskArea):
            cursor.execute(f"ANALYZE {model._meta.db_table}")
    log(f"wrote {TRIPS:,} trips and {AREAS:,} risk areas in {time.perf_counter() - started:.1f} s")


def _codes(rng: random.Random) -> Iterator[str]:
    from frontline.travel.places import PROVINCES

    provinces = sorted(PROVINCES)
    while True:
        yield (
            rng.choice(provinces)
            + f"{rng.randint(1, CITIES):02d}"
            + f"{rng.randint(1, DISTRICTS):02d}"
        )


def _place(rng: random.Random, code: str, shares: tuple[float, float, float]) -> tuple[str, str]:
    """(area code, free text) at district, city or province level, or text only."""
    district, city, province = shares
    draw = rng.random()
    if draw < district:
        return code, ""
    if draw < district + city:
        return code[:4] + "00", ""
    if draw < district + city + province:
        return code[:2] + "0000", ""
    return "", f"地点{rng.randrange(PLACE_NAMES)}号{'小区' if rng.random() < 0.5 else ''}"


def _columns(code: str, text: str) -> tuple[Any, ...]:
    from frontline.travel.places import code_prefix, place_key

    prefix = code_prefix(code)
    return (
        code, text, prefix, prefix[:2], prefix[:4] if len(prefix) >= 4 else "", len(prefix),
        place_key(text),
    )  # fmt: skip


def _write_travel(resident_ids: list[int]) -> None:
    from django.db import connection

    from frontline.core.bulk import RowWriter
    from frontline.travel.models import RiskArea, Trip

    rng = random.Random(SEED)
    codes = _codes(rng)
    day = connection.ops.adapt_datefield_value
    place_columns = ("area_code", "place", "code_prefix", "province_prefix", "city_prefix",
                     "code_level", "place_key")  # fmt: skip
    area_writer = RowWriter(RiskArea, ("name", "level", "valid_from", "valid_to", *place_columns))
    areas = []
    for number in range(AREAS):
        code, text = _place(rng, next(codes), (0.70, 0.15, 0.03))
        start = FIRST_DAY + dt.timedelta(days=rng.randrange(SPAN_DAYS))
        end = None if rng.random() < 0.10 else start + dt.timedelta(days=rng.randint(5, 30))
        level = rng.choice(("high", "medium", "low"))
        areas.append((f"风险区{number}", level, day(start), day(end), *_columns(code, text)))
    area_writer.write(areas)

    trip_writer = RowWriter(Trip, ("resident_id", "date_from", "date_to", "source", *place_columns))

    def trip_rows() -> Iterator[tuple[Any, ...]]:
        for number in range(TRIPS):
            code, text = _place(rng, next(codes), (0.85, 0.08, 0.02))
            start = FIRST_DAY + dt.timedelta(days=rng.randrange(SPAN_DAYS))
            end = start + dt.timedelta(days=rng.randrange(7))
            resident = resident_ids[number % len(resident_ids)]
            yield (resident, day(start), day(end), "import", *_columns(code, text))

    batch: list[tuple[Any, ...]] = []
    for row in trip_rows():
        batch.append(row)
        if len(batch) == CHUNK:
            trip_writer.write(batch)
            batch = []
    if batch:
        trip_writer.write(batch)


def _explain(
    connection: Any, count_sql: str, params: list[Any], log: Callable[[str], None]
) -> None:
    """Print the plan of the counting query and time the naive single join once."""
    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + count_sql, params)
        for line in cursor.fetchall():
            log("  " + " ".join(str(part) for part in line))
        naive = (
            "SELECT COUNT(*) FROM travel_trip t JOIN travel_riskarea a "
            "ON t.date_to >= a.valid_from AND (a.valid_to IS NULL OR t.date_from <= a.valid_to) "
            "AND ((a.code_level > 0 AND t.code_level > 0 AND (t.code_prefix LIKE a.code_prefix || '%%' "
            "OR a.code_prefix LIKE t.code_prefix || '%%')) OR ((a.code_level = 0 OR t.code_level = 0) "
            "AND a.place_key <> '' AND t.place_key <> '' AND (t.place_key LIKE '%%' || a.place_key || '%%' "
            "OR a.place_key LIKE '%%' || t.place_key || '%%')))"
        )
        started = time.perf_counter()
        cursor.execute(naive, [])
        count = cursor.fetchone()[0]
        log(f"naive single join: {count:,} rows in {time.perf_counter() - started:.1f} s")
