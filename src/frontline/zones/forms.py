"""Forms of the zone pages: raise on a case, confirm a step-down or a lift, and the buildings'
positions on the site plan under the board."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from frontline.contacts.models import Case
from frontline.core.forms import StyledForm
from frontline.places.models import Building, Unit
from frontline.places.services import PLAN_MAX_METRES

WHOLE_BUILDING = "building"


class RaiseForm(StyledForm):
    place = forms.ChoiceField(label=_("Place"))
    level = forms.ChoiceField(label=_("Zone level"))
    case = forms.ChoiceField(label=_("Confirmed case (the evidence)"))
    reason = forms.CharField(
        label=_("Notes"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    confirm = forms.BooleanField(label=_("A confirmed case lives in this place"))

    def __init__(
        self,
        *args: object,
        units: Sequence[Unit],
        levels: Sequence[tuple[str, str]],
        cases: Sequence[Case],
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)
        place: Any = self.fields["place"]
        level: Any = self.fields["level"]
        case_field: Any = self.fields["case"]
        place.choices = [(WHOLE_BUILDING, _("The whole building"))] + [
            (f"unit-{unit.pk}", _("Unit %(number)s") % {"number": unit.number}) for unit in units
        ]
        level.choices = list(levels)
        case_field.choices = [
            (str(case.pk), _("%(reference)s, confirmed %(day)s, unit %(unit)s") % {
                "reference": case.reference, "day": case.confirmed_on.isoformat(),
                "unit": case.resident.household.unit.number if case.resident else "—",
            })
            for case in cases
        ]  # fmt: skip


class FollowRuleForm(StyledForm):
    reason = forms.CharField(
        label=_("Notes"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    confirm = forms.BooleanField(label=_("I have gone through the checklist"))


class PositionsForm(StyledForm):
    """Metres east and north of the site plan's south-west corner, one row per building; both
    empty leaves the building without a position."""

    def __init__(self, *args: object, buildings: Sequence[Building], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.buildings = list(buildings)
        for building in self.buildings:
            for axis, label, value in (
                ("east", _("Metres east"), building.plan_x),
                ("north", _("Metres north"), building.plan_y),
            ):
                self.fields[f"{axis}_{building.pk}"] = forms.IntegerField(
                    label=label, required=False, min_value=0, max_value=PLAN_MAX_METRES,
                    initial=value,
                    widget=forms.NumberInput(attrs={"class": "form-control form-control-sm"}),
                )  # fmt: skip

    @property
    def rows(self) -> list[tuple[Building, forms.BoundField, forms.BoundField]]:
        return [
            (building, self[f"east_{building.pk}"], self[f"north_{building.pk}"])
            for building in self.buildings
        ]

    @property
    def bad_rows(self) -> int:
        return sum(
            f"east_{building.pk}" in self.errors or f"north_{building.pk}" in self.errors
            for building in self.buildings
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for building in self.buildings:
            east, north = f"east_{building.pk}", f"north_{building.pk}"
            if east in self.errors or north in self.errors:
                continue
            if (cleaned.get(east) is None) != (cleaned.get(north) is None):
                self.add_error(east, _("Enter both metres east and metres north, or neither."))
        return cleaned

    @property
    def positions(self) -> dict[int, tuple[int | None, int | None]]:
        return {
            building.pk: (
                self.cleaned_data[f"east_{building.pk}"],
                self.cleaned_data[f"north_{building.pk}"],
            )
            for building in self.buildings
        }
