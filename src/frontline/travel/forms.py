from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from frontline.core.forms import StyledForm
from frontline.policy.models import ZoneLevel
from frontline.travel.places import PLACE_MAX_LENGTH

DATE = forms.DateInput(attrs={"type": "date"})


class RiskAreaForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    area_code = forms.CharField(
        label=_("Area code (GB/T 2260, six digits)"), max_length=12, required=False
    )
    place = forms.CharField(
        label=_("Place (free text)"), max_length=PLACE_MAX_LENGTH, required=False
    )
    level = forms.ChoiceField(label=_("Risk level"), choices=ZoneLevel.choices)
    valid_from = forms.DateField(label=_("Valid from"), widget=DATE)
    valid_to = forms.DateField(
        label=_("Valid to (empty: still in force)"), widget=DATE, required=False
    )


class TripForm(StyledForm):
    place = forms.CharField(label=_("Place"), max_length=PLACE_MAX_LENGTH, required=False)
    area_code = forms.CharField(
        label=_("Area code (GB/T 2260, six digits)"), max_length=12, required=False
    )
    date_from = forms.DateField(label=_("From"), widget=DATE)
    date_to = forms.DateField(label=_("To"), widget=DATE)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class ImportForm(StyledForm):
    file = forms.FileField(label=_("File (.xlsx or .csv)"))
    check_only = forms.BooleanField(label=_("Only check the file, write nothing"), required=False)


class ReasonForm(StyledForm):
    reason = forms.CharField(label=_("Reason"), max_length=200)
