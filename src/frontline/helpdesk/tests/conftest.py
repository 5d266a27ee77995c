from __future__ import annotations

import pytest

from frontline.health.services import household_link_issue
from frontline.helpdesk.models import Channel
from frontline.helpdesk.services import request_submit

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def submit(world):  # type: ignore[no-untyped-def]
    """Receive a request for a resident (Zhang by default) by phone, entered by a worker."""

    def submitted(
        category: str = "food",
        text: str = "家里没菜了",
        *,
        resident=None,
        by: str = "fulltime",
        **extra,
    ):  # type: ignore[no-untyped-def]
        return request_submit(
            actor=world.users[by], resident=resident or world.zhang, category=category, text=text,
            channel=Channel.PHONE, **extra,
        )  # fmt: skip

    return submitted


@pytest.fixture
def household_token(world):  # type: ignore[no-untyped-def]
    """The secret link of Zhang's household (household 1)."""
    _link, token = household_link_issue(actor=world.users["admin"], household=world.household1)
    return token
