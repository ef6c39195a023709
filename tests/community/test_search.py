from __future__ import annotations

import io
import sqlite3
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from community.models import Thread, Visibility
from community.pages.lists import similar_threads
from community.search import backends
from community.search import selectors as search_selectors
from community.search.backends import Order
from community.search.documents import ANSWERS_INDEXED, OPENING_MAX_CHARS, build_documents
from community.search.highlight import snippet, word_pattern
from community.search.index import search_index_clear
from community.search.matching import SearchFilters
from community.search.query import MAX_TERMS, ParsedQuery, parse_query
from community.search.selectors import search_threads
from community.services.posts import post_edit
from community.services.votes import answer_accept
from tests.factories import SpaceFactory, UserFactory, answer, ask

JUNK = ['"', '""', "AND OR", "OR", "*", "(", ")", "-", "NEAR(", "title:", "😀🎉", "\x00", "a" * 2000, "x " * 1000]
BODY = "Nothing in particular happens when I open the application on a Monday."


def ids(results) -> list[int]:
    return [hit.id for hit in results.hits]


def found(user, query, **kwargs) -> list[int]:
    return ids(search_threads(user=user, query=query, **kwargs))


def set_fields(thread: Thread, **fields) -> None:
    Thread.objects.filter(pk=thread.pk).update(**fields)


@pytest.fixture
def space(db):
    return SpaceFactory(name="Wallets", slug="wallets")


# --- The query language, without a database ---------------------------------------------


def test_words_are_anded_quotes_make_phrases_or_gives_alternatives_and_minus_excludes():
    query = parse_query('ledger "recovery phrase" OR trezor -android')
    assert query.to_websearch() == '"ledger" "recovery phrase" or "trezor" -"android"'
    assert query.to_fts5() == '(("ledger" AND "recovery phrase")) OR (("trezor") NOT "android")'
    assert query.words() == ["ledger", "recovery", "phrase", "trezor"]


def test_stop_words_are_dropped_outside_phrases_but_kept_inside():
    assert parse_query("how do I reset my wallet").words() == ["reset", "wallet"]
    assert parse_query('"reset the wallet"').to_fts5() == '(("reset the wallet"))'


def test_phrases_are_known_and_can_be_loosened_to_the_words_wanted():
    query = parse_query('"recovery phrase" wallet-sync -"android phone"')
    assert query.has_phrase
    assert not parse_query('wallet -"android phone"').has_phrase
    assert query.to_websearch(wanted_only=True) == '"recovery phrase" "wallet-sync"'


def test_an_alternative_that_only_excludes_is_dropped_as_it_would_match_nearly_everything():
    assert parse_query("-android").is_empty
    assert parse_query("wallet OR -android").to_websearch() == '"wallet"'


@pytest.mark.parametrize("junk", JUNK)
def test_junk_parses_to_a_query_fts5_accepts_or_to_an_empty_one(junk):
    query = parse_query(junk)
    if query.is_empty:
        return
    # The real FTS5 of Python's SQLite, with the same tokenizer as the migration's table.
    db = sqlite3.connect(":memory:")
    db.execute(
        "CREATE VIRTUAL TABLE t USING fts5(title, tags, body, tokenize = 'porter unicode61 remove_diacritics 2')"
    )
    db.execute("INSERT INTO t VALUES ('a title', 'tag', ?)", ["a " * 10])
    db.execute("SELECT rowid FROM t WHERE t MATCH ?", [query.to_fts5()]).fetchall()


@pytest.mark.parametrize("junk", ['"', "AND OR", "*", "(", "😀", "NOT", "NEAR", "col:umn", "a^b", "+-"])
def test_any_typed_text_around_a_word_still_gives_a_valid_fts5_expression(junk):
    query = parse_query(f"wallet {junk} {junk}wallet2 -{junk}")
    db = sqlite3.connect(":memory:")
    db.execute(
        "CREATE VIRTUAL TABLE t USING fts5(title, tags, body, tokenize = 'porter unicode61 remove_diacritics 2')"
    )
    db.execute("INSERT INTO t VALUES ('wallet', '', 'wallet2')")
    assert db.execute("SELECT count(*) FROM t WHERE t MATCH ?", [query.to_fts5()]).fetchone()[0] in (0, 1)


