"""Case: who has not checked in today, at 100k residents; target (issue 4) p95 <= 300 ms.

Data (made once per database and day by `prepare`): today's check-ins for 70 % of the benchmark
community's present residents (those whose id is not 3, 6 or 9 mod 10... precisely `id % 10 < 7`),
inserted in bulk, so that about 30 % are missing.

Ours, through Django's test Client, signed in as the community admin (scope: the whole community):
- building: GET /health/buildings/<pk>/not-checked-in/ for the building with most residents
  (the page: count and the first 50 in address order);
- grid: GET /health/grids/<pk>/not-checked-in/ for the grid with most residents;
- call list: GET the same grid page with ?calls=1 (up to 500 names with masked phones; audited,
  so every run also appends one audit entry);
- community: GET /health/ (per grid: present, checked in today and the rate over 14 days; the
  first page of 50 buildings with their counts).

Baseline, interleaved: hand-written SQL by `cursor.execute` for the same result: for the lists a
COUNT(*) and the first rows with NOT EXISTS on today's check-ins, the household, unit and
building joined, the same order; for the community the GROUP BY queries (present per grid,
distinct residents per grid and day, present and checked in for the first 50 buildings). The
harness checks that the pages list the same ids and counts (and per grid the same number checked
in today) as the baseline.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from benchmarks.databases import community_admin, ensure_community
from benchmarks.harness import Row, measure_pair

NAME = "not_checked_in"
TARGET_SECONDS = 0.3
TARGET = "p95 <= 300 ms"
CHECKED_IN_SHARE = 7  # of 10: residents with id % 10 < 7 have checked in today
CALL_LIST_LIMIT = 500
DETAIL_LINK = re.compile(rb'href="/residents/(\d+)/"')
PAGE_COUNT = re.compile(rb'<p class="counts[^"]*">\s*([\d,]+)')
CALL_ROW = re.compile(rb"<tr><td>(\d+)</td>")
GRID_CHECKED = re.compile(rb'data-grid-checked="(\d+):(\d+)"')


def prepare(*, residents: int, log: Callable[[str], None]) -> None:
    community = ensure_community(residents, log)
    community_admin(community)
    _checkins_for_today(community, log)


def _checkins_for_today(community: Any, log: Callable[[str], None]) -> None:
    """Today's check-ins for 70 % of the present residents, unless today has some already."""
    import time
    from decimal import Decimal

    from django.db import transaction
    from django.utils import timezone

    from frontline.health.models import Checkin, CheckinSource
    from frontline.residents.models import Resident, ResidentStatus

    today = timezone.localdate()
    if Checkin.objects.filter(community=community, day=today).exists():
        return
    started = time.perf_counter()
    people = Resident.objects.filter(community=community, status=ResidentStatus.PRESENT)
    rows = [
        Checkin(
            resident_id=pk,
            building_id=building_id,
            community_id=community.pk,
            day=today,
            temperature=Decimal("36.5"),
            source=CheckinSource.HOUSEHOLD_LINK,
        )
        for pk, building_id in people.values_list("pk", "building_id").iterator(chunk_size=5000)
        if pk % 10 < CHECKED_IN_SHARE
    ]
    with transaction.atomic():
        Checkin.objects.bulk_create(rows, batch_size=2000)
    log(f"{len(rows):,} check-ins for {today} in {time.perf_counter() - started:.1f} s")


@dataclass(frozen=True)
class Place:
    label: str
    url: str
    column: str  # r.building_id or b.grid_id
    place_id: int
    calls: bool = False


