"""Channels and background sending: WeCom robot, e-mail, SMS with its rate limit, retries."""

from __future__ import annotations

import datetime as dt
import logging

from django.core import mail
from django.utils import timezone

from frontline.conftest import make_household, make_resident
from frontline.core.models import AuditEntry
from frontline.outreach.models import Delivery, DeliveryStatus, OutreachSettings, WecomRobot
from frontline.outreach.services import MAX_ATTEMPTS, deliveries_send, outreach_settings_update


def test_the_wecom_robot_receives_the_notice_as_markdown(world, compose, send, robot):
    WecomRobot.objects.create(community=world.community, webhook_url=robot.url)

    send(compose(channels=["wecom"]))

    assert len(robot.posts) == 1
    post = robot.posts[0]
    assert post["msgtype"] == "markdown"
    content = post["markdown"]["content"]  # type: ignore[index]
    assert content.startswith("## 停水通知") and "**8:00-12:00**" in content
    assert Delivery.objects.get().status == DeliveryStatus.SENT


def test_a_grid_robot_gets_only_notices_reaching_its_grid(world, compose, send, robot):
    WecomRobot.objects.create(community=world.community, grid=world.grid1, webhook_url=robot.url)

    send(compose(channels=["wecom"], grid_ids=[world.grid2.pk]))
    assert robot.posts == []
    send(compose(channels=["wecom"], grid_ids=[world.grid1.pk]))
    assert len(robot.posts) == 1


def test_e_mail_goes_to_each_configured_address(world, compose, send):
    outreach_settings_update(
        actor=world.users["admin"], community=world.community,
        email_addresses="office@example.org\nparty@example.org", community_webhook="",
        grid_webhooks={},
    )  # fmt: skip

    send(compose(channels=["email"]))

    assert sorted(m.to[0] for m in mail.outbox) == ["office@example.org", "party@example.org"]
    assert mail.outbox[0].subject == "[幸福里社区] 停水通知"
    assert "8:00-12:00" in mail.outbox[0].body and "**" not in mail.outbox[0].body


def test_the_console_sms_backend_logs_each_household_with_the_number_masked(
    world, compose, send, caplog
):
    with caplog.at_level(logging.INFO, logger="frontline.outreach.channels.sms"):
        send(compose(channels=["sms"]))

    logged = [r.getMessage() for r in caplog.records if r.name.endswith("channels.sms")]
    assert len(logged) == 2
    assert any("138****5678" in line and "停水通知" in line for line in logged)
    assert not any("13812345678" in line for line in logged)
    assert Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 2


def test_sms_are_rate_limited_per_community_and_the_rest_go_out_a_minute_later(
    world, compose, send, settings
):
    settings.FRONTLINE_SMS_PER_MINUTE = 3
    for room in range(5):
        make_resident(make_household(world.building1, "7", f"70{room}"), name="测试",
                      phone=f"1391234000{room}")  # fmt: skip

    send(compose(channels=["sms"]))  # 7 households with a phone

    assert Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 3
    too_soon = deliveries_send(now=timezone.now() + dt.timedelta(seconds=30))
    assert too_soon.sent == 0 and too_soon.deferred == 4
    later = deliveries_send(now=timezone.now() + dt.timedelta(seconds=61))
    assert later.sent == 3 and later.deferred == 1
    deliveries_send(now=timezone.now() + dt.timedelta(seconds=122))
    assert Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 7


def test_a_failing_channel_is_retried_and_does_not_hold_back_the_others(
    world, compose, send, robot
):
    robot.status, robot.answer = 500, {"errcode": 500, "errmsg": "busy"}
    WecomRobot.objects.create(community=world.community, webhook_url=robot.url)
    OutreachSettings.objects.create(community=world.community, email_addresses="o@example.org")

    notice = send(compose(channels=["wecom", "email", "sms", "portal"]))

    failing = Delivery.objects.get(channel="wecom")
    assert (failing.status, failing.attempts) == (DeliveryStatus.RETRYING, 1)
    assert "500" in failing.last_error
    assert set(Delivery.objects.exclude(channel="wecom").values_list("status", flat=True)) == {
        DeliveryStatus.SENT
    }
    assert len(mail.outbox) == 1

    robot.status, robot.answer = 200, {"errcode": 0, "errmsg": "ok"}
    assert deliveries_send(notice_id=notice.pk).sent == 0  # not due yet
    summary = deliveries_send(notice_id=notice.pk, now=timezone.now() + dt.timedelta(minutes=2))
    failing.refresh_from_db()
    assert summary.sent == 1
    assert (failing.status, failing.attempts, failing.last_error) == (DeliveryStatus.SENT, 2, "")
    assert len(robot.posts) == 2


def test_after_the_last_attempt_a_delivery_is_failed_and_the_notice_can_retry_it(
    world, compose, send, robot
):
    robot.answer = {"errcode": 93000, "errmsg": "invalid webhook url"}
    WecomRobot.objects.create(community=world.community, webhook_url=robot.url)
    notice = send(compose(channels=["wecom"]))
    later = timezone.now()
    for _attempt in range(MAX_ATTEMPTS):
        later += dt.timedelta(hours=1)
        deliveries_send(now=later)

    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, MAX_ATTEMPTS)
    assert "93000" in delivery.last_error
    assert len(robot.posts) == MAX_ATTEMPTS

    from frontline.outreach.services import notice_retry

    robot.answer = {"errcode": 0}
    notice_retry(actor=world.users["admin"], notice=notice)
    deliveries_send()
    assert Delivery.objects.get().status == DeliveryStatus.SENT


def test_sending_is_audited_and_a_notice_is_sent_once(world, compose, send):
    from django.core.exceptions import ValidationError

    notice = send(compose())

    entry = AuditEntry.objects.filter(target_id=str(notice.pk), fields=["status"]).get()
    assert entry.actor == world.users["admin"] and entry.details["households"] == 2
    try:
        send(notice)
    except ValidationError:
        pass
    else:
        raise AssertionError("sent twice")


def test_an_expired_notice_is_not_delivered(world, compose, send, robot):
    WecomRobot.objects.create(community=world.community, webhook_url=robot.url)
    robot.status = 500
    send(compose(channels=["wecom"], expires_at=timezone.now() + dt.timedelta(minutes=30)))

    summary = deliveries_send(now=timezone.now() + dt.timedelta(hours=1))

    assert summary.expired == 1
    assert Delivery.objects.get().status == DeliveryStatus.EXPIRED