def test_a_long_query_is_capped_in_terms():
    query = parse_query(" ".join(f"word{n}" for n in range(100)))
    assert len(query.words()) == MAX_TERMS


def test_at_least_two_of_three_words_is_the_or_of_each_pair():
    query = ParsedQuery.at_least(["reset", "wallet", "password"], 2)
    assert query.to_websearch() == '"reset" "wallet" or "reset" "password" or "wallet" "password"'


def test_snippets_mark_the_words_and_escape_everything_else():
    text = "Intro. " * 60 + "<script>alert(1)</script> resetting the Wallets & more"
    html = str(snippet(text, word_pattern(["reset", "wallet"])))
    assert "<mark>resetting</mark>" in html
    assert "<mark>Wallets</mark>" in html
    assert "&lt;script&gt;" in html
    assert "<script>" not in html
    assert html.startswith("\u2026")
    assert len(html) < 400


# --- Ranking ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_title_match_ranks_above_a_match_in_the_text(member, space):
    in_body = ask(member, space, title="Something else entirely here", body=f"{BODY} Zeppelin zeppelin zeppelins.")
    in_title = ask(member, space, title="Zeppelin mode does not start", body=BODY)
    set_fields(in_body, score=50)  # relevance, not votes, decides

    assert found(member, "zeppelin") == [in_title.pk, in_body.pk]


@pytest.mark.django_db
def test_a_tag_match_ranks_above_a_match_in_the_text(member, space):
    in_body = ask(member, space, title="Something else entirely here", body=f"{BODY} About marmalade.")
    tagged = ask(member, space, title="Another thing entirely here", body=BODY, tags=("marmalade",))

    assert found(member, "marmalade") == [tagged.pk, in_body.pk]


@pytest.mark.django_db
def test_words_of_answers_are_found_and_stemmed_forms_match(member, other_member, space):
    thread = ask(member, space, title="The screen stays black after boot", body=BODY)
    answer(other_member, thread, body="Recalibrating the flux capacitors fixed it for me.")

    assert found(member, "capacitor") == [thread.pk]
    assert found(member, "recalibrate capacitors") == [thread.pk]


@pytest.mark.django_db
def test_phrases_alternatives_and_exclusions(member, space):
    phrase = ask(member, space, title="Recovery phrase is not accepted", body=BODY)
    scattered = ask(member, space, title="Phrase of the day and recovery tips", body=BODY)
    ledger = ask(member, space, title="Ledger device is not detected", body=f"{BODY} Android phone.")
    trezor = ask(member, space, title="Trezor device is not detected", body=BODY)

    assert set(found(member, "recovery phrase")) == {phrase.pk, scattered.pk}
    assert found(member, '"recovery phrase"') == [phrase.pk]
    assert set(found(member, "ledger OR trezor")) == {ledger.pk, trezor.pk}
    assert found(member, "device -android") == [trezor.pk]
    assert found(member, 'detected -"android phone"') == [trezor.pk]


# --- Filters and orders ------------------------------------------------------------------


