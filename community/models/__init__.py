from __future__ import annotations

from community.models.posts import Comment, Post, PostKind, Revision, Vote
from community.models.spaces import Space, ThreadKind, Visibility
from community.models.threads import IdeaStatus, MeToo, Thread

__all__ = [
    "Comment",
    "IdeaStatus",
    "MeToo",
    "Post",
    "PostKind",
    "Revision",
    "Space",
    "Thread",
    "ThreadKind",
    "Visibility",
    "Vote",
]
