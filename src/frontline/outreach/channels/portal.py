"""The household page: the notice waits there for the household with "I have read it".

Nothing is carried: the `NoticeRecipient` rows are what the page shows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from frontline.outreach.channels import Message

if TYPE_CHECKING:
    from frontline.outreach.models import Notice


class PortalChannel:
    name = "portal"
    per_household = False

    def destinations(self, notice: Notice) -> list[str]:
        return []

    def send(self, message: Message, destination: str) -> None:
        return None
