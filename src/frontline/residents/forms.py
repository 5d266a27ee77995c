from django import forms
from django.utils.translation import gettext_lazy as _

from frontline.core.forms import StyledForm
from frontline.residents.models import DocumentType, ResidenceType, ResidentStatus, Sex, Tag
from frontline.residents.services import REVEALABLE_FIELDS
from frontline.residents.validation import STORED_TAGS


class ResidentForm(StyledForm):
    """The fields a worker edits; the service normalises and validates them together."""

    name = forms.CharField(label=_("Name"), max_length=50)
    document_type = forms.ChoiceField(label=_("Document type"), choices=DocumentType.choices)
    document_number = forms.CharField(label=_("Document number"), max_length=40, required=False)
    sex = forms.ChoiceField(label=_("Sex"), choices=[("", "—"), *Sex.choices], required=False)
    birth_date = forms.DateField(
        label=_("Birth date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    residence_type = forms.ChoiceField(label=_("Residence type"), choices=ResidenceType.choices)
    status = forms.ChoiceField(label=_("Status"), choices=ResidentStatus.choices)
    tags = forms.MultipleChoiceField(
        label=_("Vulnerability tags"),
        choices=[(tag.value, tag.label) for tag in Tag if tag.value in STORED_TAGS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    emergency_contact_name = forms.CharField(
        label=_("Emergency contact"), max_length=50, required=False
    )
    emergency_contact_phone = forms.CharField(
        label=_("Emergency contact phone"), max_length=20, required=False
    )
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class MoveForm(StyledForm):
    household = forms.IntegerField(label=_("New household"), widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class ReasonForm(StyledForm):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class RevealForm(ReasonForm):
    field = forms.ChoiceField(choices=[(field, field) for field in REVEALABLE_FIELDS])
