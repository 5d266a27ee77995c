"""Objects for the route-by-role test: (inside community 幸福里, outside it) per kind."""

from __future__ import annotations

import datetime as dt

from frontline.travel.models import RiskArea, TripSource
from frontline.travel.services import risk_area_create, trip_record

KINDS = {"travel:area": "risk_area", "travel:resident": "resident", "travel:trip": "trip"}
POST_ONLY = {"travel:area_end", "travel:trip_remove"}
API_PARAMS = {"area_id": "risk_area"}


def objects(world):  # type: ignore[no-untyped-def]
    today = dt.date.today()  # noqa: DTZ011 - a calendar date
    area = risk_area_create(
        actor=None, name="朝阳区", area_code="110105", level="high", valid_from=today
    )
    # Risk areas are installation-wide: no existing area lies outside anyone's scope, so the
    # "outside" object is one that does not exist.
    missing_area = RiskArea(pk=area.pk + 10_000)
    inside_trip = trip_record(
        resident=world.zhang, source=TripSource.PORTAL, area_code="110105", place="北京朝阳",
        date_from=today, date_to=today,
    )  # fmt: skip
    outside_trip = trip_record(
        resident=world.outsider, source=TripSource.PORTAL, place="上海", date_from=today,
        date_to=today,
    )  # fmt: skip
    return {"risk_area": (area, missing_area), "trip": (inside_trip, outside_trip)}