def run(*, residents: int, repeat: int, explain: bool, log: Callable[[str], None]) -> list[Row]:
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.utils import timezone

    from frontline.residents.models import Resident, ResidentStatus

    community = ensure_community(residents, log)
    user = community_admin(community)
    _checkins_for_today(community, log)
    client = Client()
    client.force_login(user)
    today = timezone.localdate()
    present = Resident.objects.filter(community=community, status=ResidentStatus.PRESENT)
    building_id = (
        present.values("building_id")
        .annotate(n=Count("id"))
        .order_by("-n", "building_id")[0]["building_id"]
    )
    grid_id = (
        present.values("building__grid_id")
        .annotate(n=Count("id"))
        .order_by("-n", "building__grid_id")[0]["building__grid_id"]
    )
    places = [
        Place(
            "building",
            f"/health/buildings/{building_id}/not-checked-in/",
            "r.building_id",
            building_id,
        ),
        Place("grid", f"/health/grids/{grid_id}/not-checked-in/", "b.grid_id", grid_id),
        Place(
            "grid call list",
            f"/health/grids/{grid_id}/not-checked-in/?calls=1",
            "b.grid_id",
            grid_id,
            True,
        ),
    ]
    rows: list[Row] = []
    for place in places:
        baseline = ListBaseline(
            connection,
            community_id=community.pk,
            day=today,
            column=place.column,
            place_id=place.place_id,
            size=CALL_LIST_LIMIT if place.calls else 50,
            count=not place.calls,
        )
        expected_ids, expected_count = baseline()

        def ours(place: Place = place) -> Any:
            response = client.get(place.url)
            if response.status_code != 200:
                raise RuntimeError(f"GET {place.url} answered {response.status_code}")
            return response

        response, ours_queries = _captured(ours)
        if place.calls:
            ids = [int(i) for i in DETAIL_LINK.findall(response.content)]
            count = len(CALL_ROW.findall(response.content))
            matches = count == len(expected_ids)
        else:
            ids = [int(i) for i in DETAIL_LINK.findall(response.content)]
            shown = PAGE_COUNT.search(response.content)
            count = int(shown[1].replace(b",", b"")) if shown else -1
            matches = ids == expected_ids and count == expected_count
        if not matches:
            log(
                f"MISMATCH {place.label}: ours {ids[:5]} count {count}, baseline {expected_ids[:5]} count {expected_count}"
            )
        if explain:
            _explain(connection, place.label, ours)
        ours_times, baseline_times = measure_pair(ours, baseline, repeat=repeat)
        rows.append(
            Row(
                case=f"not checked in: {place.label}",
                database=connection.vendor,
                residents=residents,
                ours=ours_times,
                baseline=baseline_times,
                target_seconds=TARGET_SECONDS,
                target=TARGET,
                ours_queries=ours_queries,
                baseline_queries=baseline.queries,
                matches=matches,
                extra={"missing": expected_count},
            )
        )
        log(f"  {rows[-1].case}: ours p95 {rows[-1].ours_p95 * 1000:.1f} ms")

    overview_baseline = OverviewBaseline(connection, community_id=community.pk, day=today)
    expected = overview_baseline()

    def overview() -> Any:
        response = client.get("/health/")
        if response.status_code != 200:
            raise RuntimeError(f"GET /health/ answered {response.status_code}")
        return response

    response, ours_queries = _captured(overview)
    per_grid = {int(g): int(n) for g, n in GRID_CHECKED.findall(response.content)}
    matches = {g: n for g, n in per_grid.items() if n} == expected
    if not matches:
        log(f"MISMATCH community: ours {per_grid} checked in per grid, baseline {expected}")
    ours_times, baseline_times = measure_pair(overview, overview_baseline, repeat=repeat)
    rows.append(
        Row(
            case="not checked in: community overview",
            database=connection.vendor,
            residents=residents,
            ours=ours_times,
            baseline=baseline_times,
            target_seconds=TARGET_SECONDS,
            target=TARGET,
            ours_queries=ours_queries,
            baseline_queries=overview_baseline.queries,
            matches=matches,
        )
    )
    log(f"  {rows[-1].case}: ours p95 {rows[-1].ours_p95 * 1000:.1f} ms")
    return rows


