"""Objects behind the outreach app's object routes, for the route-by-role access test."""

from __future__ import annotations

KINDS = {
    "outreach:": "notice", "outreach:settings": "community", "outreach:lecture": "lecture",
    "outreach:attachment": "attachment",
}  # fmt: skip
POST_ONLY: set[str] = {
    "outreach:notice_send", "outreach:notice_retry", "outreach:door_to_door",
    "outreach:lecture_register", "outreach:lecture_attendance", "outreach:notice_attach",
    "outreach:attachment_remove", "outreach:read_at_door",
}  # fmt: skip
API_PARAMS = {"notice_id": "notice", "lecture_id": "lecture", "attachment_id": "attachment"}


def objects(world) -> dict[str, tuple[object, object]]:  # type: ignore[no-untyped-def]
    import datetime as dt

    from django.utils import timezone

    from frontline.outreach.lectures import lecture_create
    from frontline.outreach.models import NoticeAttachment
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

    def attachment(of):  # type: ignore[no-untyped-def]
        # the row alone: no route may reach a file outside its scope
        return NoticeAttachment.objects.create(
            notice=of, file="2026/01/none", name="通知.pdf", content_type="application/pdf", size=1
        )

    notices = (
        notice(world.community, world.users["admin"]),
        notice(world.other_community, world.users["other_admin"]),
    )
    return {
        "lecture": (
            lecture(world.community, world.users["admin"]),
            lecture(world.other_community, world.users["other_admin"]),
        ),
        "notice": notices,
        "attachment": (attachment(notices[0]), attachment(notices[1])),
        "community": (world.community, world.other_community),
    }
