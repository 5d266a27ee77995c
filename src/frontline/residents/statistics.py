from __future__ import annotations

from django.db import connection

from frontline.residents.models import Resident, ResidentTag


def refresh_statistics() -> None:
    """Let the query planner see the new size of the people tables after a bulk load.

    SQLite keeps no statistics until ANALYZE runs, and without them it scans a million-row
    community instead of using the tail and initials indexes.
    """
    with connection.cursor() as cursor:
        for model in (Resident, ResidentTag):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
