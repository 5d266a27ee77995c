from __future__ import annotations

import pytest
from django.apps import apps

from frontline.policy.models import RuleSet
from frontline.policy.presets import install_presets


@pytest.fixture
def presets(db: None) -> dict[str, RuleSet]:
    """The shipped rule sets by preset key, as the data migration loads them.

    A transactional test elsewhere (the browser tests) flushes the database, migration data
    included, so put them back when they are missing.
    """
    install_presets(apps.get_model)
    return {rule_set.preset: rule_set for rule_set in RuleSet.objects.exclude(preset="")}
