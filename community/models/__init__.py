from __future__ import annotations

from community.models.attachments import Attachment
from community.models.ideas import IdeaStatusChange
from community.models.links import ThreadLink
from community.models.notifications import Follow, Notification, NotificationKind
from community.models.outbox import Delivery
from community.models.posts import BodyFormat, Comment, Post, PostKind, Revision, Vote
from community.models.spaces import Space, ThreadKind, Visibility
from community.models.tags import TagInfo
from community.models.threads import IdeaStatus, MeToo, Thread

__all__ = [
    "Attachment",
    "BodyFormat",
    "Comment",
    "Delivery",
    "Follow",
    "IdeaStatus",
    "IdeaStatusChange",
    "MeToo",
    "Notification",
    "NotificationKind",
    "Post",
    "PostKind",
    "Revision",
    "Space",
    "TagInfo",
    "Thread",
    "ThreadKind",
    "ThreadLink",
    "Visibility",
    "Vote",
]
