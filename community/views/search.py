"""The search page: /search/?q=...&kind=&space=&tag=&solved=&after=&before=&sort=&page=."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.humanize.templatetags.humanize import intcomma
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from community.search.forms import SearchForm
from community.search.render import hits_html
from community.search.selectors import MAX_PAGE, MAX_RESULTS, SearchResults, search_space_choices, search_threads
from community.views.params import page_number


def _count_label(results: SearchResults) -> str:
    if results.more_than_shown:
        return _("%(count)s+ results") % {"count": intcomma(MAX_RESULTS)}
    count = results.shown_total
    if not results.exact:  # a floor: more may match than were checked
        return _("%(count)s+ results") % {"count": intcomma(count)}
    return ngettext("%(count)s result", "%(count)s results", count) % {"count": intcomma(count)}


def _page_url(request: HttpRequest, page: int) -> str:
    params = {key: value for key, value in request.GET.items() if key != "page" and value}
    if page > 1:
        params["page"] = str(page)
    return "?" + urlencode(params)


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None, spaces=search_space_choices(user=request.user))
    context: dict = {"form": form, "searched": False}
    if form.is_bound:
        form.is_valid()  # a bad filter is shown on its field and left out; the search still runs
        query = form.query()
        if query.strip():
            results = search_threads(
                user=request.user,
                query=query,
                filters=form.filters(),
                order=form.order(),
                page=page_number(request, last=MAX_PAGE),
            )
            context.update(
                searched=True,
                query=query,
                results=results,
                results_html=hits_html(results.hits),
                count_label=_count_label(results),
                next_url=_page_url(request, results.page + 1) if results.has_next else None,
                previous_url=_page_url(request, results.page - 1) if results.has_previous else None,
            )
    return render(request, "community/search.html", context)
