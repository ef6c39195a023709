"""The names members choose: none that looks like another member's username, none reserved for the team.

Two names are look-alikes when their skeletons match: the UTS #39 skeleton
(each character replaced by its prototype among Unicode's confusables, so the
Cyrillic "а" and the Latin "a", "0" and "O", "rn" and "m" meet), case-folded.
Usernames are looked up case-insensitively, so "I" meets "i" too, and as
"I" looks like "l", those are one letter here.
"""

from __future__ import annotations

import functools
import unicodedata

from confusable_homoglyphs.confusables import confusables_data
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Names that would pass for the team or the system. The brand's name joins them (reserved_names).
RESERVED_NAMES = (
    "abuse",
    "admin",
    "administrator",
    "admins",
    "anonymous",
    "community",
    "customer service",
    "help",
    "helpdesk",
    "hostmaster",
    "info",
    "mod",
    "moderator",
    "moderators",
    "mods",
    "no reply",
    "noreply",
    "official",
    "owner",
    "postmaster",
    "root",
    "security",
    "staff",
    "superuser",
    "support",
    "sysadmin",
    "system",
    "team",
    "webmaster",
)
# "<brand> support", "official <brand>" ...
_BRAND_ROLES = ("admin", "help", "moderator", "official", "staff", "support", "team")


def _without_ignorables(text: str) -> str:
    # Invisible characters (joiners, direction marks, variation selectors) change nothing one sees.
    return "".join(
        char
        for char in text
        if unicodedata.category(char) != "Cf" and not ("\ufe00" <= char <= "\ufe0f") and char != "\u034f"
    )


def _prototypes() -> dict[str, str]:
    """Each confusable character's prototype, from the library's table of Unicode's confusables.

    The library keeps each source -> prototype pair of confusables.txt in both
    directions, so a prototype is the entry listed by several characters, or a
    sequence (a source is always one character). When two characters only list
    each other, either may be the prototype: both map to the smaller, which is
    all that comparing skeletons needs.
    """
    table = {}
    for char, entries in confusables_data.items():
        if len(char) != 1 or len(entries) != 1:
            continue
        other = entries[0]["c"]
        prototype = _without_ignorables(other)
        if len(prototype) > 1 or len(confusables_data.get(other, ())) > 1:
            table[char] = prototype
        elif prototype:
            table[char] = min(char, prototype)
    return table


_PROTOTYPES = _prototypes()


def name_skeleton(name: str) -> str:
    """What a name looks like, as one string: equal for look-alikes ("аdmin", "ADMIN", "adrnin", "admln")."""
    text = unicodedata.normalize("NFKC", name)
    # Twice: case folding can make a character that has a prototype of its own ("M" -> "m" -> "rn").
    for _round in range(2):
        text = _without_ignorables(unicodedata.normalize("NFD", text))
        text = unicodedata.normalize("NFD", "".join(_PROTOTYPES.get(char, char) for char in text)).casefold()
    return text.replace("i", "l")


def _compact(skeleton: str) -> str:
    # "ad_min", "ad.min" and "Ad Min" are the reserved "admin" too.
    return "".join(char for char in skeleton if char.isalnum())


@functools.cache
def _reserved_skeletons(brand: str) -> frozenset[str]:
    names = [*RESERVED_NAMES, brand]
    for role in _BRAND_ROLES:
        names += [f"{brand} {role}", f"{role} {brand}"]
    return frozenset(_compact(name_skeleton(name)) for name in names)


def is_reserved(name: str) -> bool:
    return _compact(name_skeleton(name)) in _reserved_skeletons(settings.RAPPORT_SITE_NAME)


def username_check(*, username: str, user=None, reserved: bool = True, look_alikes: bool = True) -> None:
    """Refuse a username that is `reserved` (unless `user` is staff) or that `look_alikes` another member's.

    `user` is the member choosing it (None at sign-up): their own name is no look-alike.
    """
    from accounts.models import User

    if reserved and is_reserved(username) and not (user is not None and user.is_staff):
        raise ValidationError(_("This username is reserved. Please choose another."), code="reserved")
    if not look_alikes:
        return
    others = User.objects.filter(username_skeleton=name_skeleton(username))
    if user is not None and user.pk is not None:
        others = others.exclude(pk=user.pk)
    if others.exists():
        raise ValidationError(
            _("This username looks too much like another member's. Please choose another."), code="look_alike"
        )


def display_name_check(*, display_name: str, user) -> None:
    """Refuse a display name reserved for the team, unless `user` is staff."""
    if display_name and is_reserved(display_name) and not user.is_staff:
        raise ValidationError(
            _("This name is reserved for the community team. Please choose another."), code="reserved"
        )
