from __future__ import annotations

from community.models.posts import BodyFormat, Comment, Post, PostKind, Revision, Vote
from community.models.spaces import Space, ThreadKind, Visibility
from community.models.threads import IdeaStatus, MeToo, Thread

__all__ = [
    "BodyFormat",
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
