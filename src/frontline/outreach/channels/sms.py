"""SMS to each household's phone through a pluggable gateway.

`FRONTLINE_SMS_BACKEND` names the gateway class (a dotted path); the default, for development,
writes each message to the log with the number masked. A gateway is a class with
`send(phone, text)` that raises on failure. Sending is limited per community to
`FRONTLINE_SMS_PER_MINUTE` messages a minute (see `services.deliveries_send`).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Protocol

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from frontline.core.masking import mask_phone
from frontline.outreach.channels import ChannelError, Message
from frontline.outreach.formatting import to_plain

if TYPE_CHECKING:
    from frontline.outreach.models import Notice

logger = logging.getLogger(__name__)

CONSOLE_BACKEND = "frontline.outreach.channels.sms.ConsoleSmsBackend"
DEFAULT_PER_MINUTE = 60
MAX_LENGTH = 300  # a few concatenated messages; the household page has the whole text


class SmsBackend(Protocol):
    def send(self, phone: str, text: str) -> None: ...


class ConsoleSmsBackend:
    """Development gateway: the message goes to the log, the number masked."""

    def send(self, phone: str, text: str) -> None:
        logger.info("SMS to %s: %s", mask_phone(phone), text)


def sms_backend() -> SmsBackend:
    path = getattr(settings, "FRONTLINE_SMS_BACKEND", CONSOLE_BACKEND)
    backend: SmsBackend = import_string(path)()
    return backend


def per_minute() -> int:
    """Messages a community may send a minute; at least one."""
    return max(1, int(getattr(settings, "FRONTLINE_SMS_PER_MINUTE", DEFAULT_PER_MINUTE)))


def sms_text(message: Message) -> str:
    body = " ".join(line.strip() for line in to_plain(message.body).splitlines() if line.strip())
    text = f"【{message.community}】{message.title}：{body}"
    if message.hotline:
        text += " " + _("Hotline: %(hotline)s") % {"hotline": message.hotline}
    if len(text) > MAX_LENGTH:
        text = text[: MAX_LENGTH - 1] + "…"
    return text


class SmsChannel:
    name = "sms"
    per_household = True

    def destinations(self, notice: Notice) -> list[str]:
        return []

    def send(self, message: Message, destination: str) -> None:
        if not destination:
            raise ChannelError(_("The household has no phone number."))
        try:
            sms_backend().send(destination, sms_text(message))
        except ChannelError:
            raise
        except Exception as error:
            raise ChannelError(f"{type(error).__name__}: {error}") from error
