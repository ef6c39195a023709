from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from community.models.threads import Thread


class PostKind(models.TextChoices):
    OPENING = "opening", _("Opening post")
    ANSWER = "answer", _("Answer")  # also replies in discussions


class BodyFormat(models.TextChoices):
    MARKDOWN = "markdown", _("Markdown")
    # Imported posts whose source only had HTML keep it (sanitised) as the source.
    HTML = "html", _("HTML")


class Post(models.Model):
    """The opening post of a thread, or an answer/reply. Body stored as its source and as sanitised HTML."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts", db_index=False)  # thread_order
    kind = models.CharField(max_length=8, choices=PostKind)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="posts", db_index=False
    )  # post_author_idx
    body = models.TextField(_("body"))
    body_format = models.CharField(max_length=8, choices=BodyFormat, default=BodyFormat.MARKDOWN)
    body_html = models.TextField()
    score = models.IntegerField(default=0)
    comment_count = models.PositiveIntegerField(default=0)
    is_official = models.BooleanField(default=False, help_text=_("An official answer from the brand's staff."))
    created_at = models.DateTimeField()
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=100, blank=True)
    source_id = models.BigIntegerField(null=True, blank=True)
    # Imported content is shown under its original licence ("CC BY-SA 4.0", as the dump
    # says per post) and credits its author: by name here when the dump names no member.
    source_license = models.CharField(max_length=20, blank=True)
    source_author = models.CharField(max_length=150, blank=True)

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        indexes = [
            models.Index(fields=["thread", "kind", "-score", "created_at"], name="post_thread_order_idx"),
            models.Index(fields=["author", "-created_at"], name="post_author_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["thread"], condition=models.Q(kind=PostKind.OPENING), name="post_one_opening_per_thread"
            ),
            models.UniqueConstraint(
                fields=["source", "source_id"], condition=~models.Q(source=""), name="post_source_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} in {self.thread_id}"


class Comment(models.Model):
    """A short comment under a question or an answer."""

    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="comments", db_index=False
    )  # comment_post_idx
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="comments")
    body = models.TextField(_("comment"))
    body_html = models.TextField()
    score = models.IntegerField(default=0)
    created_at = models.DateTimeField()
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=100, blank=True)
    source_id = models.BigIntegerField(null=True, blank=True)
    # The name the dump gives an imported comment's author (UserDisplayName): the credit CC BY-SA asks
    # for, where the dump names no member we imported.
    source_author = models.CharField(max_length=150, blank=True)

    class Meta:
        indexes = [models.Index(fields=["post", "created_at"], name="comment_post_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_id"], condition=~models.Q(source=""), name="comment_source_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"Comment #{self.pk} on post {self.post_id}"


class Vote(models.Model):
    """One up (+1) or down (-1) vote on a post: a member's (changing it updates the row), or an imported one.

    Imported votes (source set) may have no voter: public dumps say on which
    post, which way and on which day, not who. They still count for the
    post's author, and the one-vote-per-member rule cannot apply to them.
    """

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="votes"
    )
    value = models.SmallIntegerField()
    created_at = models.DateTimeField()
    source = models.CharField(max_length=100, blank=True)
    source_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "voter"], name="vote_once_per_member"),
            models.CheckConstraint(condition=models.Q(value__in=[1, -1]), name="vote_value_up_or_down"),
            models.CheckConstraint(
                condition=models.Q(voter__isnull=False) | ~models.Q(source=""), name="vote_voter_unless_imported"
            ),
            models.UniqueConstraint(
                fields=["source", "source_id"], condition=~models.Q(source=""), name="vote_source_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.value:+d} on post {self.post_id}"


class Revision(models.Model):
    """Every version of a post, numbered from 1 (the original)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions", db_index=False)  # (post, number)
    number = models.PositiveIntegerField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    title = models.CharField(max_length=300, blank=True)  # the thread title at that time (opening posts)
    tags = models.CharField(max_length=300, blank=True)
    body = models.TextField()
    # An imported post's first revision may be the HTML it was shown as: rolling back to it
    # must show that HTML again, not render it as Markdown.
    body_format = models.CharField(max_length=8, choices=BodyFormat, default=BodyFormat.MARKDOWN)
    reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["post", "number"]
        constraints = [models.UniqueConstraint(fields=["post", "number"], name="revision_number_unique")]

    def __str__(self) -> str:
        return f"Revision {self.number} of post {self.post_id}"
