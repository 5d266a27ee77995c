"""Objects behind the care app's object routes, for the route-by-role access test."""

from __future__ import annotations

from frontline.care.models import CareCase, ScreeningSource
from frontline.care.services import screening_record

KINDS = {
    "care:": "screening",
    "care:resident": "resident",
    "care:settings": "community",
    "care:case": "care_case",
}
POST_ONLY: set[str] = {"care:case_change"}
API_PARAMS = {"screening_id": "screening", "community_id": "community", "case_id": "care_case"}


def objects(world) -> dict[str, tuple[object, object]]:  # type: ignore[no-untyped-def]
    from frontline.accounts.models import Role
    from frontline.conftest import make_user

    outside_counsellor = make_user(
        "counsellor_other", Role.COUNSELLOR, community=world.other_community
    )

    def screened(resident, actor):  # type: ignore[no-untyped-def]
        # item 9 answered: the screening also has crisis tasks behind it
        return screening_record(
            actor=actor, resident=resident, instrument="phq9", answers=[1, 1, 1, 1, 1, 1, 0, 0, 1],
            source=ScreeningSource.WORKER,
        )  # fmt: skip

    inside = screened(world.zhang, world.users["counsellor"])
    outside = screened(world.outsider, outside_counsellor)
    return {
        "screening": (inside, outside),
        "care_case": (
            CareCase.objects.get(resident=world.zhang),
            CareCase.objects.get(resident=world.outsider),
        ),
        "community": (world.community, world.other_community),
    }
