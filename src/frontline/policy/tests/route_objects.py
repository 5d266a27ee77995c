"""Object routes of the policy pages for the route-by-role test.

Rule sets are installation-wide: every community works under the same ones, so no rule set lies
outside anyone's scope. The nearest thing to "outside" is a rule set that does not exist, which
every role must get 404 for (never 403 or a server error); the inside object is a shipped preset,
whose pages the sub-district officer reads without meeting any person's name.
"""

from __future__ import annotations

from django.apps import apps

from frontline.policy.models import RuleSet
from frontline.policy.presets import install_presets

KINDS = {"policy:": "rule_set"}
POST_ONLY: set[str] = set()
API_PARAMS = {"rule_set_id": "rule_set"}


def objects(world) -> dict[str, tuple[object, object]]:  # type: ignore[no-untyped-def]
    install_presets(apps.get_model)  # a transactional test elsewhere may have flushed them
    inside = RuleSet.objects.get(preset="ninth-edition")
    missing = RuleSet(
        pk=(RuleSet.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000
    )
    return {"rule_set": (inside, missing)}
