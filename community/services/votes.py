"""Up/down votes on posts, and accepting answers."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from community import caching, permissions
from community.models import Post, PostKind, Thread, ThreadKind, Vote
from community.outbox import publish, schedule
from community.signals import answer_accepted
from community.signals import vote_cast as vote_cast_signal


def _reindex_after_commit(thread_id: int) -> None:
    """Rebuild the thread's search document in the background once this transaction commits.

    A document holds the top answers in reading order (accepted first, then by
    score), so accepting and some votes change it. Unlike an edit they change
    no words a member typed, so a search may trail them by a moment.
    """
    schedule("community.search_index_thread", thread_id=thread_id)


def _answer_order_can_change(*, answer: Post, old_score: int, new_score: int) -> bool:
    """Whether moving this answer's score from old to new can move it past another answer of its thread.

    Two small indexed reads, for votes on answers only. Most votes (on a
    thread's only answer, or passing no other answer's score) leave the index alone.
    """
    accepted_id = Thread.objects.filter(pk=answer.thread_id).values_list("accepted_answer_id", flat=True).first()
    if accepted_id == answer.pk:
        return False  # the accepted answer comes first whatever its score
    low, high = sorted((old_score, new_score))
    others = Post.objects.filter(
        thread_id=answer.thread_id, kind=PostKind.ANSWER, deleted_at__isnull=True, score__gte=low, score__lte=high
    ).exclude(pk=answer.pk)
    if accepted_id is not None:
        others = others.exclude(pk=accepted_id)
    return others.exists()


@transaction.atomic
def vote_cast(*, voter: User, post: Post, value: int) -> Vote | None:
    """Set the member's vote on a post to +1, -1, or 0 (retract). Returns the vote, or None when retracted.

    The post row is locked so concurrent votes from one member cannot double-count.
    """
    if value not in (1, -1, 0):
        raise ValidationError(_("A vote is up or down."))
    if post.author_id == voter.pk:
        raise PermissionDenied(_("You cannot vote on your own post."))
    if not permissions.can_vote(voter, post):
        raise PermissionDenied(_("You cannot vote on this post."))
    if value == -1 and post.kind == PostKind.OPENING and post.thread.kind == ThreadKind.IDEA:
        raise ValidationError(_("Ideas take votes for them, not against; leave it unvoted instead."))
    locked = Post.objects.select_for_update().filter(pk=post.pk).first()
    existing = Vote.objects.filter(post=post, voter=voter).first()
    old = existing.value if existing else 0
    if value == old:
        return existing
    if value == 0:
        existing.delete()
        vote = None
    elif existing:
        existing.value = value
        existing.save(update_fields=["value"])
        vote = existing
    else:
        vote = Vote.objects.create(post=post, voter=voter, value=value, created_at=timezone.now())
    delta = value - old
    Post.objects.filter(pk=post.pk).update(score=F("score") + delta)
    if post.kind == PostKind.OPENING:
        Thread.objects.filter(pk=post.thread_id).update(score=F("score") + delta)
    elif _answer_order_can_change(answer=post, old_score=locked.score, new_score=locked.score + delta):
        _reindex_after_commit(post.thread_id)
    caching.content_changed(post.thread_id)
    publish(
        vote_cast_signal,
        sender=Vote,
        post_id=post.pk,
        thread_id=post.thread_id,
        voter_id=voter.pk,
        post_author_id=post.author_id,
        value=value,
        previous=old,
    )
    post.score += delta
    return vote


@transaction.atomic
def answer_accept(*, thread: Thread, answer: Post | None, actor: User) -> bool:
    """Accept `answer` (or un-accept with None). The asker, or staff on their behalf.

    Returns False when nothing changed.
    """
    if not permissions.can_accept(actor, thread, answer):
        if answer is not None and answer.thread_id != thread.pk:
            raise ValidationError(_("That answer belongs to another question."))
        raise PermissionDenied(_("Only the person who asked can accept an answer."))
    locked = Thread.objects.select_for_update().get(pk=thread.pk)
    new_id = answer.pk if answer else None
    if locked.accepted_answer_id == new_id:
        return False
    Thread.objects.filter(pk=thread.pk).update(accepted_answer_id=new_id)
    thread.accepted_answer_id = new_id
    caching.content_changed(thread.pk)
    _reindex_after_commit(thread.pk)
    if answer is not None:
        publish(
            answer_accepted,
            sender=Thread,
            thread_id=thread.pk,
            answer_id=answer.pk,
            answer_author_id=answer.author_id,
            actor_id=actor.pk,
        )
    return True
