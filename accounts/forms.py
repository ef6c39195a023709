from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Profile


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
