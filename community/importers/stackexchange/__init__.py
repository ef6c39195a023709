"""Import a Stack Exchange data dump (one site's unpacked directory of XML files) into a space.

Used by `manage.py import_stackexchange DIR [--space SLUG]`.

What becomes what
-----------------
- Users.xml: every user becomes an imported member (source
  "stackexchange:<site>", source_id = the user's id) with an unusable
  password and no email, so nobody can sign in as them until the account is
  claimed; the username is the slug of the display name, or "<slug>-<id>"
  when that is taken. The profile keeps display name, location, website and
  the "about me" as plain text.
- Posts.xml: questions (PostTypeId 1) become question threads with their
  opening post, answers (2) become answers; tag wikis, excerpts and other
  types are skipped and counted. body_html is the sanitised HTML of the dump.
- PostHistory.xml, when present: each body edit (initial, edit, rollback)
  becomes a revision numbered from 1 in time order, with its author, date,
  edit comment as the reason, and (for questions) the title and tags as they
  stood after that edit. The post's source becomes the latest revision's
  Markdown. Without PostHistory the source is the
  sanitised HTML (body_format "html") and revision 1 is that text.
- Tags.xml and question tags ("<a><b>" or "|a|b|"): lower case, hyphens,
  "c++"/"c#"/".net" spelt "cplusplus"/"csharp"/"dotnet"; created in bulk.
- Comments.xml: comments on the imported posts; their text is escaped, then
  sanitised.
- PostLinks.xml: duplicate links (LinkTypeId 3) close the question as a
  duplicate of the other; "related" links are counted, not kept.
- Badges.xml: Rapport has no badges yet; they are counted, not kept.

Votes
-----
A Vote row means "this member voted on this post", and the database holds
each member to one vote per post. Public dumps do not say who cast an up or
down vote, so there is no honest member to put on those rows: one shared
"anonymous voter" would break the one-vote-per-member rule on the first post
with two votes, and one invented member per vote would add thousands of
people who never existed to the member list, the reports and the moderation
tools. So each post keeps the score it had on Stack Exchange (which is
exactly its up votes minus its down votes in the dump), anonymous votes are
counted in the summary under "votes_anonymous" and not stored, and only
votes whose voter the dump names (UserId present, as in some non-public
exports) become Vote rows. Votes on deleted posts, acceptances (the accepted
answer is kept on the thread) and the other vote types are skipped and
counted. recompute_counters leaves imported posts' scores alone for this
reason.

Idempotence, resuming and transactions
--------------------------------------
Files are read in a fixed order (Tags, Users, Posts, PostHistory, Comments,
Votes, PostLinks, Badges) and written in batches, each batch in its own
transaction together with everything that depends on it: a thread with its
opening post and tags, an answer with its thread's accepted-answer link, and
the counters of every thread the batch touched. So each commit leaves the
database consistent, an error or an interruption rolls back only the
current batch, and rerunning the same command resumes: every imported row
is keyed on (source, source_id) under a unique constraint, rows already
there are skipped (the maps of ids are loaded from the database at the
start), and revisions are keyed on (post, number) with numbers that are the
same on every run. No separate state is kept, so there is nothing to get out
of step. A second run over the same dump adds nothing and reports zeros.
One exception to "consistent at every commit": between the Posts and
PostHistory stages of a dump that has history, its posts have no revision
yet; the stage that follows, or the rerun, adds them.

Streaming
---------
Files are read row by row (community.importers.xmlrows) and rows are cleared
once read; only dicts of ints (Stack Exchange id -> our id) and the tag
names stay in memory, so memory does not grow with the size of the posts.
"""

from __future__ import annotations

from community.importers.stackexchange.importer import ImportSummary, StackExchangeImporter

__all__ = ["ImportSummary", "StackExchangeImporter"]
