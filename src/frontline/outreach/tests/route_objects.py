"""Objects behind the outreach app's object routes, for the route-by-role access test."""

from __future__ import annotations

KINDS = {"outreach:": "notice", "outreach:settings": "community", "outreach:lecture": "lecture"}
POST_ONLY: set[str] = {
    "outreach:notice_send", "outreach:notice_retry", "outreach:door_to_door",
    "outreach:lecture_register", "outreach:lecture_attendance",
}  # fmt: skip
API_PARAMS = {"notice_id": "notice", "lecture_id": "lecture"}


def objects(world) -> dict[str, tuple[object, object]]:  # type: ignore[no-untyped-def]
    import datetime as dt

    from django.utils import timezone

    from frontline.outreach.lectures import lecture_create
    from frontline.outreach.services import notice_create

    def notice(community, actor):  # type: ignore[no-untyped-def]
        return notice_create(
            actor=actor, community=community, title="停水通知", body="明天停水",
            expires_at=timezone.now() + dt.timedelta(days=1), channels=["portal"],
        )  # fmt: skip

    def lecture(community, actor):  # type: ignore[no-untyped-def]
        return lecture_create(
            actor=actor, community=community, topic="老年人居家护理", speaker="市第一医院",
            starts_at=timezone.now() + dt.timedelta(days=1), minutes=60,
            joining="腾讯会议 123 456 789", capacity=50,
        )  # fmt: skip

    return {
        "lecture": (
            lecture(world.community, world.users["admin"]),
            lecture(world.other_community, world.users["other_admin"]),
        ),
        "notice": (
            notice(world.community, world.users["admin"]),
            notice(world.other_community, world.users["other_admin"]),
        ),
        "community": (world.community, world.other_community),
    }
