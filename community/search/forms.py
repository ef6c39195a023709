"""The search page's form: the query, its filters and its order, all optional and all from the URL."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from community.models import Space, ThreadKind
from community.search.backends import Order
from community.search.matching import SearchFilters
from community.services.content import TAG_MAX_LENGTH, normalize_tag

SOLVED, UNSOLVED = "solved", "unsolved"
FILTER_FIELDS = ("kind", "space", "tag", "solved", "after", "before")


class DateInput(forms.DateInput):
    input_type = "date"


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

    def __init__(self, *args, spaces: list[Space], **kwargs) -> None:
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
    def filter_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in FILTER_FIELDS]

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
        return SearchFilters(
            kind=data.get("kind") or None,
            space=self._spaces.get(data.get("space") or ""),
            tag=normalize_tag(data.get("tag") or "") or None,
            solved={SOLVED: True, UNSOLVED: False}.get(solved or ""),
            created_after=data.get("after") if dates_valid else None,
            created_before=data.get("before") if dates_valid else None,
        )
