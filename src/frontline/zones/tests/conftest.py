from __future__ import annotations

import pytest
from django.apps import apps

from frontline.policy.presets import install_presets


@pytest.fixture(autouse=True)
def presets(db: None) -> None:
    """The shipped rule sets, as the data migration loads them (a transactional test elsewhere
    may have flushed them)."""
    install_presets(apps.get_model)
