from __future__ import annotations

import datetime as dt

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from frontline.accounts.models import User
from frontline.core.forms import StyledForm
from frontline.outreach.models import ChannelName, LectureKind
from frontline.outreach.selectors import counsellors
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
    """A lecture where the user sends notices, a support group where they manage care (hosted
    by one of the community's counsellors)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=LectureKind.choices, required=False)
    community = forms.ModelChoiceField(queryset=Community.objects.none(), label=_("Community"))
    topic = forms.CharField(label=_("Topic"), max_length=100)
    speaker = forms.CharField(
        label=_("Speaker"), max_length=100, required=False,
        help_text=_("A person or an organisation, e.g. a partner hospital."),
    )  # fmt: skip
    host = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, label=_("Host"),
        help_text=_("The counsellor who leads a support group."),
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

    def __init__(
        self, *args: object, lecture_communities: QuerySet[Community],
        group_communities: QuerySet[Community], user: User, **kwargs: object,
    ) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        self.allowed: dict[str, set[int]] = {
            LectureKind.LECTURE: set(lecture_communities.values_list("pk", flat=True)),
            LectureKind.SUPPORT_GROUP: set(group_communities.values_list("pk", flat=True)),
        }
        kinds = [(kind, label) for kind, label in LectureKind.choices if self.allowed[kind]]
        self.may_announce = bool(kinds)
        self.default_kind = kinds[0][0] if kinds else LectureKind.LECTURE
        self.fields["kind"].choices = kinds  # type: ignore[attr-defined]
        communities = Community.objects.filter(
            pk__in=self.allowed[LectureKind.LECTURE] | self.allowed[LectureKind.SUPPORT_GROUP]
        ).order_by("name")
        self.fields["community"].queryset = communities  # type: ignore[attr-defined]
        hosts = counsellors(community_ids=self.allowed[LectureKind.SUPPORT_GROUP])
        self.fields["host"].queryset = hosts  # type: ignore[attr-defined]
        if len(kinds) == 1:
            self.fields["kind"].initial = kinds[0][0]
            self.fields["kind"].widget = forms.HiddenInput()
        if len(communities) == 1:
            self.fields["community"].initial = communities[0]
            self.fields["community"].widget = forms.HiddenInput()
        if not self.allowed[LectureKind.SUPPORT_GROUP]:
            del self.fields["host"]
        elif hosts.filter(pk=user.pk).exists():
            self.fields["host"].initial = user

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        kind = data["kind"] = data.get("kind") or self.default_kind
        community = data.get("community")
        if isinstance(community, Community) and community.pk not in self.allowed[str(kind)]:
            self.add_error("community", _("Choose a community where you may announce this."))
        data.setdefault("host", None)
        return data
