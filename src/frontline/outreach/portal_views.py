"""The household page's notices: /h/<token>/notices/ with "I have read it".

Only the notices addressed to the link's own household (in its own community) are shown, and
a press of the button acknowledges for that household only: the service checks the link and
the notice's recipient row on every POST.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from frontline.accounts.access import public
from frontline.health.links import active_link
from frontline.outreach.formatting import to_html
from frontline.outreach.selectors import household_notices
from frontline.outreach.services import notice_acknowledge


@public
@never_cache
@csrf_protect
def notices(request: HttpRequest, token: str | None = None) -> HttpResponse:
    if token is None:
        return render(request, "portal/start.html")
    link = active_link(token)
    if link is None:
        raise Http404
    if request.method == "POST":
        notice_id = request.POST.get("notice", "")
        if not notice_id.isdigit():
            raise Http404
        notice_acknowledge(link=link, notice_id=int(notice_id))
        return redirect(f"{request.path}#notice-{notice_id}")
    rows = [
        (recipient, to_html(recipient.notice.body))
        for recipient in household_notices(household_id=link.household_id)
    ]
    return render(request, "outreach/portal.html", {"rows": rows})
