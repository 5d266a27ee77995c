"""E-mail through Django's mail to the addresses in the community's notice settings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.mail import send_mail
from django.utils import timezone
from django.utils.translation import gettext as _

from frontline.outreach.channels import ChannelError, Message
from frontline.outreach.formatting import to_plain

if TYPE_CHECKING:
    from frontline.outreach.models import Notice


class EmailChannel:
    name = "email"
    per_household = False

    def destinations(self, notice: Notice) -> list[str]:
        from frontline.outreach.models import OutreachSettings

        found = OutreachSettings.objects.filter(community_id=notice.community_id).first()
        return found.email_list if found is not None else []

    def send(self, message: Message, destination: str) -> None:
        lines = [
            to_plain(message.body),
            "",
            _("Valid until %(time)s.")
            % {"time": timezone.localtime(message.expires_at).strftime("%Y-%m-%d %H:%M")},
        ]
        if message.hotline:
            lines.append(_("Hotline: %(hotline)s") % {"hotline": message.hotline})
        lines.append(message.community)
        try:
            send_mail(
                subject=f"[{message.community}] {message.title}",
                message="\n".join(lines),
                from_email=None,
                recipient_list=[destination],
            )
        except Exception as error:
            raise ChannelError(f"{type(error).__name__}: {error}") from error
