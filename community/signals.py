"""What community tells the apps built on it (moderation, rewards, insights), which it never imports.

The services record each event with `community.outbox.publish(signal, ...)`
inside their transaction. Work that must follow an event registers an outbox
handler for its signal (`@outbox.handler(post_published, name="rewards.award")`):
it runs in a worker, at least once, after commit, with the event's arguments,
and a rolled-back write records nothing. The signal is also sent after commit,
for in-process listeners whose reaction may be lost without harm; never use a
plain receiver for work that matters. Arguments are ids and plain values only
(they are stored as JSON). The sender is the model class the ids name (Post,
Comment, Vote, Thread, IdeaStatusChange).
"""

from __future__ import annotations

from django.dispatch import Signal

# A new post was written: an opening post, an answer or a reply.
# post_id, thread_id, author_id: int; kind: str (PostKind: "opening", "answer"...).
post_published = Signal()

# A post's text (and, for an opening post, the thread's title or tags) was edited, keeping a revision.
# post_id, thread_id, editor_id, revision_number: int.
post_edited = Signal()

# A post stopped being shown to members: deleted by its author or hidden by a moderator.
# post_id, thread_id: int; actor_id: int (who did it).
post_hidden = Signal()

# A moderator deleted, restored or moved a thread, changing who may see it and its posts.
# thread_id, actor_id: int; change: str ("deleted", "restored" or "moved").
thread_visibility_changed = Signal()

# A comment was written. comment_id, post_id, thread_id, author_id: int.
comment_published = Signal()

# A comment stopped being shown to members: deleted by its author or by a moderator.
# comment_id, post_id, thread_id: int; actor_id: int (who did it).
comment_hidden = Signal()

# A member's vote on a post changed. post_id, thread_id, voter_id, post_author_id: int;
# value, previous: int, each 1 (up), -1 (down) or 0 (none: retracted, or not voted before).
vote_cast = Signal()

# An answer was accepted. thread_id, answer_id, answer_author_id: int; actor_id: int (the asker or staff).
answer_accepted = Signal()

# Staff moved an idea to another status. change_id (the IdeaStatusChange), thread_id: int; status: str.
idea_status_changed = Signal()
