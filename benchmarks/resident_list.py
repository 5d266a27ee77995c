"""Case: the resident list at 100k / 1M residents; DESIGN.md target p95 <= 1 s.

Ours, for three searches (first page, the last 4 digits of a phone, a pinyin-initials prefix):
- the page: GET /residents/?q=... through Django's test Client, signed in as a community admin
  whose scope is the whole community (session, middleware, selector, paginator, template);
- the API: GET /api/v1/residents?limit=50&q=... with the same user's bearer token.

Baseline, measured interleaved with ours in the same run: hand-written SQL through
`cursor.execute` returning the same page: the COUNT(*) the page shows, the first 50 rows with the
same columns joined (household, unit, building), the same scope and status filter, the same
search condition and the same order, and the tags of those 50 residents. The harness checks that
ours and the baseline return the same ids in the same order and the same count.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from benchmarks.databases import community_admin, ensure_community
from benchmarks.harness import Row, measure_pair

NAME = "resident_list"
TARGET_SECONDS = 1.0
TARGET = "p95 <= 1 s"
INITIALS_QUERY = "zx"
DETAIL_LINK = re.compile(rb'href="/residents/(\d+)/"')
PAGE_COUNT = re.compile(rb'<p class="counts[^"]*">\s*([\d,]+)')


@dataclass(frozen=True)
class Search:
    label: str
    query: str


def prepare(*, residents: int, log: Callable[[str], None]) -> None:
    """The data this case needs: a community of `residents` people and its admin."""
    community_admin(ensure_community(residents, log))


def run(*, residents: int, repeat: int, explain: bool, log: Callable[[str], None]) -> list[Row]:
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from frontline.accounts.tokens import token_create
    from frontline.residents.models import Resident

    community = ensure_community(residents, log)
    user = community_admin(community)
    user.api_tokens.all().delete()
    _, token = token_create(user=user, name="benchmarks")
    client = Client()
    client.force_login(user)
    page_size = settings.FRONTLINE_PAGE_SIZE

    tail = (
        Resident.objects.filter(community=community, pk__gte=_middle_id(community))
        .exclude(phone_tail="")
        .order_by("pk")
        .values_list("phone_tail", flat=True)
        .first()
    )
    searches = [
        Search("first page", ""),
        Search(f"phone tail {tail}", tail or "0000"),
        Search(f"initials '{INITIALS_QUERY}'", INITIALS_QUERY),
    ]
    rows: list[Row] = []
    for search in searches:
        baseline = Baseline(
            connection, community_id=community.pk, query=search.query, size=page_size
        )
        expected_ids, expected_count = baseline()

        def page(search: Search = search) -> Any:
            response = client.get("/residents/", {"q": search.query} if search.query else {})
            if response.status_code != 200:
                raise RuntimeError(f"GET /residents/ answered {response.status_code}")
            return response

        def api(search: Search = search) -> Any:
            params: dict[str, str | int] = {"limit": page_size}
            if search.query:
                params["q"] = search.query
            response = client.get(
                "/api/v1/residents", params, headers={"authorization": f"Bearer {token}"}
            )
            if response.status_code != 200:
                raise RuntimeError(f"GET /api/v1/residents answered {response.status_code}")
            return response

        for surface, ours in (("page", page), ("API", api)):
            ours()  # the first call may write once (a token's last use), which is not typical
            response, ours_queries = _captured(ours)
            if surface == "page":
                ids = [int(match) for match in DETAIL_LINK.findall(response.content)]
                shown = PAGE_COUNT.search(response.content)
                if shown is None:
                    log("the page's count was not found; only the ids are compared")
                    count = expected_count
                else:
                    count = int(shown[1].replace(b",", b""))
            else:
                body = json.loads(response.content)
                ids, count = [item["id"] for item in body["items"]], body["count"]
            matches = ids == expected_ids and count == expected_count
            if not matches:
                log(
                    f"MISMATCH {surface} {search.label}: ours {ids[:5]}... count {count}, "
                    f"baseline {expected_ids[:5]}... count {expected_count}"
                )
            if explain:
                _explain(connection, f"{surface}, {search.label}", ours, baseline)
            ours_times, baseline_times = measure_pair(ours, baseline, repeat=repeat)
            rows.append(
                Row(
                    case=f"resident list: {surface}, {search.label}",
                    database=connection.vendor,
                    residents=residents,
                    ours=ours_times,
                    baseline=baseline_times,
                    target_seconds=TARGET_SECONDS,
                    target=TARGET,
                    ours_queries=ours_queries,
                    baseline_queries=baseline.queries,
                    matches=matches,
                    extra={"matching_residents": expected_count},
                )
            )
            log(f"  {rows[-1].case}: ours p95 {rows[-1].ours_p95 * 1000:.1f} ms")
    return rows


def _middle_id(community: Any) -> int:
    from django.db.models import Max, Min

    from frontline.residents.models import Resident

    bounds = Resident.objects.filter(community=community).aggregate(low=Min("pk"), high=Max("pk"))
    return (bounds["low"] + bounds["high"]) // 2


def _captured(call: Callable[[], Any]) -> tuple[Any, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        result = call()
    return result, len(captured.captured_queries)


class Baseline:
    """The same first page by hand: COUNT(*), 50 joined rows, their tags. Three queries."""

    queries = 3

    def __init__(self, connection: Any, *, community_id: int, query: str, size: int) -> None:
        from frontline.places.models import Building, Household, Unit
        from frontline.residents.models import Resident, ResidentStatus, ResidentTag

        self.connection = connection
        where = ["r.community_id = %s", "r.status IN (%s, %s)"]
        params: list[Any] = [community_id, ResidentStatus.PRESENT, ResidentStatus.AWAY]
        search, search_params = _search_sql(query, connection.vendor)
        if search:
            where.append(search)
            params.extend(search_params)
        condition = " AND ".join(where)
        resident = Resident._meta.db_table
        # Table names come from the models' meta; every value is a parameter.
        self.count_sql = f"SELECT COUNT(*) FROM {resident} r WHERE {condition}"  # noqa: S608
        self.page_sql = (
            "SELECT r.id, r.name, r.sex, r.birth_date, r.phone, r.status, r.document_type, "  # noqa: S608
            "r.document_number, r.residence_type, r.household_id, "
            "b.number, u.number, h.room "
            f"FROM {resident} r "
            f"JOIN {Household._meta.db_table} h ON h.id = r.household_id "
            f"JOIN {Unit._meta.db_table} u ON u.id = h.unit_id "
            f"JOIN {Building._meta.db_table} b ON b.id = r.building_id "
            f"WHERE {condition} "
            "ORDER BY r.address_key, r.id "
            f"LIMIT {int(size)}"
        )
        self.tag_table = ResidentTag._meta.db_table
        self.params = params

    def tags_sql(self, count: int) -> str:
        marks = ", ".join(["%s"] * count)
        return f"SELECT resident_id, tag FROM {self.tag_table} WHERE resident_id IN ({marks})"  # noqa: S608

    def __call__(self) -> tuple[list[int], int]:
        with self.connection.cursor() as cursor:
            cursor.execute(self.count_sql, self.params)
            (count,) = cursor.fetchone()
            cursor.execute(self.page_sql, self.params)
            page = cursor.fetchall()
            ids = [row[0] for row in page]
            if ids:
                cursor.execute(self.tags_sql(len(ids)), ids)
                cursor.fetchall()
        return ids, count


def _search_sql(query: str, vendor: str) -> tuple[str, list[Any]]:
    """The condition `residents.selectors.search_filter` means, for the searches used here."""
    from frontline.residents.selectors import INITIALS, TAIL

    if not query:
        return "", []
    if TAIL.match(query):
        return "(r.phone_tail = %s OR r.document_tail = %s)", [query, query.upper()]
    if INITIALS.match(query):
        upper = query[:-1] + chr(ord(query[-1]) + 1)
        return "(r.name_initials >= %s AND r.name_initials < %s)", [query, upper]
    raise ValueError(f"no baseline SQL for the search {query!r}")


def _explain(connection: Any, label: str, ours: Callable[[], Any], baseline: Baseline) -> None:
    """Print every query one request makes, its time, and the plan of the slow ones."""
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
    print("baseline:", file=out)
    for sql in (baseline.count_sql, baseline.page_sql):
        print(f"    {sql[:400]}", file=out)
        for line in _plan(connection, sql, baseline.params):
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
