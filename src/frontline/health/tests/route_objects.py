"""Objects behind the health app's object routes, for the route-by-role access test."""

from __future__ import annotations

from frontline.health.models import Checkin, CheckinSource, HouseholdLink
from frontline.health.services import checkin_record, household_link_issue

KINDS = {
    "health:building": "building",
    "health:grid": "grid",
    "health:household": "household",
    "health:resident": "resident",
    "health:link": "health_link",
    "health:checkin": "health_checkin",
}
POST_ONLY = {
    "health:building_issue_missing",
    "health:household_issue",
    "health:link_revoke",
    "health:resident_checkin",
}
API_PARAMS: dict[str, str] = {}


def objects(world) -> dict[str, tuple[object, object]]:  # type: ignore[no-untyped-def]
    links: list[HouseholdLink] = []
    checkins: list[Checkin] = []
    for actor, household, resident in (
        (world.users["admin"], world.household1, world.zhang),
        (world.users["other_admin"], world.other_household, world.outsider),
    ):
        links.append(household_link_issue(actor=actor, household=household)[0])
        checkins.append(
            checkin_record(
                resident=resident, temperature="36.6", source=CheckinSource.WORKER_PAGE, actor=actor
            )
        )
    return {"health_link": (links[0], links[1]), "health_checkin": (checkins[0], checkins[1])}
