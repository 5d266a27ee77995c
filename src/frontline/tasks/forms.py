from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from frontline.accounts.models import User
from frontline.core.forms import StyledForm


class NoteForm(StyledForm):
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class HandOverForm(NoteForm):
    to = forms.ModelChoiceField(queryset=User.objects.none(), label=_("Hand over to"))

    def __init__(self, *args, candidates, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["to"]).queryset = candidates