@pytest.mark.django_db
def test_each_filter_narrows_the_results(member, other_member, space):
    other_space = SpaceFactory()
    question = ask(member, space, title="Quasar question one here", tags=("hardware",))
    idea = ask(member, space, title="Quasar idea for later", kind="idea")
    elsewhere = ask(member, other_space, title="Quasar question elsewhere")
    solved = ask(member, space, title="Quasar question that is solved")
    answer_accept(thread=solved, answer=answer(other_member, solved), actor=member)
    old = timezone.now() - timedelta(days=40)
    set_fields(elsewhere, created_at=old)

    def with_filters(**filters) -> set[int]:
        return set(found(member, "quasar", filters=SearchFilters(**filters)))

    assert with_filters() == {question.pk, idea.pk, elsewhere.pk, solved.pk}
    assert with_filters(kind="idea") == {idea.pk}
    assert with_filters(space_id=other_space.pk) == {elsewhere.pk}
    assert with_filters(tag="hardware") == {question.pk}
    assert with_filters(solved=True) == {solved.pk}
    assert with_filters(solved=False) == {question.pk, elsewhere.pk}
    assert with_filters(created_before=(old + timedelta(days=1)).date()) == {elsewhere.pk}
    assert with_filters(created_after=(old + timedelta(days=1)).date()) == {question.pk, idea.pk, solved.pk}
    assert with_filters(created_after=old.date(), created_before=old.date()) == {elsewhere.pk}


@pytest.mark.django_db
def test_newest_and_score_orders(member, space):
    first = ask(member, space, title="Nebula question number one")
    second = ask(member, space, title="Nebula question number two")
    set_fields(first, score=5, created_at=timezone.now() - timedelta(days=2))

    assert found(member, "nebula", order=Order.NEWEST) == [second.pk, first.pk]
    assert found(member, "nebula", order=Order.SCORE) == [first.pk, second.pk]
    assert found(member, "nebula", order="nonsense") == found(member, "nebula")


# --- Who sees what ---------------------------------------------------------------------------

VISIBLE_TO = {"anonymous": {"public"}, "member": {"public", "members"}, "staff": {"public", "members", "staff"}}


@pytest.mark.django_db
@pytest.mark.parametrize("persona", list(VISIBLE_TO))
def test_threads_in_spaces_a_persona_may_not_see_are_never_found(request, persona, staff):
    by_visibility = {
        visibility: ask(staff, SpaceFactory(visibility=visibility), title=f"Gazebo question in a {visibility} space")
        for visibility in Visibility.values
    }
    user = request.getfixturevalue(persona)
    expected = {by_visibility[v].pk for v in VISIBLE_TO[persona]}

    assert set(found(user, "gazebo")) == expected
    assert set(found(user, "gazebo", order=Order.NEWEST)) == expected
    assert {t.id for t in similar_threads(user=user, title="gazebo question space")} == expected


@pytest.mark.django_db
def test_deleted_threads_are_not_found(member, space):
    thread = ask(member, space, title="Walrus question to be deleted")
    set_fields(thread, deleted_at=timezone.now())
    assert found(member, "walrus") == []


# --- Keeping the index current -------------------------------------------------------------


@pytest.mark.django_db
def test_an_edit_makes_new_words_findable_and_old_ones_not(member, space):
    thread = ask(member, space, title="Original pelican title here", body=f"{BODY} Flamingo.", tags=("heron",))
    opening = thread.posts.get(kind="opening")

    post_edit(post=opening, editor=member, body=f"{BODY} Albatross.", title="Renamed cormorant title", tags="egret")

    for gone in ("pelican", "flamingo", "heron"):
        assert found(member, gone) == [], gone
    for new in ("cormorant", "albatross", "egret"):
        assert found(member, new) == [thread.pk], new


@pytest.mark.django_db
def test_a_new_answer_and_an_edited_answer_are_searched(member, other_member, space):
    thread = ask(member, space, title="Question about the lighthouse", body=BODY)
    reply = answer(other_member, thread, body="Try the porcupine setting, then restart.")
    assert found(member, "porcupine") == [thread.pk]

    post_edit(post=reply, editor=other_member, body="Try the hedgehog setting, then restart.")

    assert found(member, "porcupine") == []
    assert found(member, "hedgehog") == [thread.pk]


@pytest.mark.django_db
def test_a_rolled_back_write_leaves_the_index_as_it_was(member, space):
    def ask_then_fail():
        with transaction.atomic():
            ask(member, space, title="Chinchilla question never asked")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        ask_then_fail()
    assert found(member, "chinchilla") == []


