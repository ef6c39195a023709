from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager

from community.models.spaces import Space, ThreadKind

# How much of the opening post's text Thread.excerpt keeps.
EXCERPT_LENGTH = 1000


class IdeaStatus(models.TextChoices):
    NEW = "new", _("New")
    UNDER_REVIEW = "under_review", _("Under review")
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DELIVERED = "delivered", _("Delivered")
    DECLINED = "declined", _("Declined")
    ALREADY_EXISTS = "already_exists", _("Already exists")


class Thread(models.Model):
    """A question, discussion, idea or article, with its denormalised counters.

    Counters (answer_count, score, ...) are kept by the services in the same
    transaction as their source rows and can be rebuilt by recompute_counters.

    The full-text search document is deliberately not a field: on PostgreSQL
    it is a `search_document` tsvector column the migration 0004_thread_search
    adds (with its GIN index), on SQLite an FTS5 table. Django never loads it
    with a thread; community/search/ writes and reads it.
    """

    # Indexed by thread_space_activity_idx, which leads with it (as do the other foreign keys marked so).
    space = models.ForeignKey(Space, on_delete=models.PROTECT, related_name="threads", db_index=False)
    kind = models.CharField(max_length=12, choices=ThreadKind, default=ThreadKind.QUESTION)
    title = models.CharField(_("title"), max_length=300)
    slug = models.SlugField(max_length=160, allow_unicode=False, db_index=False)  # URLs find threads by id
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="threads")
    created_at = models.DateTimeField()
    last_activity_at = models.DateTimeField()
    # The answer the asker accepted (questions only).
    accepted_answer = models.OneToOneField(
        "community.Post", on_delete=models.SET_NULL, null=True, blank=True, related_name="accepted_for"
    )
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="duplicates", db_index=False
    )  # thread_duplicate_of_idx: of the few threads that are duplicates
    idea_status = models.CharField(max_length=16, choices=IdeaStatus, blank=True)
    is_featured = models.BooleanField(default=False)
    locked_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    close_reason = models.CharField(max_length=200, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    # Plain text from the start of the opening post, written with it: search
    # snippets and previews read this instead of parsing HTML per request.
    excerpt = models.TextField(blank=True, max_length=EXCERPT_LENGTH)

    # Denormalised counters.
    score = models.IntegerField(default=0)
    answer_count = models.PositiveIntegerField(default=0)
    comment_count = models.PositiveIntegerField(default=0)
    view_count = models.PositiveIntegerField(default=0)
    me_too_count = models.PositiveIntegerField(default=0)
    duplicate_count = models.PositiveIntegerField(default=0)

    # Where an imported thread came from, so a re-import adds nothing.
    source = models.CharField(max_length=100, blank=True)
    source_id = models.BigIntegerField(null=True, blank=True)

    tags = TaggableManager(blank=True)

    class Meta:
        verbose_name = _("thread")
        verbose_name_plural = _("threads")
        indexes = [
            models.Index(fields=["-last_activity_at", "-id"], name="thread_activity_idx"),
            models.Index(fields=["-created_at", "-id"], name="thread_newest_idx"),
            models.Index(fields=["space", "-last_activity_at", "-id"], name="thread_space_activity_idx"),
            models.Index(fields=["kind", "-last_activity_at", "-id"], name="thread_kind_activity_idx"),
            models.Index(fields=["-score", "-id"], name="thread_score_idx"),
            models.Index(
                fields=["duplicate_of"], condition=models.Q(duplicate_of__isnull=False), name="thread_duplicate_of_idx"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_id"], condition=~models.Q(source=""), name="thread_source_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(kind=ThreadKind.IDEA) | models.Q(idea_status=""), name="thread_status_only_ideas"
            ),
            models.CheckConstraint(condition=~models.Q(duplicate_of=models.F("id")), name="thread_not_own_duplicate"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_solved(self) -> bool:
        return self.accepted_answer_id is not None

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None


class MeToo(models.Model):
    """'I have this question too': a demand signal the trend reports read."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="me_toos")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="me_toos")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["thread", "member"], name="metoo_once_per_member")]

    def __str__(self) -> str:
        return f"Me too on thread {self.thread_id}"
