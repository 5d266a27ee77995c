from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from frontline.accounts.access import permissions_of


def frontline(request: HttpRequest) -> dict[str, Any]:
    """What the page frame needs on every page: the user's permissions and open-task count."""
    if not request.user.is_authenticated:
        return {}
    from frontline.tasks.selectors import inbox_count

    return {
        "permissions": {str(p) for p in permissions_of(request.user)},
        "inbox_count": inbox_count(viewer=request.user),
    }
