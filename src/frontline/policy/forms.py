"""Forms of the policy pages. They parse what a person typed; every rule about what a sound phase,
category rule or zone rule is lives in `services` (the same checks publishing makes)."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from frontline.core.forms import StyledForm
from frontline.policy import services
from frontline.policy.models import Category, Measure, ZoneLevel
from frontline.policy.rules import PhaseSpec

MAX_PHASES = 10
MAX_ZONE_RULES = 12
TEST_DAY_SEPARATORS = re.compile(r"[\s,，、;；]+")


def parse_test_days(text: str) -> tuple[int, ...]:
    """ "1, 2, 3" (or with Chinese commas, full-width digits, spaces) -> (1, 2, 3); ValueError for
    anything that is not a whole number. Order and repeats are kept for the checks to report."""
    days = []
    for piece in TEST_DAY_SEPARATORS.split(text.strip()):
        if not piece:
            continue
        if not piece.isdecimal():
            raise ValueError(piece)
        days.append(int(piece))
    return tuple(days)


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CopyForm(StyledForm):
    name = forms.CharField(label=_("Name of the new draft"), required=False)


class PublishForm(StyledForm):
    effective_from = forms.DateField(label=_("Takes effect on"), widget=_date_input())


class ScheduleForm(StyledForm):
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    start = forms.DateField(label=_("First day"), widget=_date_input())


class CategoryRuleForm(StyledForm):
    identified = forms.BooleanField(
        label=_("Identified and managed"), required=False, widget=forms.CheckboxInput
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["identified"].widget.attrs["class"] = "form-check-input"


class PhaseForm(StyledForm):
    measure = forms.ChoiceField(
        label=_("Measure"),
        choices=Measure.choices,
        widget=forms.Select(attrs={"style": "min-width: 11rem"}),
    )
    days = forms.IntegerField(label=_("Days"), max_value=366)
    test_days = forms.CharField(
        label=_("Test days"),
        required=False,
        help_text=_("Day numbers within the phase, e.g. 1, 2, 3, 5, 7"),
    )

    def clean_test_days(self) -> tuple[int, ...]:
        try:
            return parse_test_days(self.cleaned_data.get("test_days") or "")
        except ValueError as error:
            raise forms.ValidationError(
                _("Test days are whole numbers separated by commas; %(value)s is not one."),
                params={"value": error.args[0]},
            ) from error

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("DELETE") or self.errors:
            return cleaned
        spec = PhaseSpec(cleaned["measure"], cleaned["days"], cleaned["test_days"])
        for field, messages in services.phase_field_problems(spec).items():
            self.add_error(field, messages)
        return cleaned

    def spec(self) -> PhaseSpec:
        return PhaseSpec(
            self.cleaned_data["measure"], self.cleaned_data["days"], self.cleaned_data["test_days"]
        )


PhaseFormSet = forms.formset_factory(
    PhaseForm, extra=0, can_delete=True, max_num=MAX_PHASES, validate_max=True
)


def phase_initial(phases: list[Any]) -> list[dict[str, Any]]:
    return [
        {"measure": phase.measure, "days": phase.days,
         "test_days": ", ".join(str(day) for day in phase.test_days)}
        for phase in phases
    ]  # fmt: skip


class ZoneRuleForm(StyledForm):
    level = forms.ChoiceField(
        label=_("Level"),
        choices=ZoneLevel.choices,
        widget=forms.Select(attrs={"style": "min-width: 9rem"}),
    )
    designated = forms.BooleanField(
        label=_("Designated at this level"), required=False, widget=forms.CheckboxInput
    )
    days_without_case = forms.IntegerField(
        label=_("Days without a new case"), required=False, min_value=0, max_value=366
    )
    next_level = forms.ChoiceField(
        label=_("Steps down to"),
        required=False,
        choices=[("", _("(lifted)")), *ZoneLevel.choices],
    )
    contacts_cleared_days = forms.IntegerField(
        label=_("Last close contact past exposure (days)"),
        required=False,
        min_value=0,
        max_value=366,
    )
    area_test_within_days = forms.IntegerField(
        label=_("Area-wide test round within (days)"), required=False, min_value=0, max_value=366
    )
    notes = forms.CharField(label=_("Notes"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["designated"].widget.attrs["class"] = "form-check-input"

    def spec(self) -> services.ZoneRuleSpec:
        data = self.cleaned_data
        return services.ZoneRuleSpec(
            level=data["level"],
            designated=data["designated"],
            days_without_case=data["days_without_case"],
            next_level=data["next_level"] or "",
            contacts_cleared_days=data["contacts_cleared_days"],
            area_test_within_days=data["area_test_within_days"],
            notes=data["notes"],
        )


ZoneRuleFormSet = forms.formset_factory(
    ZoneRuleForm, extra=0, can_delete=True, max_num=MAX_ZONE_RULES, validate_max=True
)


def zone_initial(zones: list[Any]) -> list[dict[str, Any]]:
    return [
        {"level": zone.level, "designated": zone.designated,
         "days_without_case": zone.days_without_case, "next_level": zone.next_level,
         "contacts_cleared_days": zone.contacts_cleared_days,
         "area_test_within_days": zone.area_test_within_days, "notes": zone.notes}
        for zone in zones
    ]  # fmt: skip