@pytest.mark.django_db
def test_documents_are_capped_and_keep_the_accepted_answer(member, other_member, space):
    thread = ask(member, space, title="A long question with many answers", body="verbose " * 3000)
    replies = [answer(other_member, thread, body=f"Answer number {n} says nothing new.") for n in range(12)]
    answer_accept(thread=thread, answer=replies[-1], actor=member)

    (document,) = build_documents([thread.pk])

    assert document.body.count("Answer number") == ANSWERS_INDEXED
    assert "Answer number 11 " in document.body  # accepted: first in, although it is the newest
    assert len(document.body) < OPENING_MAX_CHARS + 12_000 + 100


@pytest.mark.django_db
def test_rebuild_search_index_reproduces_the_same_results(member, other_member, space):
    for n in range(4):
        thread = ask(member, space, title=f"Platypus question number {n}", tags=(f"tag-{n}",))
        answer(other_member, thread, body=f"Answer about the echidna, variant {n}.")
    queries = ["platypus", "echidna", "tag-2", '"question number"']
    before = {query: found(member, query) for query in queries}
    assert all(before.values())

    search_index_clear()
    assert found(member, "platypus") == []
    call_command("rebuild_search_index", stdout=io.StringIO())

    assert {query: found(member, query) for query in queries} == before


# --- Bounds and junk -----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["mongoose", "mongoose question", '"mongoose question"'])
def test_only_a_bounded_set_of_matches_is_ranked_counted_and_paged(member, space, monkeypatch, query):
    monkeypatch.setattr(search_selectors, "MAX_RESULTS", 5)
    for n in range(8):
        ask(member, space, title=f"Mongoose question number {n}")

    first = search_threads(user=member, query=query, limit=3)
    second = search_threads(user=member, query=query, limit=3, page=2)
    beyond = search_threads(user=member, query=query, limit=3, page=3)

    assert first.more_than_shown
    assert first.shown_total == 5
    assert len(first.hits) == 3
    assert first.has_next
    assert len(second.hits) == 3
    assert not second.has_next
    assert not set(ids(first)) & set(ids(second))
    assert beyond.hits == []


@pytest.mark.django_db
@pytest.mark.parametrize("junk", JUNK)
def test_junk_never_fails_a_search(member, space, junk):
    ask(member, space)
    results = search_threads(user=member, query=junk)
    assert results.is_empty_query or isinstance(results.hits, list)


@pytest.mark.django_db
def test_a_repeated_word_two_thousand_characters_long_still_finds(member, space):
    thread = ask(member, space, title="Kangaroo question goes here")
    assert found(member, "kangaroo " * 250) == [thread.pk]


# --- Similar questions ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_similar_threads_prefer_titles_sharing_more_words_and_find_words_in_the_text(member, space):
    two_in_title = ask(member, space, title="Firmware update bricked it", body=f"{BODY} Ledger.")
    in_text = ask(member, space, title="Something unrelated happened", body=f"{BODY} Ledger firmware update.")
    set_fields(in_text, score=30)

    similar = [t.id for t in similar_threads(user=member, title="Ledger firmware update fails")]

    assert similar == [two_in_title.pk, in_text.pk]


# --- The page -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_header_search_box_goes_to_the_search_page(client):
    html = client.get(reverse("home")).content.decode()
    assert f'action="{reverse("search")}"' in html


