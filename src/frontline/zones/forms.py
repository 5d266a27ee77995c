"""Forms of the zone pages: raise on a case, and confirm a step-down or a lift."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from frontline.contacts.models import Case
from frontline.core.forms import StyledForm
from frontline.places.models import Unit

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
