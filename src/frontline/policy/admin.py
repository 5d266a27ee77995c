"""Rule sets in the (superuser-only) admin: drafts are editable, published sets are read-only.

Status, effective date and lineage are never edited here: a set is published through
`services.rule_set_publish`, which validates it and freezes it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from frontline.policy.models import CategoryRule, Phase, RuleSet, RuleSetStatus, ZoneRule


def _frozen(rule_set: RuleSet | None) -> bool:
    return rule_set is not None and rule_set.is_published


class FrozenWhenPublished:
    """Mixin: no change or delete once the rule set the row belongs to is published."""

    def rule_set_of(self, obj: Any) -> RuleSet | None:
        return None if obj is None else obj.rule_set

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _frozen(self.rule_set_of(obj)) and super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _frozen(self.rule_set_of(obj)) and super().has_delete_permission(request, obj)  # type: ignore[misc]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if _frozen(self.rule_set_of(obj)):
            return False
        if obj is None and not isinstance(self, admin.options.InlineModelAdmin):
            return super().has_add_permission(request)  # type: ignore[misc]
        return super().has_add_permission(request, obj)  # type: ignore[misc]


class CategoryRuleInline(FrozenWhenPublished, admin.TabularInline):
    model = CategoryRule
    extra = 0
    fields = ["category", "identified", "notes"]
    show_change_link = True

    def rule_set_of(self, obj: Any) -> RuleSet | None:
        return obj  # inlines are asked about the parent rule set


class ZoneRuleInline(FrozenWhenPublished, admin.TabularInline):
    model = ZoneRule
    extra = 0
    fields = [
        "level",
        "designated",
        "days_without_case",
        "next_level",
        "contacts_cleared_days",
        "area_test_within_days",
        "notes",
    ]

    def rule_set_of(self, obj: Any) -> RuleSet | None:
        return obj


@admin.register(RuleSet)
class RuleSetAdmin(FrozenWhenPublished, admin.ModelAdmin):
    list_display = ["name", "effective_from", "status", "copied_from", "updated_at"]
    list_filter = ["status"]
    search_fields = ["name"]
    readonly_fields = ["preset", "status", "effective_from", "published_at", "copied_from"]
    inlines = [CategoryRuleInline, ZoneRuleInline]

    def rule_set_of(self, obj: Any) -> RuleSet | None:
        return obj


class PhaseInline(FrozenWhenPublished, admin.TabularInline):
    model = Phase
    extra = 0
    fields = ["order", "measure", "days", "test_days"]

    def rule_set_of(self, obj: Any) -> RuleSet | None:
        return None if obj is None else obj.rule_set  # the parent category rule's set


@admin.register(CategoryRule)
class CategoryRuleAdmin(FrozenWhenPublished, admin.ModelAdmin):
    list_display = ["rule_set", "category", "identified"]
    list_filter = ["rule_set", "category"]
    list_select_related = ["rule_set"]
    inlines = [PhaseInline]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "rule_set":  # new rules go into drafts only
            kwargs["queryset"] = RuleSet.objects.filter(status=RuleSetStatus.DRAFT)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
