from __future__ import annotations

import datetime as dt

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from frontline.core.forms import StyledForm
from frontline.outreach.models import ChannelName
from frontline.places.models import Building, Community, Grid
from frontline.residents.models import Tag


class NoticeForm(StyledForm):
    community = forms.ModelChoiceField(queryset=Community.objects.none(), label=_("Community"))
    title = forms.CharField(label=_("Title"), max_length=100)
    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("A blank line starts a paragraph, “- ” a list item, **two stars** bold."),
    )
    expires_at = forms.DateTimeField(
        label=_("Expires"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    grids = forms.ModelMultipleChoiceField(
        queryset=Grid.objects.none(), required=False, label=_("Grids"),
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    buildings = forms.ModelMultipleChoiceField(
        queryset=Building.objects.none(), required=False, label=_("Buildings"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("No grid and no building: the whole community."),
    )  # fmt: skip
    tags = forms.MultipleChoiceField(
        choices=Tag.choices, required=False, label=_("Only households with a member who is"),
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    channels = forms.MultipleChoiceField(
        choices=ChannelName.choices, label=_("Channels"), widget=forms.CheckboxSelectMultiple,
        initial=[ChannelName.PORTAL],
    )  # fmt: skip

    def __init__(self, *args: object, communities: QuerySet[Community], **kwargs: object) -> None:
        kwargs.setdefault(
            "initial",
            {
                "expires_at": (timezone.localtime() + dt.timedelta(days=3)).strftime(
                    "%Y-%m-%dT%H:%M"
                )
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities  # type: ignore[attr-defined]
        self.fields["grids"].queryset = Grid.objects.filter(  # type: ignore[attr-defined]
            community__in=communities
        ).order_by("community_id", "name")
        self.fields["buildings"].queryset = Building.objects.filter(  # type: ignore[attr-defined]
            community__in=communities
        ).order_by("community_id", "number")
        if len(communities) == 1:
            self.fields["community"].initial = communities[0]
            self.fields["community"].widget = forms.HiddenInput()


class LectureForm(StyledForm):
    community = forms.ModelChoiceField(queryset=Community.objects.none(), label=_("Community"))
    topic = forms.CharField(label=_("Topic"), max_length=100)
    speaker = forms.CharField(
        label=_("Speaker"), max_length=100,
        help_text=_("A person or an organisation, e.g. a partner hospital."),
    )  # fmt: skip
    starts_at = forms.DateTimeField(
        label=_("Starts"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    minutes = forms.IntegerField(label=_("Minutes"), initial=60)
    joining = forms.CharField(
        label=_("How to join"), max_length=200,
        help_text=_("A meeting link or number, or a room."),
    )  # fmt: skip
    capacity = forms.IntegerField(label=_("Places"), initial=100)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: object, communities: QuerySet[Community], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities  # type: ignore[attr-defined]
        if len(communities) == 1:
            self.fields["community"].initial = communities[0]
            self.fields["community"].widget = forms.HiddenInput()
