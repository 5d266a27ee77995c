"""Sending in the background through Django's Tasks API (in-process by default, RQ workers in
production). A backend that can defer runs again when the next SMS or retry is due; with the
in-process backend the `send_notices` command, run every minute, does that."""

from __future__ import annotations

from django.tasks import task

from frontline.outreach.services import deliveries_send


@task
def deliver_notices(notice_id: int | None = None) -> dict[str, object]:
    summary = deliveries_send(notice_id=notice_id)
    backend = deliver_notices.get_backend()
    if summary.next_due is not None and backend.supports_defer:
        deliver_notices.using(run_after=summary.next_due).enqueue(notice_id)
    return summary.as_dict()
