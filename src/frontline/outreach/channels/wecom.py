"""WeCom (企业微信) group robots: the notice posted as Markdown to a group's webhook.

The community's group gets every notice of the community; a grid's group gets the notices that
reach a household of the grid.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _

from frontline.outreach.channels import ChannelError, Message
from frontline.outreach.formatting import to_markdown

if TYPE_CHECKING:
    from frontline.outreach.models import Notice

TIMEOUT_SECONDS = 10
MAX_BYTES = 4096  # the robot's limit for a Markdown message


def markdown_payload(message: Message) -> dict[str, object]:
    until = timezone.localtime(message.expires_at).strftime("%Y-%m-%d %H:%M")
    content = f"## {message.title}\n\n{to_markdown(message.body)}\n\n> " + _(
        "Valid until %(time)s."
    ) % {"time": until}
    if message.hotline:
        content += "\n> " + _("Hotline: %(hotline)s") % {"hotline": message.hotline}
    content += f"\n> {message.community}"
    encoded = content.encode()
    if len(encoded) > MAX_BYTES:
        content = encoded[: MAX_BYTES - 3].decode(errors="ignore") + "…"
    return {"msgtype": "markdown", "markdown": {"content": content}}


class WecomChannel:
    name = "wecom"
    per_household = False

    def destinations(self, notice: Notice) -> list[str]:
        from django.db.models import Q

        from frontline.outreach.models import NoticeRecipient, WecomRobot

        reached_grids = NoticeRecipient.objects.filter(notice=notice).values("building__grid_id")
        robots = WecomRobot.objects.filter(community_id=notice.community_id).filter(
            Q(grid__isnull=True) | Q(grid_id__in=reached_grids)
        )
        return list(robots.order_by("grid_id", "id").values_list("webhook_url", flat=True))

    def send(self, message: Message, destination: str) -> None:
        if not destination.startswith(("https://", "http://")):
            raise ChannelError(_("The webhook address is not an http(s) URL."))
        request = urllib.request.Request(  # noqa: S310  (scheme checked above)
            destination,
            data=json.dumps(markdown_payload(message), ensure_ascii=False).encode(),
            headers={"Content-Type": "application/json; charset=utf-8"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
                answer = response.read(65536)
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            raise ChannelError(f"{type(error).__name__}: {error}") from error
        try:
            result = json.loads(answer or b"{}")
        except ValueError as error:
            raise ChannelError(_("The robot's answer is not JSON.")) from error
        if not isinstance(result, dict) or result.get("errcode", 0) != 0:
            raise ChannelError(
                _("The robot refused the message: %(answer)s") % {"answer": str(result)[:200]}
            )
