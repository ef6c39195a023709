"""Reads about tags shared by pages, search and the importer."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import QuerySet
from taggit.models import TaggedItem


def thread_tagged_items() -> QuerySet[TaggedItem]:
    """Tag uses on threads. Filters on the content type's natural key in the query, so no lookup is added."""
    return TaggedItem.objects.filter(content_type__app_label="community", content_type__model="thread")


def thread_tag_names(thread_ids: Iterable[int]) -> dict[int, list[str]]:
    """Tag names per thread id, in one query (taggit's prefetch costs more in Python than the query)."""
    tags: dict[int, list[str]] = defaultdict(list)
    tagged = thread_tagged_items().filter(object_id__in=list(thread_ids)).values_list("object_id", "tag__name")
    for thread_id, name in tagged:
        tags[thread_id].append(name)
    return tags
