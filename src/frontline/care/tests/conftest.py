from __future__ import annotations

import pytest

from frontline.care.models import ScreeningSource
from frontline.care.services import screening_record

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
CRISIS_PHQ9 = [1, 1, 1, 1, 0, 0, 0, 0, 1]  # total 5 (mild), item 9 answered "several days"


@pytest.fixture
def record(world):  # type: ignore[no-untyped-def]
    """Record a screening of a resident (Zhang by default) by a worker (the counsellor)."""

    def recorded(instrument: str, answers: list[int], *, resident=None, by: str = "counsellor"):  # type: ignore[no-untyped-def]
        return screening_record(
            actor=world.users[by], resident=resident or world.zhang, instrument=instrument,
            answers=answers, source=ScreeningSource.WORKER,
        )  # fmt: skip

    return recorded
