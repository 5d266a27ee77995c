from __future__ import annotations

from django.db import connection

from frontline.residents.models import Resident, ResidentTag


def refresh_statistics() -> None:
    """Let the query planner see the new size of the people tables after a bulk load.

    SQLite keeps no statistics until ANALYZE runs, and without them it scans a million-row
    community instead of using the tail and initials indexes. PostgreSQL's autovacuum analyses
    a table within a minute of a change to a tenth of it, which every bulk load is; an ANALYZE
    in the load's own transaction would only add its time to the load.
    """
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for model in (Resident, ResidentTag):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
