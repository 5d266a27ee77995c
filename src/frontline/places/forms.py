from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from frontline.core.forms import StyledForm
from frontline.places.models import Unit


class HouseholdForm(StyledForm):
    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), label=_("Unit"))
    room = forms.CharField(label=_("Room"), max_length=20)
    phone = forms.CharField(label=_("Household phone"), max_length=20, required=False)
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, units, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["unit"])
        field.queryset = units
        field.label_from_instance = lambda unit: f"{unit.building.number}-{unit.number}"  # type: ignore[method-assign, assignment]


class DistanceImportForm(StyledForm):
    file = forms.FileField(label=_("Walking distance matrix (.xlsx or .csv)"))
    check_only = forms.BooleanField(label=_("Only check the file, write nothing"), required=False)