@pytest.mark.django_db
def test_the_results_page_shows_count_marked_titles_and_snippets(client, member, space):
    ask(member, space, title="Wombat sync never finishes", body=f"{BODY} The <b>wombat</b> & its sync.")
    response = client.get(reverse("search"), {"q": "wombat"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "1 result" in html
    assert "<mark>Wombat</mark> sync never finishes" in html
    # Markdown shows typed HTML as text; the snippet escapes it again around the marks.
    assert "The &lt;b&gt;<mark>wombat</mark>&lt;/b&gt; &amp; its sync." in html


@pytest.mark.django_db
def test_snippets_come_from_the_stored_excerpt_and_labels_agree_with_the_numbers(client, member, other_member, space):
    thread = ask(member, space, title="Tapir question goes here", body=f"{BODY} Nothing else.")
    set_fields(thread, excerpt="The stored excerpt mentions a tapir & its <friends>.", score=1, answer_count=2)
    idea = ask(member, space, title="Tapir idea goes here", kind="idea")
    set_fields(idea, score=3, answer_count=1)

    html = client.get(reverse("search"), {"q": "tapir"}).content.decode()

    assert "The stored excerpt mentions a <mark>tapir</mark> &amp; its &lt;friends&gt;." in html
    assert "Nothing else" not in html
    assert "<strong>1</strong> vote</span>" in html
    assert "<strong>2</strong> answers</span>" in html
    assert "<strong>3</strong> votes</span>" in html
    assert "<strong>1</strong> reply</span>" in html


@pytest.mark.django_db
def test_the_form_keeps_what_was_chosen_escapes_names_and_points_to_its_errors(client, member):
    SpaceFactory(name="Tips & <Tricks>", slug="tips")
    SpaceFactory(name="Back office", slug="back-office", visibility=Visibility.STAFF)
    client.force_login(member)

    html = client.get(reverse("search"), {"q": 'say "hi"', "space": "tips", "sort": "newest", "after": "x"}).content
    html = html.decode()

    assert '<input type="search" autocomplete="off" name="q" id="id_q" aria-describedby="id_q_helptext"' in html
    assert 'value="say &quot;hi&quot;"' in html
    assert '<option value="tips" selected>Tips &amp; &lt;Tricks&gt;</option>' in html
    assert '<option value="newest" selected>Newest</option>' in html
    assert "back-office" not in html
    assert "Back office" not in html
    assert 'name="after" id="id_after" aria-invalid="true" aria-describedby="id_after_error" type="date"' in html
    assert '<div class="field-error" id="id_after_error" role="alert"><p>Enter a valid date.</p></div>' in html
    assert '<input maxlength="35" autocomplete="off" spellcheck="false" name="tag" id="id_tag" type="text">' in html


@pytest.mark.django_db
def test_the_search_page_without_a_query_shows_the_form_only(client):
    response = client.get(reverse("search"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<label for="id_q">' in html
    assert 'id="results-title"' not in html


@pytest.mark.django_db
@pytest.mark.parametrize("junk", [*JUNK, "the how"])
def test_a_query_without_words_says_so(client, junk):
    response = client.get(reverse("search"), {"q": junk})
    assert response.status_code == 200
    html = response.content.decode()
    if junk != "\x00" and parse_query(junk).is_empty:  # a NUL is refused by the form itself
        assert "Your search has no words to look for." in html


@pytest.mark.django_db
def test_no_results_and_bad_filters_show_messages_not_errors(client, member, space):
    ask(member, space, title="Okapi question goes here")
    html = client.get(reverse("search"), {"q": "nosuchword"}).content.decode()
    assert "Nothing matches" in html

    response = client.get(
        reverse("search"),
        {"q": "okapi", "kind": "bogus", "space": "nope", "after": "2024-13-45", "sort": "x", "page": "z"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Okapi" in html  # the bad filters are left out, the search runs
    assert 'class="field-error"' in html

    html = client.get(reverse("search"), {"q": "okapi", "after": "2024-02-01", "before": "2024-01-01"}).content
    assert b"The first date is after the second" in html


@pytest.mark.django_db
def test_the_page_filters_by_a_space_only_when_it_is_visible(client, staff):
    hidden = SpaceFactory(visibility=Visibility.STAFF, slug="back-office")
    ask(staff, hidden, title="Meerkat question for staff")
    html = client.get(reverse("search"), {"q": "meerkat", "space": "back-office"}).content.decode()
    assert "Meerkat question" not in html
    assert 'value="back-office"' not in html  # not even offered as a choice


@pytest.mark.django_db
def test_pages_link_to_each_other_and_keep_the_filters(client, member, space, monkeypatch):
    monkeypatch.setattr(search_selectors, "PAGE_SIZE", 2)
    for n in range(3):
        ask(member, space, title=f"Ocelot question number {n}", kind="idea")
    html = client.get(reverse("search"), {"q": "ocelot", "kind": "idea"}).content.decode()
    assert "?q=ocelot&amp;kind=idea&amp;page=2" in html
    html = client.get(reverse("search"), {"q": "ocelot", "kind": "idea", "page": 2}).content.decode()
    assert "?q=ocelot&amp;kind=idea" in html
    assert html.count('class="thread-row') == 1


@pytest.mark.django_db
@pytest.mark.parametrize("signed_in", [False, True])
def test_the_results_page_runs_as_many_queries_for_thirty_results_as_for_one(client, signed_in, space):
    author = UserFactory()
    if signed_in:
        client.force_login(UserFactory())
    ask(author, space, title="Capybara question number 0", tags=("animals", "rodents"))
    url = reverse("search") + "?q=capybara"
    client.get(url)  # warm caches (content types) shared by every request

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        return len(captured.captured_queries)

    with_one = queries()
    for n in range(1, 30):
        ask(author, space, title=f"Capybara question number {n}", tags=("animals", f"tag-{n}"))
    with_thirty = queries()

    assert with_one == with_thirty
    assert with_thirty <= 8


# --- PostgreSQL ----------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgres_uses_the_gin_index_for_a_rare_word(member, space):
    ask(member, space)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            "EXPLAIN SELECT id FROM community_thread WHERE search_document @@ websearch_to_tsquery('english', %s)",
            ["wallet"],
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "thread_search_document_idx" in plan


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgres_reads_websearch_syntax_and_english_stems(member, space):
    running = ask(member, space, title="The daemon keeps running at night", body=BODY)
    ask(member, space, title="Daemon ran once then stopped", body=BODY)

    assert found(member, '"keeps running"') == [running.pk]
    assert found(member, "daemons run") == [running.pk]  # run, running; ran is not stemmed to run
    assert set(found(member, "daemon -night")) == set(found(member, "stopped"))
    assert found(member, "v1.2.3 OR night") == [running.pk]


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.parametrize("query", ["narwhal", "narwhal tusk", '"narwhal tusk"'])  # each way of counting
def test_postgres_ranks_only_the_highest_scored_matches_and_pages_on_by_score(member, space, monkeypatch, query):
    monkeypatch.setattr(backends, "RANKED", 3)
    in_title = ask(member, space, title="Narwhal tusk sightings this winter", body=BODY)
    in_text = [
        ask(member, space, title=f"Another thing number {n} here", body=f"{BODY} A narwhal tusk.") for n in range(4)
    ]
    set_fields(in_title, score=0)
    for score, thread in enumerate(in_text, start=1):
        set_fields(thread, score=score)
    by_score = [thread.pk for thread in reversed(in_text)]

    # The title match ranks best, but only the three highest scored are ranked; the rest follow by score.
    assert found(member, query) == [*by_score, in_title.pk]
    # A page across the end of the ranked ones, and one past it.
    assert found(member, query, limit=2, page=2) == [by_score[2], by_score[3]]
    assert found(member, query, limit=2, page=3) == [in_title.pk]
    assert search_threads(user=member, query=query, limit=2, page=2).total == 5

    monkeypatch.setattr(backends, "RANKED", 200)
    assert found(member, query)[0] == in_title.pk


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgres_checks_a_phrase_in_a_bounded_window_and_then_says_its_count_is_a_floor(
    client, member, space, monkeypatch
):
    best = ask(member, space, title="Cold storage is the safest option", body=BODY)
    scattered = [ask(member, space, title=f"Storage {n} of the cold kind", body=BODY) for n in range(3)]
    last = ask(member, space, title="Why is cold storage slow", body=BODY)
    for score, thread in enumerate([last, *scattered, best]):
        set_fields(thread, score=score)

    html = client.get(reverse("search"), {"q": '"cold storage"'}).content.decode()
    assert "2 results" in html
    assert "+ results" not in html

    monkeypatch.setattr(backends, "PHRASE_CANDIDATES", 3)  # the three highest scored holding both words
    results = search_threads(user=member, query='"cold storage"')
    assert [hit.id for hit in results.hits] == [best.pk]
    assert (results.total, results.exact) == (1, False)
    html = client.get(reverse("search"), {"q": '"cold storage"'}).content.decode()
    assert "1+ results" in html


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgres_ranks_outside_the_walk_that_finds_the_candidates(member, space):
    ask(member, space, title="Narwhal question number one")
    with CaptureQueriesContext(connection) as captured:
        search_threads(user=member, query="narwhal")
    ranking = next(q["sql"] for q in captured.captured_queries if "ts_rank" in q["sql"])
    # ts_rank reads the documents the walk hands over, LIMITed, never beside the @@ that finds them.
    walk = ranking.split(") r ORDER BY rank", 1)[0].rsplit("FROM (", 1)[1]
    assert walk.startswith("SELECT t.id, t.score, t.search_document AS document FROM community_thread t WHERE")
    assert "ts_rank" not in walk
    assert walk.endswith(f"LIMIT {backends.RANKED}")


@pytest.mark.django_db
def test_the_space_condition_is_left_out_only_when_every_space_is_visible(member, space, staff):
    ask(member, space, title="Aardvark question goes here")

    def search_sql(user) -> str:
        with CaptureQueriesContext(connection) as captured:
            search_threads(user=user, query="aardvark")
        return next(q["sql"] for q in captured.captured_queries if "aardvark" in q["sql"])

    assert "t.space_id" not in search_sql(AnonymousUser())  # the only space is public
    SpaceFactory(visibility=Visibility.MEMBERS)
    assert "t.space_id" in search_sql(AnonymousUser())
    assert "t.space_id" not in search_sql(member)
    SpaceFactory(visibility=Visibility.STAFF)
    assert "t.space_id" in search_sql(member)
    assert "t.space_id" not in search_sql(staff)


@pytest.mark.django_db
def test_a_space_made_private_is_no_longer_searched_by_those_who_cannot_see_it(member, space):
    thread = ask(member, space, title="Pangolin question goes here")
    assert found(AnonymousUser(), "pangolin") == [thread.pk]

    space.visibility = Visibility.MEMBERS
    space.save()

    assert found(AnonymousUser(), "pangolin") == []
    assert found(member, "pangolin") == [thread.pk]


@pytest.mark.django_db
def test_imported_threads_are_searchable_without_a_rebuild(tmp_path):
    from django.core.management import call_command

    from tests.factories import UserFactory

    dump = tmp_path / "example.stackexchange.com"
    dump.mkdir()
    (dump / "Users.xml").write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<users>\n'
        '  <row Id="1" Reputation="1" CreationDate="2021-05-01T10:00:00.000" DisplayName="Ann" />\n</users>\n'
    )
    (dump / "Posts.xml").write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<posts>\n'
        '  <row Id="1" PostTypeId="1" CreationDate="2021-05-01T10:00:00.000" Score="3" OwnerUserId="1"'
        ' Title="Why does my flux capacitor overheat?" Body="&lt;p&gt;It gets hot after ten minutes.&lt;/p&gt;"'
        ' Tags="&lt;hardware&gt;" AnswerCount="0" CommentCount="0" LastActivityDate="2021-05-01T10:00:00.000" />\n'
        "</posts>\n"
    )
    with open(tmp_path / "out.txt", "w") as out:
        call_command("import_stackexchange", str(dump), stdout=out, stderr=out)
    imported = Thread.objects.get(title="Why does my flux capacitor overheat?")
    assert found(UserFactory(), "capacitor") == [imported.pk]
