from __future__ import annotations

from django.urls import reverse

from frontline.conftest import make_household, make_resident
from frontline.core.identity import check_digit
from frontline.health.services import household_link_issue
from frontline.outreach.demo import NOTICE_TITLE, ensure_demo_outreach
from frontline.outreach.models import (
    AcknowledgedVia,
    Lecture,
    LectureKind,
    Notice,
    NoticeRecipient,
    NoticeStatus,
    OutreachSettings,
)


def test_the_demo_notice_lecture_and_support_group_are_made_once(world, client_for):
    for serial in range(4):
        base = f"11010519850101{serial:03d}"
        make_resident(
            make_household(world.building1, "1", f"50{serial}"), name=f"住户{serial}",
            document_number=base + check_digit(base), phone=f"1381111000{serial}",
        )  # fmt: skip
    household_link_issue(actor=world.users["admin"], household=world.household1)
    world.community.hotline = "027-8765 4321"
    world.community.save(update_fields=["hotline"])

    assert ensure_demo_outreach(world.community) == 3
    assert ensure_demo_outreach(world.community) == 0

    assert OutreachSettings.objects.filter(community=world.community).exists()
    notice = Notice.objects.get(title=NOTICE_TITLE)
    assert notice.status == NoticeStatus.SENT and notice.household_count == 6
    read = NoticeRecipient.objects.filter(notice=notice, acknowledged_at__isnull=False)
    assert sorted(read.values_list("acknowledged_via", flat=True)) == [
        AcknowledgedVia.PORTAL, AcknowledgedVia.WORKER, AcknowledgedVia.WORKER,
    ]  # fmt: skip
    lecture = Lecture.objects.get(kind=LectureKind.LECTURE)
    group = Lecture.objects.get(kind=LectureKind.SUPPORT_GROUP)
    assert (lecture.registrations.count(), group.registrations.count()) == (3, 3)
    assert group.host == world.users["counsellor"] and not lecture.has_started
    flyer = client_for("admin").get(reverse("outreach:flyer", kwargs={"pk": notice.pk}))
    assert "027-8765 4321" in flyer.content.decode()
