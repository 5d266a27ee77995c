"""`field__any=[...]`: membership in a long list, as one array parameter on PostgreSQL.

`__in` sends one parameter per value; with the 100,000 document digests of a large roster
import PostgreSQL spends over a second parsing the statement. `= ANY(%s)` sends one array.
SQLite has no arrays and is fast with `IN (...)`, which it gets instead.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Field, ForeignObject, Lookup


@Field.register_lookup
class AnyOf(Lookup):  # type: ignore[type-arg]
    lookup_name = "any"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        lhs, params = self.process_lhs(compiler, connection)
        field = self.lhs.output_field
        values = [field.get_db_prep_value(value, connection) for value in self.rhs]
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*params, values]
        if not values:
            return "1 = 0", list(params)
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", [*params, *values]


ForeignObject.register_lookup(AnyOf)  # `resident_id__any=[...]`: relations keep their own lookups
