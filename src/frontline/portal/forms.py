from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _

from frontline.health.forms import CheckinForm
from frontline.health.models import Antigen, Symptom, Whereabouts
from frontline.health.services import public_member_label
from frontline.residents.models import Resident


@dataclass(frozen=True, slots=True)
class PostedCheckin:
    """A household page's check-in as the form cleans it; the service then checks its values."""

    member: Resident
    temperature: str
    symptoms: list[str]
    antigen: str
    whereabouts: str
    photo: UploadedFile | None = None


@dataclass(frozen=True, slots=True)
class PlainCheckin:
    """A well-formed post without a photo, before its member is looked up."""

    member_id: int
    temperature: str
    symptoms: list[str]
    antigen: str
    whereabouts: str

    def of(self, members: Mapping[int, Resident]) -> PostedCheckin | None:
        """The check-in for one of these members (by id); None if it names someone else."""
        member = members.get(self.member_id)
        if member is None:
            return None
        return PostedCheckin(
            member=member, temperature=self.temperature, symptoms=self.symptoms,
            antigen=self.antigen, whereabouts=self.whereabouts,
        )  # fmt: skip


class PortalCheckinForm(CheckinForm):
    """The household page's form: a member of this household only, and an optional photo."""

    member = forms.TypedChoiceField(
        label=_("Who is checking in?"), coerce=int, widget=forms.RadioSelect
    )
    antigen_photo = forms.FileField(
        label=_("Photo of the antigen test (optional)"), required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp", "capture": "environment"}),
    )  # fmt: skip

    field_order = ["member", "temperature", "symptoms", "antigen", "antigen_photo", "whereabouts"]

    def __init__(self, *args: object, members: Sequence[Resident], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.members = {m.pk: m for m in members}
        self.fields["member"].choices = [(m.pk, public_member_label(m)) for m in members]  # type: ignore[attr-defined]
        self.fields["temperature"].widget.attrs.update(
            {
                "inputmode": "decimal",
                "placeholder": "36.5",
                "autocomplete": "off",
                "class": "form-control form-control-lg",
            }
        )

    def posted(self) -> PostedCheckin:
        """The cleaned check-in of a valid form (its member is one of the choices)."""
        data = self.cleaned_data
        return PostedCheckin(
            member=self.members[data["member"]], temperature=data["temperature"],
            symptoms=data["symptoms"], antigen=data["antigen"], whereabouts=data["whereabouts"],
            photo=data["antigen_photo"] or None,
        )  # fmt: skip


# What `plain_checkin` accepts, read once from the form's own fields and the models' choices.
SYMPTOM_VALUES = frozenset(Symptom.values)
ANTIGEN_VALUES = frozenset(Antigen.values)
WHEREABOUTS_VALUES = frozenset(Whereabouts.values)
TEMPERATURE_MAX_LENGTH: int = CheckinForm.base_fields["temperature"].max_length  # type: ignore[attr-defined]
PHOTO_CLEAR = forms.ClearableFileInput().clear_checkbox_name("antigen_photo")


def plain_checkin(data: QueryDict, files: MultiValueDict[str, UploadedFile]) -> PlainCheckin | None:
    """What `PortalCheckinForm` would clean from a post without a photo whose every field is
    well-formed, without building the form (the check-in every household sends every day);
    None for anything else, which then goes through the form and is reported field by field.
    The member is a choice only if it is a member's id written as the form writes it."""
    if files or PHOTO_CLEAR in data:
        return None
    antigen = data.get("antigen")
    whereabouts = data.get("whereabouts")
    if antigen not in ANTIGEN_VALUES or whereabouts not in WHEREABOUTS_VALUES:
        return None
    symptoms = data.getlist("symptoms")
    if not SYMPTOM_VALUES.issuperset(symptoms):
        return None
    temperature = data.get("temperature")
    temperature = "" if temperature is None else temperature.strip()
    if len(temperature) > TEMPERATURE_MAX_LENGTH or "\x00" in temperature:
        return None
    chosen = data.get("member") or ""
    if not (0 < len(chosen) <= 18 and chosen.isascii() and chosen.isdigit()) or chosen[0] == "0":
        return None
    return PlainCheckin(
        member_id=int(chosen), temperature=temperature, symptoms=symptoms, antigen=str(antigen),
        whereabouts=str(whereabouts),
    )  # fmt: skip


class PortalTripForm(forms.Form):
    """A household member declares a stay elsewhere; the travel service validates the place and
    the dates (and screens the trip against the risk areas)."""

    member = forms.TypedChoiceField(label=_("Who travelled?"), coerce=int, widget=forms.RadioSelect)
    place = forms.CharField(
        label=_("Where (city, district or place)"), max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control form-control-lg", "autocomplete": "off"}),
    )  # fmt: skip
    date_from = forms.DateField(
        label=_("From"), widget=forms.DateInput(attrs={"type": "date", "class": "form-control"})
    )
    date_to = forms.DateField(
        label=_("To"), widget=forms.DateInput(attrs={"type": "date", "class": "form-control"})
    )

    def __init__(self, *args: object, members: Sequence[Resident], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.members = {m.pk: m for m in members}
        self.fields["member"].choices = [(m.pk, public_member_label(m)) for m in members]  # type: ignore[attr-defined]