def _captured(call: Callable[[], Any]) -> tuple[Any, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        result = call()
    return result, len(captured.captured_queries)


class ListBaseline:
    """Present residents of one building or grid without a check-in today: COUNT(*) and rows."""

    def __init__(
        self,
        connection: Any,
        *,
        community_id: int,
        day: Any,
        column: str,
        place_id: int,
        size: int,
        count: bool,
    ) -> None:
        from frontline.health.models import Checkin
        from frontline.places.models import Building, Household, Unit
        from frontline.residents.models import Resident, ResidentStatus

        self.connection = connection
        self.count = count
        self.queries = 2 if count else 1
        resident = Resident._meta.db_table
        joins = (
            f"JOIN {Household._meta.db_table} h ON h.id = r.household_id "
            f"JOIN {Unit._meta.db_table} u ON u.id = h.unit_id "
            f"JOIN {Building._meta.db_table} b ON b.id = r.building_id "
        )
        condition = (
            f"r.community_id = %s AND r.status = %s AND {column} = %s AND NOT EXISTS "  # noqa: S608
            f"(SELECT 1 FROM {Checkin._meta.db_table} c WHERE c.resident_id = r.id AND c.day = %s)"
        )
        self.params = [community_id, ResidentStatus.PRESENT, place_id, day]
        # Table and column names are ours; every value is a parameter.
        self.count_sql = f"SELECT COUNT(*) FROM {resident} r JOIN {Building._meta.db_table} b ON b.id = r.building_id WHERE {condition}"  # noqa: S608
        self.rows_sql = (
            f"SELECT r.id, r.name, r.phone, b.number, u.number, h.room FROM {resident} r {joins}"  # noqa: S608
            f"WHERE {condition} ORDER BY r.address_key, r.id LIMIT {int(size)}"
        )

    def __call__(self) -> tuple[list[int], int]:
        with self.connection.cursor() as cursor:
            total = -1
            if self.count:
                cursor.execute(self.count_sql, self.params)
                (total,) = cursor.fetchone()
            cursor.execute(self.rows_sql, self.params)
            ids = [row[0] for row in cursor.fetchall()]
        return ids, total


class OverviewBaseline:
    """The overview's figures by hand: present per grid, distinct residents checked in per grid
    and day over 14 days, and present / checked-in counts for the first 50 buildings."""

    queries = 4

    def __init__(self, connection: Any, *, community_id: int, day: Any) -> None:
        import datetime as dt

        from frontline.health.models import Checkin
        from frontline.places.models import Building
        from frontline.residents.models import Resident, ResidentStatus

        self.connection = connection
        resident, checkin, building = (
            Resident._meta.db_table,
            Checkin._meta.db_table,
            Building._meta.db_table,
        )
        self.present_sql = (
            f"SELECT b.grid_id, COUNT(*) FROM {resident} r JOIN {building} b ON b.id = r.building_id "  # noqa: S608
            "WHERE r.community_id = %s AND r.status = %s GROUP BY b.grid_id"
        )
        self.rates_sql = (
            f"SELECT b.grid_id, c.day, COUNT(DISTINCT c.resident_id) FROM {checkin} c "  # noqa: S608
            f"JOIN {building} b ON b.id = c.building_id WHERE c.community_id = %s AND c.day >= %s "
            "AND c.day <= %s GROUP BY b.grid_id, c.day"
        )
        self.buildings_sql = (
            f"SELECT id FROM {building} WHERE community_id = %s "  # noqa: S608
            "ORDER BY community_id, grid_id, number LIMIT 50"
        )
        self.counts_sql = (
            f"SELECT r.building_id, COUNT(*), SUM(CASE WHEN EXISTS (SELECT 1 FROM {checkin} c "  # noqa: S608
            "WHERE c.resident_id = r.id AND c.day = %s) THEN 1 ELSE 0 END) "
            f"FROM {resident} r WHERE r.community_id = %s AND r.status = %s AND r.building_id IN "
            f"({self.buildings_sql}) GROUP BY r.building_id"
        )
        self.params = (community_id, ResidentStatus.PRESENT, day, day - dt.timedelta(days=13))

    def __call__(self) -> dict[int, int]:
        """Residents checked in today per grid."""
        community_id, present, day, start = self.params
        with self.connection.cursor() as cursor:
            cursor.execute(self.present_sql, [community_id, present])
            cursor.fetchall()
            cursor.execute(self.rates_sql, [community_id, start, day])
            today = {grid_id: n for grid_id, when, n in cursor.fetchall() if str(when) == str(day)}
            cursor.execute(self.counts_sql, [day, community_id, present, community_id])
            cursor.fetchall()
        return today


def _explain(connection: Any, label: str, ours: Callable[[], Any]) -> None:
    from django.test.utils import CaptureQueriesContext

    print(f"\n### {connection.vendor}: {label}", file=sys.stdout)
    with CaptureQueriesContext(connection) as captured:
        ours()
    for number, query in enumerate(captured.captured_queries, 1):
        seconds = float(query["time"])
        print(f"{number:2}. {seconds * 1000:8.1f} ms  {query['sql'][:400]}", file=sys.stdout)
