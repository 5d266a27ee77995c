"""The household page's notices: /h/<token>/notices/ with "I have read it" and each notice's
files (/h/<token>/notices/attachment/?id=N), and the upcoming lectures and support groups of the
household's community with a member's registration.

Only the notices addressed to the link's own household (in its own community) are shown, and
a press of the button acknowledges for that household only: the service checks the link and
the notice's recipient row on every POST. A POST says what it is with `action`: "read" (the
default) or "register" (a member, chosen from this household's, for one upcoming lecture).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_safe

from frontline.accounts.access import public
from frontline.health.models import HouseholdLink
from frontline.health.services import public_member_label
from frontline.outreach.attachments import attachment_response
from frontline.outreach.formatting import to_html
from frontline.outreach.lectures import register
from frontline.outreach.selectors import (
    household_attachment,
    household_notices,
    registered_pairs,
    upcoming_lectures,
)
from frontline.outreach.services import notice_acknowledge
from frontline.portal.pages import household_page
from frontline.residents.models import Resident


@public
@never_cache
@csrf_protect
@household_page
def notices(request: HttpRequest, link: HouseholdLink, members: list[Resident]) -> HttpResponse:
    community_ids = {member.community_id for member in members}
    lectures = upcoming_lectures(community_ids=community_ids)
    error = done = ""
    if request.method == "POST" and request.POST.get("action") == "register":
        member = next((m for m in members if str(m.pk) == request.POST.get("member")), None)
        lecture = next((c for c in lectures if str(c.pk) == request.POST.get("lecture")), None)
        try:
            if member is None or lecture is None:
                raise ValidationError(_("Choose a member and a lecture."))
            register(lecture=lecture, resident=member, link=link)
        except ValidationError as invalid:
            error = " ".join(invalid.messages)
        else:
            done = _("%(member)s is registered for %(topic)s.") % {
                "member": public_member_label(member), "topic": lecture.topic,
            }  # fmt: skip
            lectures = upcoming_lectures(community_ids=community_ids)
    elif request.method == "POST":
        notice_id = request.POST.get("notice", "")
        if not notice_id.isdigit():
            raise Http404
        notice_acknowledge(link=link, notice_id=int(notice_id))
        return redirect(f"{request.path}#notice-{notice_id}")
    rows = [
        (recipient, to_html(recipient.notice.body))
        for recipient in household_notices(household_id=link.household_id)
    ]
    labels = {member.pk: public_member_label(member) for member in members}
    taken = registered_pairs(lecture_ids=[c.pk for c in lectures], resident_ids=list(labels))
    lecture_rows = [
        (
            lecture,
            [
                labels[resident]
                for lecture_id, resident in sorted(taken)
                if lecture_id == lecture.pk
            ],
        )
        for lecture in lectures
    ]
    context = {
        "rows": rows, "members": list(labels.items()), "error": error, "done": done,
        "lectures": [row for row in lecture_rows if not row[0].is_support_group],
        "groups": [row for row in lecture_rows if row[0].is_support_group],
    }  # fmt: skip
    return render(request, "outreach/portal.html", context, status=422 if error else 200)


@public
@require_safe
@never_cache
@household_page  # type: ignore[arg-type]  # a file download is a streaming response
def attachment(request: HttpRequest, link: HouseholdLink, members: list[Resident]) -> FileResponse:
    """A file of a notice on this household's page, as a download; 404 for any other."""
    pk = request.GET.get("id", "")
    found = household_attachment(household_id=link.household_id, pk=int(pk) if pk.isdigit() else 0)
    return attachment_response(found)
