from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Profile
from accounts.names import display_name_check


class ProfileForm(forms.ModelForm):
    website = forms.URLField(label=_("Website"), max_length=200, required=False, assume_scheme="https")
    remove_avatar = forms.BooleanField(label=_("Remove my avatar"), required=False)

    class Meta:
        model = Profile
        fields = ["display_name", "bio", "location", "website", "avatar"]
        widgets = {
            "bio": forms.Textarea(attrs={"rows": 5}),
            "avatar": forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/gif,image/webp"}),
        }
        help_texts = {
            "display_name": _("Shown next to your posts instead of your username."),
            "avatar": _("JPEG, PNG, GIF or WebP. It is cropped to a square and stripped of location data."),
        }

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_display_name(self) -> str:
        display_name = self.cleaned_data["display_name"].strip()
        # A name kept from before these rules is not refused when the member edits something else.
        if display_name != self.instance.display_name:
            display_name_check(display_name=display_name, user=self.user)
        return display_name
