from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from frontline.contacts.models import LinkType
from frontline.core.forms import StyledForm


class DateInput(forms.DateInput):
    input_type = "date"


class TimeInput(forms.TimeInput):
    input_type = "time"


class CaseForm(StyledForm):
    """A case's index person is a resident (picked by search) or an outside person."""

    resident = forms.IntegerField(required=False, widget=forms.HiddenInput)
    outside_name = forms.CharField(label=_("Outside person's name"), required=False, max_length=50)
    outside_phone = forms.CharField(
        label=_("Outside person's phone"), required=False, max_length=20
    )
    community = forms.TypedChoiceField(
        label=_("Community"), required=False, coerce=int, empty_value=None
    )
    confirmed_on = forms.DateField(label=_("Confirmed on"), widget=DateInput)
    reference = forms.CharField(
        label=_("Evidence reference"),
        max_length=100,
        help_text=_("For example the number of the positive test report."),
    )


class LinkForm(StyledForm):
    source = forms.ChoiceField(label=_("Contact of"))
    contact_resident = forms.IntegerField(required=False, widget=forms.HiddenInput)
    contact_name = forms.CharField(label=_("Outside person's name"), required=False, max_length=50)
    contact_phone = forms.CharField(
        label=_("Outside person's phone"), required=False, max_length=20
    )
    met_on = forms.DateField(label=_("Date"), widget=DateInput)
    met_at = forms.TimeField(label=_("Time"), required=False, widget=TimeInput)
    place = forms.CharField(label=_("Where"), required=False, max_length=200)
    link_type = forms.ChoiceField(label=_("Type"), choices=LinkType.choices)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
