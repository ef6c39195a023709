"""Explicit signals the services send, so other apps can react without community importing them.

Receivers must only enqueue work (on commit); they never change community data.
"""

from __future__ import annotations

from django.dispatch import Signal

# Sent after a new post (opening post, answer or reply) is written. kwargs: post_id.
post_published = Signal()
# Sent after a comment is written. kwargs: comment_id.
comment_published = Signal()
# Sent after an answer is accepted. kwargs: thread_id, answer_id, actor_id.
answer_accepted = Signal()
# Sent after staff change an idea's status. kwargs: change_id.
idea_status_changed = Signal()
