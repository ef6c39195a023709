"""Tags.xml -> taggit tags; Users.xml -> imported members with their profiles."""

from __future__ import annotations

import functools
import hashlib
import logging
import secrets
from collections.abc import Iterable

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.text import slugify
from taggit.models import Tag

from accounts.models import Profile, User
from accounts.names import name_skeleton
from community.db.bulk import Columns, allocate_ids, insert_rows, values_in
from community.importers.stackexchange.naming import tag_name, username_base
from community.importers.stackexchange.state import DumpFiles, ImportState
from community.importers.xmlrows import Row
from community.rendering import html_to_text, sanitize_html

_url_ok = URLValidator(schemes=["http", "https"])

logger = logging.getLogger(__name__)


def _unusable_password() -> str:
    # What make_password(None) stores ("!" and random text), without its
    # per-character random.choice loop, which dominated importing members.
    return UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30)


# --- tags ------------------------------------------------------------------


def _free_slugs(names: list[str]) -> dict[str, str]:
    """A unique taggit slug for each new tag name, the way taggit makes them ("name", then "name_1")."""
    wanted = {name: slugify(name, allow_unicode=True) or "tag" for name in names}
    taken = set(Tag.objects.filter(slug__in=set(wanted.values())).values_list("slug", flat=True))
    slugs: dict[str, str] = {}
    for name, slug in wanted.items():
        candidate, n = slug, 0
        while candidate in taken or (n and Tag.objects.filter(slug=candidate).exists()):
            n += 1
            candidate = f"{slug}_{n}"
        taken.add(candidate)
        slugs[name] = candidate
    return slugs


def tags_ensure(state: ImportState, names: Iterable[str]) -> dict[str, int]:
    """Tag ids for `names`, creating the missing tags in bulk. Call inside the batch's transaction."""
    cache = state.tag_ids
    missing = {name for name in names if name not in cache}
    if missing:
        cache.update(Tag.objects.filter(name__in=missing).values_list("name", "pk"))
        new = sorted(name for name in missing if name not in cache)
        if new:
            slugs = _free_slugs(new)
            Tag.objects.bulk_create(
                [Tag(name=name, slug=slugs[name]) for name in new],
                batch_size=state.batch_size,
                ignore_conflicts=True,
            )
            created = dict(Tag.objects.filter(name__in=new).values_list("name", "pk"))
            state.summary.tags += len(created)
            cache.update(created)
            for name in new:
                if name not in cache:
                    # Another writer took the slug meanwhile: taggit's own save finds a free one.
                    cache[name] = Tag.objects.get_or_create(name=name)[0].pk
                    state.summary.tags += 1
    return {name: cache[name] for name in names}


def import_tags(state: ImportState, files: DumpFiles) -> None:
    """The site's whole tag vocabulary, including tags no question uses any more."""
    for batch in files.batches("Tags.xml"):
        named = {row.text("TagName"): tag_name(row.text("TagName")) for row in batch}
        refused = sorted(raw for raw, name in named.items() if name is None)
        if refused:
            state.summary.skipped["tags_refused"] += len(refused)
            logger.warning("Tags refused by the tag rules, not imported: %s", refused)
        names = {name for name in named.values() if name is not None}
        if names - state.tag_ids.keys():
            files.write_batch(functools.partial(tags_ensure, state, names))


# --- members ---------------------------------------------------------------


def _website(value: str) -> str:
    if not value or len(value) > Profile._meta.get_field("website").max_length:
        return ""
    try:
        _url_ok(value)
    except ValidationError:
        return ""
    return value


def _username(base: str, se_id: int, site_tag: str, attempt: int) -> str:
    if attempt == 0:
        return base
    if attempt == 1:
        return f"{base}-{se_id}"
    return f"{base}-{se_id}-{site_tag}" if attempt == 2 else f"{base}-{se_id}-{attempt - 1}"


def _usernames(wanted: list[tuple[int, str]], site: str) -> list[str]:
    """Unique usernames: the slug of the display name, else "<slug>-<id>", else "<slug>-<id>-<site tag>".

    The id is unique within a site and the tag (a short hash of the site's
    name) across sites, so one query per batch settles nearly every name and
    a second settles the rest; "<slug>-<id>-2", "-3" ... are the last resort.
    """
    site_tag = hashlib.blake2s(site.encode(), digest_size=3).hexdigest()
    chosen: list[str] = [""] * len(wanted)
    taken: set[str] = set()
    pending = list(range(len(wanted)))
    first, size = 0, 1
    while pending:
        window = {
            i: [_username(wanted[i][1], wanted[i][0], site_tag, n) for n in range(first, first + size)] for i in pending
        }
        names = sorted({name for names in window.values() for name in names} - taken)
        taken.update(name for (name,) in values_in(User, "username", names, ["username"]))
        waiting = []
        for i in pending:
            free = next((name for name in window[i] if name not in taken), None)
            if free is None:
                waiting.append(i)
            else:
                chosen[i] = free
                taken.add(free)
        pending, first, size = waiting, first + size, 2 if first == 0 else size * 4
    return chosen


USER_COLUMNS = Columns(
    User, ["id", "username", "username_skeleton", "email", "password", "date_joined", "source", "source_id"]
)
PROFILE_COLUMNS = Columns(Profile, ["user", "display_name", "location", "website", "bio"])


def _bio(about_me: str) -> str:
    # Most members never wrote one: no cleaning to do.
    return html_to_text(sanitize_html(about_me))[:1000] if about_me.strip() else ""


def prepare_member(row: Row) -> tuple:
    """What a member's rows hold, of the row alone (reader.py): (id, name base, user part, profile part)."""
    return (
        row.int("Id"),
        username_base(row.get("DisplayName")),
        (_unusable_password(), row.date("CreationDate")),
        (
            row.get("DisplayName")[:50],
            row.get("Location")[:100],
            _website(row.get("WebsiteUrl")),
            _bio(row.get("AboutMe")),
        ),
    )


def _write_users(state: ImportState, members: list[tuple]) -> None:
    # Usernames here, on the writer's side: only it sees the names the batches before took.
    wanted = [(se_id, base) for se_id, base, _, _ in members]
    ids = allocate_ids(User, len(members))
    source = state.source
    insert_rows(
        USER_COLUMNS,
        (
            (user_id, username, name_skeleton(username), "", password, joined, source, se_id)
            for (se_id, _, (password, joined), _), username, user_id in zip(
                members, _usernames(wanted, state.site), ids, strict=True
            )
        ),
    )
    insert_rows(
        PROFILE_COLUMNS,
        ((user_id, *profile) for (_, _, _, profile), user_id in zip(members, ids, strict=True)),
    )
    state.user_map.update((se_id, user_id) for (se_id, _), user_id in zip(wanted, ids, strict=True))
    state.summary.members += len(members)


def import_users(state: ImportState, files: DumpFiles) -> None:
    """Every user in the dump becomes an imported member: no password, no email, claimable later."""
    for batch in files.prepared("Users.xml", prepare_member):
        rows = [member for member in batch if member[0] not in state.user_map]
        if rows:
            files.write_batch(functools.partial(_write_users, state, rows))
