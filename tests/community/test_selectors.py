from __future__ import annotations

from datetime import timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from community.models import Thread, Visibility
from community.pages.lists import similar_threads, thread_list
from community.pages.threads import thread_page
from community.selectors.lists import significant_words, tag_thread_count
from community.selectors.pagination import decode_cursor, encode_cursor
from community.selectors.posts import body_diff, post_history
from community.selectors.threads import thread_get_for_user
from community.services.posts import comment_create, post_edit
from community.services.votes import answer_accept, vote_cast
from moderation.services.threads import thread_close_as_duplicate, thread_delete
from tests.factories import SpaceFactory, UserFactory, answer, ask

pytestmark = pytest.mark.django_db


def titles(page) -> list[str]:
    return [row.title for row in page.items]


def set_times(thread: Thread, *, created=None, activity=None, score=None) -> None:
    fields = {}
    if created is not None:
        fields["created_at"] = created
    if activity is not None:
        fields["last_activity_at"] = activity
    if score is not None:
        fields["score"] = score
    Thread.objects.filter(pk=thread.pk).update(**fields)


@pytest.fixture
def space():
    return SpaceFactory(name="Wallets", slug="wallets")


# --- Orderings and filters --------------------------------------------------------


def test_latest_activity_comes_first_and_an_answer_brings_a_thread_back_up(member, other_member, space):
    older = ask(member, space, title="First question about the wallet")
    newer = ask(member, space, title="Second question about the wallet")
    assert titles(thread_list(user=member)) == [newer.title, older.title]

    answer(other_member, older)

    assert titles(thread_list(user=member)) == [older.title, newer.title]


def test_newest_orders_by_when_the_thread_was_asked_not_by_activity(member, other_member, space):
    older = ask(member, space, title="First question about the wallet")
    newer = ask(member, space, title="Second question about the wallet")
    answer(other_member, older)

    assert titles(thread_list(user=member, sort="newest")) == [newer.title, older.title]


def test_unanswered_lists_only_threads_without_answers(member, other_member, space):
    answered = ask(member, space, title="A question that has an answer")
    waiting = ask(member, space, title="A question still waiting for help")
    answer(other_member, answered)

    assert titles(thread_list(user=member, sort="unanswered")) == [waiting.title]


def test_unsolved_lists_questions_without_an_accepted_answer_only(member, other_member, space):
    solved = ask(member, space, title="A question that got solved today")
    open_question = ask(member, space, title="A question nobody has solved yet")
    ask(member, space, title="A discussion is never unsolved", kind="discussion")
    answer_accept(thread=solved, answer=answer(other_member, solved), actor=member)

    assert titles(thread_list(user=member, sort="unsolved")) == [open_question.title]


def test_top_orders_by_score_and_the_period_leaves_out_older_threads(member, space):
    now = timezone.now()
    best_old = ask(member, space, title="Best thread but ten days old")
    good_recent = ask(member, space, title="Good thread from yesterday")
    weak_recent = ask(member, space, title="Weak thread from an hour ago")
    set_times(best_old, created=now - timedelta(days=10), score=9)
    set_times(good_recent, created=now - timedelta(hours=20), score=5)
    set_times(weak_recent, created=now - timedelta(hours=1), score=-1)

    assert titles(thread_list(user=member, sort="top")) == [best_old.title, good_recent.title, weak_recent.title]
    assert titles(thread_list(user=member, sort="top", period="week")) == [good_recent.title, weak_recent.title]
    assert titles(thread_list(user=member, sort="top", period="day")) == [good_recent.title, weak_recent.title]
    assert titles(thread_list(user=member, sort="top", period="month")) == [
        best_old.title,
        good_recent.title,
        weak_recent.title,
    ]


def test_an_unknown_sort_falls_back_to_latest_activity(member, space):
    ask(member, space)
    assert titles(thread_list(user=member, sort="random")) == titles(thread_list(user=member))


