from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from frontline.health.models import Antigen, Symptom, Whereabouts


class CheckinForm(forms.Form):
    """The fields of one check-in as a page sends them; the service checks their values."""

    temperature = forms.CharField(label=_("Temperature (°C)"), max_length=10, required=False)
    symptoms = forms.MultipleChoiceField(
        label=_("Symptoms"),
        choices=Symptom.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    antigen = forms.ChoiceField(
        label=_("Antigen self-test"),
        choices=Antigen.choices,
        initial=Antigen.NONE,
        widget=forms.RadioSelect,
    )
    whereabouts = forms.ChoiceField(
        label=_("Where are you today?"), choices=Whereabouts.choices, initial=Whereabouts.HOME,
        widget=forms.RadioSelect,
    )  # fmt: skip


def form_errors(form: forms.Form) -> dict[str, list[str]]:
    return {name: [str(message) for message in messages] for name, messages in form.errors.items()}
