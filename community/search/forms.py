"""The search page's form: the query, its filters and its order, all optional and all from the URL.

Its fields are written out here rather than through Django's form renderer,
which renders each widget and each <option> through a template: that was
about half the page's own time, for a form with a <select> of every space.
The markup is what partials/form_fields.html gives other forms; every name,
value, label and message goes through escape().
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape as _escape
from typing import NamedTuple

from django import forms
from django.core.exceptions import ValidationError
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from community.models import ThreadKind
from community.search.backends import Order
from community.search.matching import SearchFilters
from community.services.content import TAG_MAX_LENGTH, normalize_tag

SOLVED, UNSOLVED = "solved", "unsolved"
FILTER_FIELDS = ("kind", "space", "tag", "solved", "after", "before")


class SpaceChoice(NamedTuple):
    """A space the reader may filter on: all the form needs of it, cheap to cache."""

    pk: int
    slug: str
    name: str


class DateInput(forms.DateInput):
    input_type = "date"


def escape(value) -> str:
    # The standard library's, as Django's escape is, without its lazy-string wrapper (a third of the cost here).
    return _escape(str(value), quote=True)


def _attributes(attrs: dict) -> str:
    # As Django's widgets: True is a bare attribute, False or None leaves it out.
    return "".join(
        f" {escape(name)}" if value is True else f' {escape(name)}="{escape(value)}"'
        for name, value in attrs.items()
        if value is not False and value is not None
    )


def _control(field: forms.BoundField) -> str:
    """The field's <input> or <select>, with the attributes Django's widget would give it."""
    widget = field.field.widget
    value = field.value()
    value = "" if value is None else str(value)
    described = [f"{field.auto_id}_helptext"] if field.help_text else []
    if field.errors:
        described.append(f"{field.auto_id}_error")
    attrs = {**widget.attrs, "name": field.html_name, "id": field.auto_id}
    if field.errors:
        attrs["aria-invalid"] = "true"
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if isinstance(widget, forms.Select):
        options = "".join(
            f'<option value="{escape(choice)}"{" selected" if str(choice) == value else ""}>{escape(label)}</option>'
            for choice, label in field.field.choices
        )
        return f"<select{_attributes(attrs)}>{options}</select>"
    attrs.setdefault("type", widget.input_type)
    if value:
        attrs["value"] = value
    return f"<input{_attributes(attrs)}>"


def _field(field: forms.BoundField) -> str:
    """One field with its label, help text and errors."""
    invalid = " field-invalid" if field.errors else ""
    parts = [
        f'<div class="field field-{escape(field.widget_type)}{invalid}">',
        f'<label for="{escape(field.auto_id)}">{escape(field.label)}</label>',
        _control(field),
    ]
    if field.help_text:
        parts.append(f'<div class="help" id="{escape(field.auto_id)}_helptext">{escape(field.help_text)}</div>')
    if field.errors:
        messages = "".join(f"<p>{escape(error)}</p>" for error in field.errors)
        parts.append(f'<div class="field-error" id="{escape(field.auto_id)}_error" role="alert">{messages}</div>')
    parts.append("</div>")
    return "\n".join(parts)


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search for"),
        required=False,
        help_text=_(
            "Quote words for a phrase, put OR between alternatives and a minus sign before words to leave out: "
            '"recovery phrase" ledger OR trezor -android'
        ),
    )
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("Any kind")), *ThreadKind.choices])
    space = forms.ChoiceField(label=_("Space"), required=False)
    tag = forms.CharField(label=_("Tag"), required=False, max_length=TAG_MAX_LENGTH)
    solved = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Solved or not")), (SOLVED, _("Solved")), (UNSOLVED, _("Unsolved questions"))],
    )
    after = forms.DateField(label=_("Created on or after"), required=False, widget=DateInput)
    before = forms.DateField(label=_("Created on or before"), required=False, widget=DateInput)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[(Order.RELEVANCE, _("Best match")), (Order.NEWEST, _("Newest")), (Order.SCORE, _("Highest score"))],
    )

    def __init__(self, *args, spaces: Sequence[SpaceChoice], **kwargs) -> None:
        """`spaces`: those the reader may see (search_space_choices), or Space rows."""
        super().__init__(*args, **kwargs)
        self._spaces = {space.slug: space for space in spaces}
        self.fields["space"].choices = [("", _("Any space")), *((space.slug, space.name) for space in spaces)]
        self.fields["q"].widget.attrs.update({"type": "search", "autocomplete": "off"})
        self.fields["tag"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})

    def clean(self):
        data = super().clean()
        after, before = data.get("after"), data.get("before")
        if after and before and after > before:
            raise ValidationError(_("The first date is after the second: no thread can be created in between."))
        return data

    @property
    def query_html(self) -> SafeString:
        return mark_safe(_field(self["q"]))  # noqa: S308 - _field escapes every value

    @property
    def filters_html(self) -> SafeString:
        return mark_safe("\n".join(_field(self[name]) for name in FILTER_FIELDS))  # noqa: S308 - as above

    @property
    def sort_html(self) -> SafeString:
        return mark_safe(_field(self["sort"]))  # noqa: S308 - as above

    @property
    def has_filters(self) -> bool:
        return self.is_bound and any(self.data.get(name) for name in FILTER_FIELDS)

    def query(self) -> str:
        return self.cleaned_data.get("q", "") if self.is_bound else ""

    def order(self) -> str:
        return self.cleaned_data.get("sort") or Order.RELEVANCE

    def filters(self) -> SearchFilters:
        """The filters that were valid; a bad one (an unknown space, a malformed date) is left out."""
        data = self.cleaned_data
        solved = data.get("solved")
        dates_valid = not self.non_field_errors()
        space = self._spaces.get(data.get("space") or "")
        return SearchFilters(
            kind=data.get("kind") or None,
            space_id=space.pk if space is not None else None,
            tag=normalize_tag(data.get("tag") or "") or None,
            solved={SOLVED: True, UNSOLVED: False}.get(solved or ""),
            created_after=data.get("after") if dates_valid else None,
            created_before=data.get("before") if dates_valid else None,
        )
