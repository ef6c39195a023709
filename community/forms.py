"""Forms check the shape of what was sent; the services decide whether it is allowed and well-formed.

Length limits, tag rules and permissions live in the services (they raise
ValidationError keyed by these field names), so the form and the service
never disagree: views pass a service's ValidationError back with add_error.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _

from community.models import IdeaStatus, Space, ThreadKind
from community.services.content import tags_help_text

MARKDOWN_HINT = _(
    "Markdown works: **bold**, *italic*, `code`, [a link](https://example.com), "
    "lists starting with - and code blocks fenced with ```. Mention members with @name and tags with #tag."
)


def apply_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its field when the form has one, else above it."""
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


# Markdown fields: community.js adds the formatting toolbar and Preview
# (community/partials/markdown_toolbar.html) to each, and an "Insert image" button to those that take images.
MARKDOWN = {"data-markdown": ""}
IMAGE_UPLOAD = {**MARKDOWN, "data-image-upload": reverse_lazy("image_upload")}


class AskForm(forms.Form):
    space = forms.ModelChoiceField(
        label=_("Space"), queryset=Space.objects.none(), empty_label=_("Choose a space"), to_field_name="slug"
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("", _("The space's usual kind")), *ThreadKind.choices],
        required=False,
        help_text=_("A question gets answers and one can be accepted; a discussion is a conversation."),
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=settings.RAPPORT_TITLE_MAX_LENGTH,
        help_text=_("Say what you need in one sentence, as you would ask a friend."),
    )
    body = forms.CharField(
        label=_("Details"), widget=forms.Textarea(attrs={"rows": 10, **IMAGE_UPLOAD}), help_text=MARKDOWN_HINT
    )
    tags = forms.CharField(label=_("Tags"), required=False, max_length=300)

    def __init__(self, *args, spaces, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["space"].queryset = spaces
        self.fields["tags"].help_text = tags_help_text()
        # Similar questions while typing: htmx asks after a pause, not on every key.
        self.fields["title"].widget.attrs.update(
            {
                "autocomplete": "off",
                "hx-get": reverse("ask_similar"),
                "hx-trigger": "keyup changed delay:400ms, search",
                "hx-target": "#similar-threads",
                "hx-sync": "this:replace",
            }
        )

        # Tag suggestions: a native datalist, refreshed by htmx as the last tag is typed.
        self.fields["tags"].widget.attrs.update(
            {
                "autocomplete": "off",
                "list": "tag-suggestions",
                "hx-get": reverse("tags_suggest"),
                "hx-trigger": "keyup changed delay:250ms",
                "hx-target": "#tag-suggestions",
                "hx-sync": "this:replace",
            }
        )

    def clean(self):
        data = super().clean()
        space = data.get("space")
        if space is not None and not data.get("kind"):
            data["kind"] = space.default_kind
        return data


class AnswerForm(forms.Form):
    body = forms.CharField(
        label=_("Text"), widget=forms.Textarea(attrs={"rows": 8, **IMAGE_UPLOAD}), help_text=MARKDOWN_HINT
    )


def answer_field() -> dict:
    """What the hand-written answer form (community/partials/answer_form.html) shows of AnswerForm's field."""
    field = AnswerForm.base_fields["body"]
    return {
        "label": field.label,
        "help_text": field.help_text,
        "rows": field.widget.attrs["rows"],
        "image_upload_url": field.widget.attrs["data-image-upload"],
    }


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2, **MARKDOWN}))


class PostEditForm(forms.Form):
    """Editing a post; title and tags are offered for opening posts only."""

    title = forms.CharField(label=_("Title"), max_length=settings.RAPPORT_TITLE_MAX_LENGTH)
    tags = forms.CharField(label=_("Tags"), required=False, max_length=300)
    body = forms.CharField(
        label=_("Text"), widget=forms.Textarea(attrs={"rows": 14, **IMAGE_UPLOAD}), help_text=MARKDOWN_HINT
    )
    reason = forms.CharField(
        label=_("Reason for the edit"),
        required=False,
        max_length=300,
        help_text=_("Shown in the history, such as: fixed a typo, added the error message."),
    )

    def __init__(self, *args, is_opening: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not is_opening:
            del self.fields["title"]
            del self.fields["tags"]
        else:
            self.fields["tags"].help_text = tags_help_text()


class VoteForm(forms.Form):
    value = forms.TypedChoiceField(choices=[("1", "+1"), ("-1", "-1"), ("0", "0")], coerce=int)


class ToggleForm(forms.Form):
    """Accept or un-accept, say or unsay "me too": on=1 or on=0."""

    on = forms.TypedChoiceField(choices=[("1", "1"), ("0", "0")], coerce=lambda v: v == "1")


class IdeaStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=IdeaStatus.choices)
    note = forms.CharField(
        label=_("Note to voters"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Everyone who voted for this idea is told, with this note."),
    )