def test_lists_filter_by_space_tag_kind_and_idea_status(member, space):
    other_space = SpaceFactory()
    in_space = ask(member, space, title="A question in the wallet space", tags=("sync",))
    elsewhere = ask(member, other_space, title="A question in another space", tags=("billing",))
    idea = ask(member, other_space, title="An idea to make syncing faster", kind="idea", tags=("sync",))
    planned = ask(member, other_space, title="An idea that is already planned", kind="idea")
    Thread.objects.filter(pk=planned.pk).update(idea_status="planned")

    assert titles(thread_list(user=member, space=space)) == [in_space.title]
    assert set(titles(thread_list(user=member, tag="sync"))) == {in_space.title, idea.title}
    assert titles(thread_list(user=member, tag="billing")) == [elsewhere.title]
    assert set(titles(thread_list(user=member, kind="idea"))) == {idea.title, planned.title}
    assert titles(thread_list(user=member, kind="idea", idea_status="planned")) == [planned.title]
    assert titles(thread_list(user=member, kind="idea", sort="top")) == [planned.title, idea.title]


def test_rows_carry_what_the_list_shows(member, other_member, space):
    thread = ask(member, space, title="How do I reset my wallet password?", tags=("wallet", "password"))
    reply = answer(other_member, thread)
    answer_accept(thread=thread, answer=reply, actor=member)
    vote_cast(voter=other_member, post=thread.posts.get(kind="opening"), value=1)

    (row,) = thread_list(user=member).items

    assert row.url == f"/t/{thread.pk}/{thread.slug}/"
    assert (row.kind, str(row.kind_label)) == ("question", "Question")
    assert (row.space_name, row.space_url) == ("Wallets", "/s/wallets/")
    assert [(t.name, t.url) for t in row.tags] == [("password", "/tags/password/"), ("wallet", "/tags/wallet/")]
    assert (row.author_name, row.author_url) == ("alice", "/u/alice/")
    assert (row.answer_count, row.score, row.is_solved) == (1, 1, True)
    assert row.activity_iso == row.activity_at.isoformat()
    assert row.activity_at.tzinfo is not None
    assert (row.votes_label, row.answers_label, row.views_label) == ("vote", "answer", "0 views")
    assert row.activity_label == "just now"


def test_row_labels_count_in_the_plural_and_replies_for_discussions(member, other_member, space):
    thread = ask(member, space, title="Let us talk about wallet colours", kind="discussion")
    answer(other_member, thread)
    answer(other_member, thread)
    Thread.objects.filter(pk=thread.pk).update(
        score=-3, view_count=1, last_activity_at=timezone.now() - timedelta(hours=5)
    )

    (row,) = thread_list(user=member).items

    assert (row.votes_label, row.answers_label, row.views_label) == ("votes", "replies", "1 view")
    assert row.activity_label == "5 hours ago"


def test_a_space_made_private_leaves_the_lists_at_once_though_visible_spaces_are_cached(member, anonymous, space):
    ask(member, space, title="How do I reset my wallet password?")
    assert len(thread_list(user=anonymous).items) == 1  # fills the cache

    space.visibility = Visibility.MEMBERS
    space.save()

    assert thread_list(user=anonymous).items == []
    assert len(thread_list(user=member).items) == 1


def test_deleted_threads_are_left_out_of_lists_even_for_staff(member, staff, space):
    thread = ask(member, space)
    Thread.objects.filter(pk=thread.pk).update(deleted_at=timezone.now())
    assert thread_list(user=staff).items == []


# --- Private spaces -----------------------------------------------------------------

VISIBLE_TO = {
    "anonymous": {"public"},
    "member": {"public", "members"},
    "other_member": {"public", "members"},
    "staff": {"public", "members", "staff"},
}


@pytest.mark.parametrize("persona", list(VISIBLE_TO))
def test_lists_show_only_the_spaces_a_persona_may_see(request, persona, staff):
    for visibility in Visibility.values:
        ask(staff, SpaceFactory(visibility=visibility), title=f"A thread in a {visibility} space", tags=("shared",))
    user = request.getfixturevalue(persona)
    expected = {f"A thread in a {v} space" for v in VISIBLE_TO[persona]}

    for sort in ("latest", "newest", "unanswered", "unsolved", "top"):
        assert set(titles(thread_list(user=user, sort=sort))) == expected, sort
    assert set(titles(thread_list(user=user, tag="shared"))) == expected
    assert tag_thread_count(user=user, tag="shared") == len(expected)
    assert {t.title for t in similar_threads(user=user, title="thread space shared")} == expected


def test_a_private_spaces_threads_stay_hidden_even_when_the_space_is_asked_for(member, staff):
    staff_space = SpaceFactory(visibility=Visibility.STAFF)
    ask(staff, staff_space)
    assert thread_list(user=member, space=staff_space).items == []


