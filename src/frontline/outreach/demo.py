"""Demo publicity: the community's notice settings, one notice sent to every household's page with
some households having read it (a few told at the door), one upcoming lecture and one support
group with a few registrations. The flyer shows the community's hotline, which the demo seeder
sets. Called by the demo command; idempotent (it stops once the community has notice settings).
Everything goes through the services."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from frontline.demo.loader import demo_admin
from frontline.health.models import HouseholdLink
from frontline.outreach.lectures import lecture_create, register
from frontline.outreach.models import LectureKind, NoticeRecipient, OutreachSettings
from frontline.outreach.selectors import counsellors
from frontline.outreach.services import (
    notice_acknowledge,
    notice_create,
    notice_read_at_door,
    notice_send,
    outreach_settings_update,
)
from frontline.places.models import Community
from frontline.residents.models import Resident, ResidentStatus

NOTICE_TITLE = "关于开展小区环境消杀的通知"
NOTICE_BODY = (
    "本周六 **9:00-11:00** 对小区公共区域进行环境消杀。\n\n"
    "- 请关好门窗，收起晾晒衣物\n"
    "- 消杀期间请勿在楼道停留\n"
    "- 有宠物的家庭请看管好宠物"
)
READ_EVERY = 2  # one household in two with a link has read it on its page
TOLD_AT_THE_DOOR = 2


def _at(days: int, hour: int) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@transaction.atomic
def ensure_demo_outreach(community: Community) -> int:
    """Make the demo notice, lecture and support group once; returns how many were made now."""
    if OutreachSettings.objects.filter(community=community).exists():
        return 0
    admin = demo_admin(community)
    if admin is None:
        return 0
    outreach_settings_update(
        actor=admin, community=community, email_addresses="juweihui@example.org",
        community_webhook="", grid_webhooks={},
    )  # fmt: skip
    notice = notice_create(
        actor=admin, community=community, title=NOTICE_TITLE, body=NOTICE_BODY,
        expires_at=timezone.now() + dt.timedelta(days=5), channels=["portal"],
    )  # fmt: skip
    notice = notice_send(actor=admin, notice=notice)
    links = HouseholdLink.objects.filter(household__unit__building__community=community)
    for link in links.order_by("household_id")[::READ_EVERY]:
        if link.is_active:
            notice_acknowledge(link=link, notice_id=notice.pk)
    unread = NoticeRecipient.objects.filter(notice=notice, acknowledged_at__isnull=True)
    for recipient in unread.order_by("household_id")[:TOLD_AT_THE_DOOR]:
        notice_read_at_door(actor=admin, recipient=recipient)

    people = list(
        Resident.objects.filter(community=community, status=ResidentStatus.PRESENT).order_by("id")[
            :6
        ]
    )
    lecture = lecture_create(
        actor=admin, community=community, topic="居家老人慢病用药讲座",
        speaker="区人民医院 王医生", starts_at=_at(2, 19), minutes=60,
        joining="腾讯会议 123 456 789", capacity=100,
        description="讲解高血压、糖尿病常用药的服用方法和注意事项，欢迎家属一起收看。",
    )  # fmt: skip
    group = lecture_create(
        actor=admin, community=community, kind=LectureKind.SUPPORT_GROUP,
        topic="居家期间的焦虑与睡眠", speaker="",
        host=counsellors(community_ids=[community.pk]).first(), starts_at=_at(3, 15),
        minutes=90, joining="腾讯会议 987 654 321", capacity=12,
        description="由社区心理咨询师带领的小组交流，报名名单保密。",
    )  # fmt: skip
    for person in people[:3]:
        register(lecture=lecture, resident=person, actor=admin)
    for person in people[3:]:
        register(lecture=group, resident=person, actor=admin)
    return 3
