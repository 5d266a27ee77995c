"""On the acknowledgement report, a worker marks a household "told at the door": the row turns
into a badge in place (htmx) and the household counts as read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from frontline.conftest import World
from frontline.outreach.models import AcknowledgedVia, Notice, NoticeRecipient


@pytest.mark.browser
def test_a_household_is_marked_told_at_the_door_in_place(
    login: Callable[[str], Page],
    world: World,
    compose,
    send,  # type: ignore[no-untyped-def]
) -> None:
    notice = send(compose())
    Notice.objects.filter(pk=notice.pk).update(sent_at=timezone.now() - dt.timedelta(hours=30))
    worker = login("fulltime")
    worker.goto(f"/outreach/{notice.pk}/acknowledgements/?hours=24&building={world.building1.pk}")
    row = worker.locator(f"#household-{world.household1.pk}")
    url = worker.url
    row.locator("button").click()
    expect(worker.locator(f"#household-{world.household1.pk} .told")).to_be_visible()
    expect(worker.locator(f"#household-{world.household1.pk} button")).to_have_count(0)
    assert worker.url == url  # no page load
    recipient = NoticeRecipient.objects.get(notice=notice, household=world.household1)
    assert (recipient.acknowledged_via, recipient.acknowledged_by) == (
        AcknowledgedVia.WORKER, world.users["fulltime"],
    )  # fmt: skip