@pytest.mark.parametrize(("persona", "visible"), [("anonymous", False), ("member", False), ("staff", True)])
def test_a_thread_in_a_staff_space_is_not_found_by_those_who_cannot_see_it(request, persona, visible, staff):
    thread = ask(staff, SpaceFactory(visibility=Visibility.STAFF))
    user = request.getfixturevalue(persona)
    if visible:
        assert thread_get_for_user(user=user, thread_id=thread.pk) == thread
    else:
        with pytest.raises(Http404):
            thread_get_for_user(user=user, thread_id=thread.pk)


def test_a_deleted_thread_is_found_by_staff_only(member, staff):
    thread = ask(member)
    Thread.objects.filter(pk=thread.pk).update(deleted_at=timezone.now())
    with pytest.raises(Http404):
        thread_get_for_user(user=member, thread_id=thread.pk)
    assert thread_get_for_user(user=staff, thread_id=thread.pk) == thread


# --- Keyset pagination ----------------------------------------------------------------


def walk(user, *, sort, limit, **filters) -> tuple[list[list[int]], list[list[int]]]:
    """Follow "next" to the end, then "previous" back to the start; the ids of each page both ways."""
    forward, page = [], thread_list(user=user, sort=sort, limit=limit, **filters)
    forward.append([row.id for row in page.items])
    while page.next_cursor:
        page = thread_list(user=user, sort=sort, limit=limit, after=page.next_cursor, **filters)
        forward.append([row.id for row in page.items])
    backward = [forward[-1]]
    while page.previous_cursor:
        page = thread_list(user=user, sort=sort, limit=limit, before=page.previous_cursor, **filters)
        backward.append([row.id for row in page.items])
    return forward, backward


