"""What a member typed into the search box, parsed once and written out for each backend.

The syntax is PostgreSQL's `websearch_to_tsquery`: words are ANDed, "quoted
words" are a phrase, `-word` and `-"a phrase"` exclude, and OR between two
items gives alternatives. OR binds loosest, as in PostgreSQL: `a b OR c`
means `(a AND b) OR c`.

Parsing here rather than handing the raw text to the database does three
things. Any input is safe: FTS5's MATCH raises on a stray quote or bracket,
so every FTS5 phrase is built from word tokens only and quoted. Both backends
see the same query, capped in length and terms. And a query that can only
exclude ("-foo", "foo OR -bar"'s second half) is dropped: it would match
nearly every thread, which no index can answer quickly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations

from django.conf import settings

MAX_QUERY_LENGTH = 500  # characters read from the box; the rest is ignored
MAX_TERMS = 16  # words or phrases, over all alternatives
MAX_PHRASE_TOKENS = 8

_TOKEN = re.compile(r"[^\W_]+")
# What PostgreSQL's parser may use inside a term (versions, paths, hyphenated
# words, e-mail addresses); anything else becomes a space.
_PG_UNSAFE = re.compile(r"[^\w.\-@/+'#]+")

# Common English words, dropped from unquoted terms when the search language
# is English. PostgreSQL's "english" configuration drops its own list; FTS5
# has none, so without this "how do I reset my wallet" would need every one of
# those words in the thread. For another language PostgreSQL drops that
# language's stop words, and FTS5 drops none.
STOPWORDS = frozenset(
    " ".join(
        [
            "a about above after again against all am an and any are as at be because been before being below",
            "between both but by can could did do does doing down during each few for from further had has have",
            "having he her here hers herself him himself his how i if in into is it its itself just me more most my",
            "myself no nor not now of off on once only or other our ours ourselves out over own same she should so",
            "some such than that the their theirs them themselves then there these they this those through to too",
            "under until up very was we were what when where which while who whom why will with would you your",
            "yours yourself yourselves",
        ]
    ).split()
)


@dataclass(frozen=True, slots=True)
class Term:
    """A word or a phrase. `text` is for PostgreSQL's parser, `tokens` for FTS5 and highlighting."""

    text: str
    tokens: tuple[str, ...]
    negated: bool = False


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    """Alternatives (OR) of groups of terms (AND); each group has at least one term that is not excluded."""

    groups: tuple[tuple[Term, ...], ...]

    @property
    def is_empty(self) -> bool:
        return not self.groups

    def words(self) -> list[str]:
        """The distinct words searched for (not those excluded), in order: what to highlight."""
        seen: dict[str, None] = {}
        for group in self.groups:
            for term in group:
                if not term.negated:
                    seen.update(dict.fromkeys(term.tokens))
        return list(seen)

    @property
    def has_phrase(self) -> bool:
        """Whether a term searched for holds more than one word (typed in quotes, or like "wallet-sync")."""
        return any(len(term.tokens) > 1 and not term.negated for group in self.groups for term in group)

    def to_websearch(self, *, wanted_only: bool = False) -> str:
        """The query in websearch_to_tsquery syntax, every term quoted so its text is never an operator.

        `wanted_only` leaves out the excluded terms: a query every match of this one also matches.
        """
        return " or ".join(
            " ".join(
                ("-" if term.negated else "") + f'"{term.text}"' for term in group if not (wanted_only and term.negated)
            )
            for group in self.groups
        )

    def to_fts5(self) -> str:
        """The query as an FTS5 MATCH expression: quoted phrases of word tokens, AND, OR and NOT."""
        alternatives = []
        for group in self.groups:
            wanted = " AND ".join(_fts5_phrase(term.tokens) for term in group if not term.negated)
            excluded = "".join(f" NOT {_fts5_phrase(term.tokens)}" for term in group if term.negated)
            alternatives.append(f"(({wanted}){excluded})")
        return " OR ".join(alternatives)

    @classmethod
    def at_least(cls, words: Iterable[str], needed: int) -> ParsedQuery:
        """Threads with at least `needed` of these words: the OR of every group of `needed` words."""
        terms = [Term(word, (word,)) for word in dict.fromkeys(words)][:MAX_TERMS]
        needed = max(1, min(needed, len(terms)))
        return cls(tuple(combinations(terms, needed)) if terms else ())


def _fts5_phrase(tokens: tuple[str, ...]) -> str:
    # Tokens are runs of letters and digits, so they never hold a quote.
    return '"' + " ".join(tokens) + '"'


def _term(text: str, *, negated: bool) -> Term | None:
    """A term, or None when it has no word to look for. \"wallet-sync\" is one word typed, a phrase to FTS5."""
    tokens = tuple(_TOKEN.findall(text.lower()))[:MAX_PHRASE_TOKENS]
    if not tokens or (settings.RAPPORT_SEARCH_LANGUAGE == "english" and all(t in STOPWORDS for t in tokens)):
        return None
    pg_text = " ".join(_PG_UNSAFE.sub(" ", text).split()).lstrip("-")
    return Term(pg_text or " ".join(tokens), tokens, negated)


_OR = object()


def _lex(raw: str) -> list[Term | object]:
    """Terms and OR markers, left to right, as websearch_to_tsquery reads them."""
    items: list[Term | object] = []
    i, end = 0, len(raw)
    while i < end:
        char = raw[i]
        if char.isspace():
            i += 1
            continue
        negated = False
        if char == "-":
            while i < end and raw[i] == "-":
                i += 1
            negated = True
            if i >= end or raw[i].isspace():
                continue
        if raw[i] == '"':
            close = raw.find('"', i + 1)
            close = end if close == -1 else close
            term = _term(raw[i + 1 : close], negated=negated)
            i = close + 1
        else:
            start = i
            while i < end and not raw[i].isspace() and raw[i] != '"':
                i += 1
            word = raw[start:i]
            if not negated and word.lower() == "or":
                items.append(_OR)
                continue
            term = _term(word, negated=negated)
        if term is not None:
            items.append(term)
    return items


def parse_query(raw: str) -> ParsedQuery:
    """Parse what was typed. Never raises: junk parses to an empty query (check `is_empty`)."""
    groups: list[list[Term]] = [[]]
    count = 0
    raw = raw or ""
    if len(raw) > MAX_QUERY_LENGTH:
        # Cut between words, so the last word kept is whole.
        head = raw[:MAX_QUERY_LENGTH]
        raw = head.rsplit(None, 1)[0] if not raw[MAX_QUERY_LENGTH].isspace() and head.strip() else head
    for item in _lex(raw):
        if item is _OR:
            if groups[-1]:
                groups.append([])
            continue
        if count == MAX_TERMS:
            break
        if item not in groups[-1]:
            groups[-1].append(item)
            count += 1
    kept = tuple(tuple(group) for group in groups if any(not term.negated for term in group))
    return ParsedQuery(kept)
