"""Screening: every trip against every risk area, as one set-based SQL statement.

The statement is a UNION ALL of equality joins, one per way a place can be covered (see
`places.place_relation`): an area's code prefix equals the trip's province, city or own prefix
(a match), or the trip's prefix equals the area's province or city (a possible match), or, where
either side has no code, one free-text key contains the other. Each join also carries the date
range condition (the trip ends on or after the area starts, and starts on or before it ends), so
the indexes `(prefix column, date_to)` on trips answer it from the index. `match_stay` in
`places.py` is the reference; tests check that both agree.

`screening_refresh` makes the stored matches (`TripMatch`) of some trips, some areas or all of
them equal to the statement's result, inside the database: the result goes into a temporary
table, then only the differences are written (vanished pairs deleted, new or changed ones
upserted), so re-screening an unchanged database writes nothing and kept evidence keeps its id.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import islice
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from frontline.travel.models import RiskArea, Trip, TripMatch
from frontline.travel.places import MatchKind

CHUNK = 500

_OVERLAP = "t.date_to >= a.valid_from AND (a.valid_to IS NULL OR t.date_from <= a.valid_to)"
_MATCH, _POSSIBLE = MatchKind.MATCH.value, MatchKind.POSSIBLE.value
_BRANCHES: list[tuple[str, list[str], str, str]] = [
    # (kind expression, its params, join condition, further condition)
    ("%s", [_MATCH], "t.province_prefix = a.code_prefix", "a.code_level = 2"),
    ("%s", [_MATCH], "t.city_prefix = a.code_prefix", "a.code_level = 4"),
    ("%s", [_MATCH], "t.code_prefix = a.code_prefix", "a.code_level = 6"),
    ("%s", [_POSSIBLE], "t.code_prefix = a.province_prefix", "a.code_level > 2"),
    ("%s", [_POSSIBLE], "t.code_prefix = a.city_prefix", "a.code_level = 6"),
]
# Free text, where either side has no code: the area's key inside the trip's is a match, the
# trip's inside the area's a possible match. Containment cannot use an index, so it is tested on
# the distinct trip texts only (few: people go to the same places), giving (area, text, kind)
# pairs; the trips are then joined on equal text with the date range, from the partial index
# `trip_text_dates` (whose condition `place_key > ''` is written here the same way).
_AREA_IN_KEY = "k.place_key LIKE ('%%' || a.place_key || '%%')"
_KEY_IN_AREA = "a.place_key LIKE ('%%' || k.place_key || '%%')"
_FIRST = "CASE WHEN t.date_from > a.valid_from THEN t.date_from ELSE a.valid_from END"
_LAST = (
    "CASE WHEN a.valid_to IS NOT NULL AND a.valid_to < t.date_to THEN a.valid_to ELSE t.date_to END"
)


def _in(column: str, ids: Sequence[int]) -> str:
    return f"{column} IN ({', '.join(['%s'] * len(ids))})"


def match_select(
    *, trip_ids: Sequence[int] | None = None, area_ids: Sequence[int] | None = None
) -> tuple[str, list[Any]]:
    """The SELECT of (trip_id, area_id, resident_id, kind, first_day, last_day) and its params.

    `trip_ids` / `area_ids` restrict it to those trips or areas (None: all).
    """
    trips, areas = Trip._meta.db_table, RiskArea._meta.db_table
    restriction = ""
    restriction_params: list[Any] = []
    if trip_ids is not None:
        restriction += " AND " + _in("t.id", trip_ids)
        restriction_params += list(trip_ids)
    if area_ids is not None:
        restriction += " AND " + _in("a.id", area_ids)
        restriction_params += list(area_ids)
    parts: list[str] = []
    params: list[Any] = []
    for kind, kind_params, join, condition in _BRANCHES:
        # Table names from the models' meta and fixed fragments; every value is a parameter.
        parts.append(
            f"SELECT t.id AS trip_id, a.id AS area_id, t.resident_id AS resident_id, {kind} AS kind, "  # noqa: S608
            f"{_FIRST} AS first_day, {_LAST} AS last_day "
            f"FROM {areas} a JOIN {trips} t ON {join} AND {_OVERLAP} "
            f"WHERE {condition}{restriction}"
        )
        params += [*kind_params, *restriction_params]
    texts = f"SELECT DISTINCT t.place_key FROM {trips} t WHERE t.place_key > ''"  # noqa: S608
    text_params: list[Any] = []
    if trip_ids is not None:
        texts += " AND " + _in("t.id", trip_ids)
        text_params += list(trip_ids)
    pairs = (
        f"SELECT a.id AS area_id, k.place_key AS place_key, "  # noqa: S608
        f"CASE WHEN {_AREA_IN_KEY} THEN %s ELSE %s END AS kind "
        f"FROM {areas} a JOIN ({texts}) k ON ({_AREA_IN_KEY} OR {_KEY_IN_AREA}) "
        "WHERE a.place_key > ''"
    )
    # In the order of the statement's text: the CASE's, the distinct texts', the areas'.
    pair_params: list[Any] = [_MATCH, _POSSIBLE, *text_params]
    if area_ids is not None:
        pairs += " AND " + _in("a.id", area_ids)
        pair_params += list(area_ids)
    parts.append(
        f"SELECT t.id AS trip_id, a.id AS area_id, t.resident_id AS resident_id, p.kind AS kind, "  # noqa: S608
        f"{_FIRST} AS first_day, {_LAST} AS last_day "
        f"FROM ({pairs}) p JOIN {areas} a ON a.id = p.area_id "
        f"JOIN {trips} t ON t.place_key = p.place_key AND {_OVERLAP} "
        f"WHERE t.place_key > '' AND (a.code_level = 0 OR t.code_level = 0){restriction}"
    )
    params += [*pair_params, *restriction_params]
    return " UNION ALL ".join(parts), params


def match_count() -> int:
    """How many (trip, area) matches exist now, computed afresh (not from the stored rows)."""
    select, params = match_select()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({select}) found", params)  # noqa: S608
        return int(cursor.fetchone()[0])


def _chunks(ids: Iterable[int]) -> Iterable[list[int]]:
    iterator = iter(ids)
    while chunk := list(islice(iterator, CHUNK)):
        yield chunk


FOUND = "travel_found"


def _apply(cursor: Any, select: str, params: list[Any], scope: str, scope_params: list[Any]) -> int:
    """Make the stored matches within `scope` (a condition on the match table) equal `select`.

    Only differences are written: vanished pairs are deleted, pairs whose kind or days changed
    updated (their `found_at` kept), new pairs inserted. Returns the number of matches in scope.
    """
    matches = TripMatch._meta.db_table
    cursor.execute(f"DROP TABLE IF EXISTS {FOUND}")
    cursor.execute(f"CREATE TEMPORARY TABLE {FOUND} AS {select}", params)
    cursor.execute(f"CREATE INDEX {FOUND}_pair ON {FOUND} (trip_id, area_id)")
    if connection.vendor == "postgresql":  # temporary tables get no statistics otherwise
        cursor.execute(f"ANALYZE {FOUND}")
    cursor.execute(
        f"DELETE FROM {matches} WHERE {scope} AND NOT EXISTS (SELECT 1 FROM {FOUND} f "  # noqa: S608
        f"WHERE f.trip_id = {matches}.trip_id AND f.area_id = {matches}.area_id)",
        scope_params,
    )
    changed = " OR ".join(
        f"{matches}.{column} <> f.{column}"
        for column in ("kind", "first_day", "last_day", "resident_id")
    )
    # An UPDATE of the changed pairs and an INSERT of the new ones, rather than one upsert:
    # PostgreSQL's ON CONFLICT DO UPDATE locks (and so writes) every existing row it meets.
    cursor.execute(
        f"UPDATE {matches} SET kind = f.kind, first_day = f.first_day, last_day = f.last_day, "  # noqa: S608
        f"resident_id = f.resident_id FROM {FOUND} f "
        f"WHERE f.trip_id = {matches}.trip_id AND f.area_id = {matches}.area_id AND ({changed})"
    )
    cursor.execute(
        f"INSERT INTO {matches} (trip_id, area_id, resident_id, kind, first_day, last_day, found_at) "  # noqa: S608
        f"SELECT trip_id, area_id, resident_id, kind, first_day, last_day, %s FROM {FOUND} f "
        f"WHERE NOT EXISTS (SELECT 1 FROM {matches} m "
        "WHERE m.trip_id = f.trip_id AND m.area_id = f.area_id) "
        "ON CONFLICT (trip_id, area_id) DO NOTHING",
        [timezone.now()],
    )
    cursor.execute(f"SELECT COUNT(*) FROM {FOUND}")  # noqa: S608
    found = int(cursor.fetchone()[0])
    cursor.execute(f"DROP TABLE {FOUND}")
    return found


@transaction.atomic
def screening_refresh(
    *, trip_ids: Iterable[int] | None = None, area_ids: Iterable[int] | None = None
) -> int:
    """Recompute the stored matches of these trips, these areas, or (both None) everything.

    Runs entirely in the database; returns the number of matches of those trips or areas.
    """
    with connection.cursor() as cursor:
        if trip_ids is None and area_ids is None:
            select, params = match_select()
            return _apply(cursor, select, params, "1 = 1", [])
        found = 0
        for column, ids in (("trip_id", trip_ids), ("area_id", area_ids)):
            if ids is None:
                continue
            for chunk in _chunks(ids):
                select, params = match_select(
                    trip_ids=chunk if column == "trip_id" else None,
                    area_ids=chunk if column == "area_id" else None,
                )
                found += _apply(cursor, select, params, _in(column, chunk), chunk)
    return found