@pytest.mark.parametrize("sort", ["latest", "newest", "top", "unanswered", "unsolved"])
def test_pages_cover_every_thread_once_in_order_both_ways_even_with_ties(member, space, sort):
    threads = [ask(member, space, title=f"Question number {n} about wallets") for n in range(23)]
    moment = timezone.now() - timedelta(hours=1)
    for n, thread in enumerate(threads):
        # Runs of equal timestamps and scores, so the id must break the ties.
        set_times(
            thread, created=moment - timedelta(minutes=n // 4), activity=moment - timedelta(minutes=n // 3), score=n % 3
        )
    expected = [row.id for row in thread_list(user=member, sort=sort, limit=100).items]
    assert len(expected) == 23

    forward, backward = walk(member, sort=sort, limit=5)

    assert [len(p) for p in forward] == [5, 5, 5, 5, 3]
    assert [thread_id for p in forward for thread_id in p] == expected
    assert backward == forward[::-1]


def test_the_first_page_has_no_previous_link_and_the_last_no_next(member, space):
    for n in range(3):
        ask(member, space, title=f"Question number {n} about wallets")
    first = thread_list(user=member, limit=2)
    last = thread_list(user=member, limit=2, after=first.next_cursor)
    assert first.previous_cursor is None
    assert first.next_cursor is not None
    assert last.next_cursor is None
    assert last.previous_cursor is not None


@pytest.mark.parametrize("cursor", ["", "garbage", "e30", "WzEsMl0", encode_cursor(5, 1) + "x" * 300])
def test_a_cursor_that_does_not_decode_means_the_first_page(member, space, cursor):
    ask(member, space)
    assert titles(thread_list(user=member, after=cursor)) == titles(thread_list(user=member))


def test_cursors_round_trip_times_with_their_zone_and_refuse_the_wrong_type():
    moment = timezone.now()
    assert decode_cursor(encode_cursor(moment, 7), type(moment)) == (moment, 7)
    assert decode_cursor(encode_cursor(3, 7), int) == (3, 7)
    assert decode_cursor(encode_cursor(3, 7), type(moment)) is None
    assert decode_cursor(encode_cursor(moment.replace(tzinfo=None), 7), type(moment)) is None


def test_a_list_page_reads_threads_and_tags_in_two_queries(member, space, django_assert_num_queries):
    for n in range(5):
        ask(member, space, title=f"Question number {n} about wallets", tags=(f"tag-{n}", "shared"))
    thread_list(user=member)  # caches the visible spaces
    with django_assert_num_queries(2):
        rows = thread_list(user=member).items
    assert all(len(row.tags) == 2 for row in rows)


# --- Similar titles -------------------------------------------------------------------


def test_significant_words_drop_stopwords_and_keep_the_longest_six():
    assert significant_words("How do I reset my wallet password?") == ["password", "wallet", "reset"]
    assert significant_words("how do I do it") == []
    assert len(significant_words("alpha bravo charlie delta echoes foxtrot golfing hotel")) == 6


def test_similar_threads_rank_by_shared_words_then_score_and_stop_at_the_limit(member, space):
    both = ask(member, space, title="Reset the wallet password after an update")
    one = ask(member, space, title="Wallet colours are wrong in dark mode")
    three = ask(member, space, title="Password reset for my wallet does not arrive")
    for n in range(6):
        ask(member, space, title=f"Wallet password reset attempt number {n}")
    set_times(three, score=10)

    found = similar_threads(user=member, title="How do I reset my wallet password?")

    assert len(found) == 5
    assert found[0].id == three.id  # all three words, best score
    assert one.id not in [t.id for t in found]  # one shared word out of three is not similar
    assert both.id in [t.id for t in similar_threads(user=member, title="reset wallet password", limit=20)]
    assert similar_threads(user=member, title="how do I") == []


def test_similar_threads_take_one_query(member, space, django_assert_num_queries):
    ask(member, space)
    with django_assert_num_queries(1):
        similar_threads(user=member, title="How do I reset my wallet password?")


# --- The thread page ----------------------------------------------------------------------


def test_answers_read_accepted_first_then_by_score_then_oldest_first(member, other_member, staff):
    thread = ask(member)
    first, second, third, fourth = (
        answer(UserFactory(), thread, body=f"Answer number {n} with details") for n in range(4)
    )
    vote_cast(voter=other_member, post=third, value=1)
    vote_cast(voter=staff, post=third, value=1)
    vote_cast(voter=other_member, post=second, value=1)
    answer_accept(thread=thread, answer=fourth, actor=member)
    thread.refresh_from_db()

    page = thread_page(user=member, thread=thread_get_for_user(user=member, thread_id=thread.pk))

    assert [item.post.pk for item in page.answers] == [fourth.pk, third.pk, second.pk, first.pk]
    assert page.answers[0].is_accepted
    assert [item.can_accept for item in page.answers] == [True] * 4


def test_discussion_replies_read_in_time_order(member, other_member):
    thread = ask(member, kind="discussion", title="What do you use to back up your wallet?")
    first = answer(other_member, thread, body="Paper in a drawer, honestly works.")
    second = answer(UserFactory(), thread, body="A steel plate in a safe deposit box.")
    vote_cast(voter=member, post=second, value=1)

    page = thread_page(user=member, thread=thread)

    assert [item.post.pk for item in page.answers] == [first.pk, second.pk]
    assert not page.answers[0].offers_accept


def test_the_page_shows_the_readers_own_votes_and_what_they_may_do(member, other_member):
    thread = ask(member)
    reply = answer(other_member, thread)
    vote_cast(voter=member, post=reply, value=-1)
    comment_create(author=other_member, post=reply, body="Thanks, that was the missing step.")

    mine = thread_page(user=member, thread=thread)
    theirs = thread_page(user=other_member, thread=thread)

    assert (mine.answers[0].my_vote, mine.answers[0].up_value, mine.answers[0].down_value) == (-1, 1, 0)
    assert mine.answers[0].can_vote
    assert not mine.opening.can_vote
    assert mine.opening.can_edit
    assert not mine.answers[0].can_edit
    assert theirs.answers[0].can_edit
    assert not theirs.answers[0].can_accept
    assert [c.author_name for c in mine.answers[0].comments] == ["bob"]
    assert mine.answers[0].vote_url == f"/p/{reply.pk}/vote/"


def test_answers_continue_on_the_next_page_in_the_same_order_under_the_opening_post(member, monkeypatch):
    monkeypatch.setattr("community.selectors.threads.ANSWERS_PER_PAGE", 2)
    thread = ask(member, kind="discussion", title="What do you use to back up your wallet?")
    replies = [answer(UserFactory(), thread, body=f"Reply number {n} with some details") for n in range(5)]
    comment_create(author=member, post=replies[3], body="Thanks, that was the missing step.")
    thread.refresh_from_db()

    pages = [thread_page(user=member, thread=thread, answers_page=n) for n in (1, 2, 3)]

    assert [[item.post.pk for item in page.answers] for page in pages] == [
        [replies[0].pk, replies[1].pk],
        [replies[2].pk, replies[3].pk],
        [replies[4].pk],
    ]
    assert {page.opening.post.pk for page in pages} == {thread.posts.get(kind="opening").pk}
    assert [page.has_more_answers for page in pages] == [True, True, False]
    assert [[len(item.comments) for item in page.answers] for page in pages] == [[0, 0], [0, 1], [0]]


def test_deleted_answers_are_shown_to_staff_only(member, other_member, staff):
    thread = ask(member)
    reply = answer(other_member, thread)
    type(reply).objects.filter(pk=reply.pk).update(deleted_at=timezone.now())

    assert thread_page(user=member, thread=thread).answers == []
    assert [item.is_deleted for item in thread_page(user=staff, thread=thread).answers] == [True]


def test_related_threads_on_a_members_cached_page_drop_a_thread_deleted_since_at_once(client, member, staff):
    thread = ask(member, title="How do I reset my wallet password?", tags=("wallet", "password"))
    deleted = ask(member, title="Wallet colours in dark mode look wrong", tags=("wallet",))
    kept = ask(member, title="Wallet backups on a second phone", tags=("wallet",))
    client.force_login(member)
    url = f"/t/{thread.pk}/{thread.slug}/"
    assert deleted.title in client.get(url).content.decode()

    thread_delete(thread=deleted, actor=staff)

    page = client.get(url).content.decode()
    assert deleted.title not in page
    assert kept.title in page


def test_related_threads_share_tags_and_never_leak_private_spaces(member, staff):
    thread = ask(member, title="How do I reset my wallet password?", tags=("wallet", "password"))
    two_tags = ask(member, title="Wallet password rules for new accounts", tags=("wallet", "password"))
    one_tag = ask(member, title="Wallet colours in dark mode look wrong", tags=("wallet",))
    ask(member, title="Billing question with no shared tag at all", tags=("billing",))
    ask(staff, SpaceFactory(visibility=Visibility.STAFF), title="Staff wallet notes", tags=("wallet",))

    related = thread_page(user=member, thread=thread).related

    assert [r.id for r in related] == [two_tags.id, one_tag.id]


def test_cached_related_threads_still_drop_a_thread_deleted_or_made_private_since(member, staff):
    thread = ask(member, title="How do I reset my wallet password?", tags=("wallet", "password"))
    private_space = SpaceFactory()
    moved = ask(member, private_space, title="Wallet password rules for new accounts", tags=("wallet", "password"))
    deleted = ask(member, title="Wallet colours in dark mode look wrong", tags=("wallet",))
    kept = ask(member, title="Wallet backups on a second phone", tags=("wallet",))
    assert {r.id for r in thread_page(user=member, thread=thread).related} == {moved.id, deleted.id, kept.id}

    private_space.visibility = Visibility.STAFF
    private_space.save()
    Thread.objects.filter(pk=deleted.pk).update(deleted_at=timezone.now())

    assert [r.id for r in thread_page(user=member, thread=thread).related] == [kept.id]
    assert {r.id for r in thread_page(user=staff, thread=thread).related} == {moved.id, kept.id}


def test_related_threads_follow_a_change_of_tags(member):
    thread = ask(member, title="How do I reset my wallet password?", tags=("wallet",))
    wallet = ask(member, title="Wallet backups on a second phone", tags=("wallet",))
    billing = ask(member, title="Billing questions about invoices", tags=("billing",))
    assert [r.id for r in thread_page(user=member, thread=thread).related] == [wallet.id]

    post_edit(
        post=thread.posts.get(kind="opening"),
        editor=member,
        body=thread.posts.get(kind="opening").body,
        tags=["billing"],
    )
    thread.refresh_from_db()

    assert [r.id for r in thread_page(user=member, thread=thread).related] == [billing.id]


def test_a_duplicate_points_at_its_canonical_thread_unless_the_reader_cannot_see_it(member, staff):
    canonical = ask(member, title="How do I reset my wallet password?")
    duplicate = ask(member, title="Wallet password reset is greyed out")
    thread_close_as_duplicate(thread=duplicate, canonical=canonical, actor=staff)
    duplicate = thread_get_for_user(user=member, thread_id=duplicate.pk)

    page = thread_page(user=member, thread=duplicate)

    assert (page.duplicate_of_title, page.duplicate_of_url) == (canonical.title, f"/t/{canonical.pk}/{canonical.slug}/")
    Thread.objects.filter(pk=canonical.pk).update(deleted_at=timezone.now())
    duplicate = thread_get_for_user(user=member, thread_id=duplicate.pk)
    assert thread_page(user=member, thread=duplicate).duplicate_of_url is None


# --- History ------------------------------------------------------------------------------------


def test_body_diff_marks_added_and_removed_lines_with_context():
    lines = body_diff("one\ntwo\nthree", "one\n2\nthree")
    assert [(line.kind, line.text) for line in lines] == [
        ("context", "one"),
        ("removed", "two"),
        ("added", "2"),
        ("context", "three"),
    ]


def test_history_lists_revisions_newest_first_with_title_changes(member, other_member):
    thread = ask(member, title="How do I reset my wallet password?")
    opening = thread.posts.get(kind="opening")
    post_edit(
        post=opening,
        editor=member,
        body=opening.body + "\n\nI am on version 4.1.",
        title="Resetting a wallet password on 4.1",
        reason="version",
    )

    history = post_history(user=member, post=opening)

    assert [r.number for r in history.revisions] == [2, 1]
    newest = history.revisions[0]
    assert (newest.old_title, newest.title, newest.reason) == (
        thread.title,
        "Resetting a wallet password on 4.1",
        "version",
    )
    assert ("added", "I am on version 4.1.") in [(line.kind, line.text) for line in newest.body_diff]
    assert newest.is_current
    assert history.revisions[1].is_original
    assert history.can_rollback
    assert not post_history(user=other_member, post=opening).can_rollback


def test_a_renamed_tag_lists_its_threads_under_the_new_name_only_though_tag_ids_are_cached(member, space):
    from taggit.models import Tag

    ask(member, space, title="How do I reset my wallet password?", tags=("wallet",))
    assert len(thread_list(user=member, tag="wallet").items) == 1
    assert tag_thread_count(user=member, tag="wallet") == 1

    tag = Tag.objects.get(name="wallet")
    tag.name = "wallets"
    tag.save()

    assert thread_list(user=member, tag="wallet").items == []
    assert tag_thread_count(user=member, tag="wallet") == 0
    assert len(thread_list(user=member, tag="wallets").items) == 1


def test_linked_threads_show_both_ways_apart_from_related_and_never_leak(member, staff):
    from community.models import ThreadLink

    thread = ask(member, title="How do I reset my wallet password?", tags=("wallet",))
    points_here = ask(member, title="Password resets keep failing on Android", tags=("wallet",))
    pointed_at = ask(member, title="A guide to recovery phrases", tags=("billing",))
    hidden = ask(staff, SpaceFactory(visibility=Visibility.STAFF), title="Staff notes on resets", tags=("ops",))
    now = timezone.now()
    ThreadLink.objects.create(from_thread=points_here, to_thread=thread, created_at=now)
    ThreadLink.objects.create(from_thread=thread, to_thread=pointed_at, created_at=now)
    ThreadLink.objects.create(from_thread=thread, to_thread=hidden, created_at=now)

    page = thread_page(user=member, thread=thread)

    assert {t.id for t in page.linked} == {points_here.id, pointed_at.id}
    assert points_here.id not in {t.id for t in page.related}  # shown once, as linked
    assert {t.id for t in thread_page(user=staff, thread=thread).linked} == {points_here.id, pointed_at.id, hidden.id}


def test_loaded_unwraps_a_lazy_user_once_and_leaves_others_as_they_are(member):
    from django.contrib.auth.models import AnonymousUser
    from django.utils.functional import SimpleLazyObject

    from community.permissions import loaded

    calls = []

    def load():
        calls.append(1)
        return member

    lazy = SimpleLazyObject(load)
    assert loaded(lazy) is member
    assert loaded(lazy) is member
    assert calls == [1]  # loaded once, by the first call
    assert loaded(member) is member
    anonymous = AnonymousUser()
    assert loaded(SimpleLazyObject(lambda: anonymous)) is anonymous
