"""Notice channels: one small module each, behind the `Channel` protocol.

A channel says where a notice goes (`destinations`: fixed addresses such as a WeCom webhook
or e-mail addresses; a per-household channel answers with none and gets one delivery per
household instead) and carries one message to one destination (`send`), raising
`ChannelError` when it could not. To add a channel: a module here with a class that follows
the protocol, an entry in `ChannelName` and in `channel_for` below, and tests against a local
server.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from frontline.outreach.models import Notice


class ChannelError(Exception):
    """A message was not carried; the text is kept as the delivery's last error."""


@dataclass(frozen=True)
class Message:
    """What every channel sends, already in the notice's language."""

    title: str
    body: str  # the writer's text with its simple formatting
    community: str
    hotline: str
    expires_at: dt.datetime


class Channel(Protocol):
    name: str
    per_household: bool

    def destinations(self, notice: Notice) -> list[str]:
        """The fixed addresses this notice goes to (none for a per-household channel)."""
        ...

    def send(self, message: Message, destination: str) -> None:
        """Carry the message to one destination or raise `ChannelError`."""
        ...


def channel_for(name: str) -> Channel:
    from frontline.outreach.channels import email, portal, sms, wecom

    channels: dict[str, Channel] = {
        "portal": portal.PortalChannel(),
        "sms": sms.SmsChannel(),
        "wecom": wecom.WecomChannel(),
        "email": email.EmailChannel(),
    }
    return channels[name]
