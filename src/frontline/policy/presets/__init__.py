"""The shipped rule sets (DOMAIN.md's three policy versions) as JSON files, and their loader.

The loader takes a model lookup (`apps.get_model` in a migration, `django.apps.apps.get_model`
elsewhere) so the data migration can run it against historical models.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

PRESET_DIR = Path(__file__).resolve().parent
PRESET_FILES = ("ninth_edition.json", "twenty_measures.json", "class_b.json")


def read_presets() -> list[dict[str, Any]]:
    return [json.loads((PRESET_DIR / name).read_text(encoding="utf-8")) for name in PRESET_FILES]


def preset_keys() -> list[str]:
    return [preset["preset"] for preset in read_presets()]


def install_presets(get_model: Callable[[str, str], Any]) -> int:
    """Create every preset that is not there yet, published; return how many were created."""
    rule_set_model = get_model("policy", "RuleSet")
    category_rule_model = get_model("policy", "CategoryRule")
    phase_model = get_model("policy", "Phase")
    zone_rule_model = get_model("policy", "ZoneRule")
    created = 0
    for preset in read_presets():
        if rule_set_model.objects.filter(preset=preset["preset"]).exists():
            continue
        rule_set = rule_set_model.objects.create(
            name=preset["name"],
            preset=preset["preset"],
            effective_from=date.fromisoformat(preset["effective_from"]),
            status="published",
            notes=preset["notes"],
        )
        for rule in preset["category_rules"]:
            category_rule = category_rule_model.objects.create(
                rule_set=rule_set,
                category=rule["category"],
                identified=rule["identified"],
                notes=rule.get("notes", ""),
            )
            phase_model.objects.bulk_create(
                [
                    phase_model(
                        category_rule=category_rule,
                        order=order,
                        measure=phase["measure"],
                        days=phase["days"],
                        test_days=list(phase["test_days"]),
                    )
                    for order, phase in enumerate(rule["phases"], start=1)
                ]
            )
        zone_rule_model.objects.bulk_create(
            [
                zone_rule_model(
                    rule_set=rule_set,
                    level=zone["level"],
                    designated=zone["designated"],
                    days_without_case=zone["days_without_case"],
                    next_level=zone["next_level"],
                    contacts_cleared_days=zone.get("contacts_cleared_days"),
                    area_test_within_days=zone.get("area_test_within_days"),
                    notes=zone.get("notes", ""),
                )
                for zone in preset["zone_rules"]
            ]
        )
        created += 1
    return created


def remove_presets(get_model: Callable[[str, str], Any]) -> None:
    """Delete the shipped presets and their rules; copies made from them stay.

    Rows go children first with plain DELETEs: backwards, a migration state's related-object
    caches can point at stale model classes, which breaks Django's cascade collector.
    """
    keys = preset_keys()
    rule_set_model = get_model("policy", "RuleSet")
    rule_set_model.objects.filter(copied_from__preset__in=keys).update(copied_from=None)
    doomed = list(rule_set_model.objects.filter(preset__in=keys).values_list("pk", flat=True))
    for model_name, lookup in (
        ("Phase", "category_rule__rule_set_id__in"),
        ("CategoryRule", "rule_set_id__in"),
        ("ZoneRule", "rule_set_id__in"),
        ("RuleSet", "pk__in"),
    ):
        model = get_model("policy", model_name)
        rows = model.objects.filter(pk__in=list(
            model.objects.filter(**{lookup: doomed}).values_list("pk", flat=True)
        ))  # fmt: skip
        rows._raw_delete(rows.db)
