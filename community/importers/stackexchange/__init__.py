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
  types are skipped and counted. body_html is the sanitised HTML of the dump,
  and a thread's excerpt is the plain text of its opening post's, cut as
  community.rendering.excerpt cuts it. Each post keeps the licence the dump
  states for it (ContentLicense) and the author's name it gives
  (OwnerDisplayName), which the post's attribution shows (community.attribution).
- PostHistory.xml, when present: each body edit (initial, edit, rollback)
  becomes a revision numbered from 1 in time order, with its author, date,
  edit comment as the reason, and (for questions) the title and tags as they
  stood after that edit. The post's source becomes the latest revision's
  Markdown. Without PostHistory the source is the
  sanitised HTML (body_format "html") and revision 1 is that text, also
  marked "html" so that rolling back to it shows that HTML again; editing
  such a post opens it converted to Markdown (community.rendering.html_markdown).
- Tags.xml and question tags ("<a><b>" or "|a|b|"): lower-cased and kept as
  written ("c++", "c#", ".net", "node.js"), by the rules members' tags follow
  (community.services.content); created in bulk. A tag those rules refuse is
  not re-spelt into another: it is left out, counted under "tags_refused"
  (Tags.xml) or "question_tags_refused", and logged.
- Comments.xml: comments on the imported posts; their text is escaped, then
  sanitised. The author's name where the dump has no member for them
  (UserDisplayName) is kept, for the comment's attribution.
- PostLinks.xml: duplicate links (LinkTypeId 3) close the question as a
  duplicate of the other. "Linked" posts (LinkTypeId 1) become a ThreadLink
  from the thread of PostId to the thread of RelatedPostId (either may be an
  answer), once per pair of threads; links to posts not imported, or within
  one thread, are skipped and counted.
- Badges.xml (a side step the rewards app registers, rewards.stackexchange):
  each award to an imported member becomes a BadgeAward (source
  id = the award's id) of the Badge of that name and tier (Class: 1 gold,
  2 silver, 3 bronze; TagBased: a tag badge). Badges are shared by name
  across sites. Badge names are unique, but a tag badge comes in several
  tiers under one name: the first tier met keeps the name, another is named
  "<name> (silver)" and so on.

Votes
-----
Every up and down vote on an imported post becomes a Vote row with its post,
value (+1/-1), date and source id (keyed on (source, source_id), so a rerun
adds none twice), which is what reputation needs. Public dumps do not say
who cast a vote, so these rows have no voter: the database allows a missing
voter on imported votes only, and the one-vote-per-member rule does not
apply to them. Inventing voters would have put thousands of people who never
existed into the member list, the reports and the moderation tools. A voter
the dump does name (UserId, as in some non-public exports) is kept when
imported. Each post keeps the score it had on Stack Exchange, which is
exactly its up votes minus its down votes in the dump; recompute_counters
leaves imported posts' scores alone, as a dump may hold only some votes.
Votes on deleted posts, acceptances (the accepted answer is kept on the
thread) and the other vote types are skipped and counted.

Idempotence, resuming and transactions
--------------------------------------
Files are read in a fixed order (Tags, Users, Posts, PostHistory, Comments,
Votes, PostLinks, Badges) and written in batches, each batch in its own
transaction together with everything that depends on it: a thread with its
opening post and tags, an answer with its thread's accepted-answer link, and
the counters of every thread the batch touched (the batch adds what it wrote
to them, as the services do). So each commit leaves the database consistent,
an error or an interruption rolls back only the current batch, and rerunning
the same command resumes: every imported row is keyed on (source,
source_id) under a unique constraint, rows already there are skipped (the
maps of ids are loaded from the database at the start), and revisions are
keyed on (post, number) with numbers that are the same on every run. No
separate state is kept, so there is nothing to get out of step. A second run
over the same dump adds nothing and reports zeros.
Two exceptions to "consistent at every commit": between the Posts and
PostHistory stages of a dump that has history, its posts have no revision
yet; the stage that follows, or the rerun, adds them. And the search
documents of the site's threads are written once, by the last step of every
run (see below); until then an interrupted import's threads are not found
by search, and the rerun writes their documents.

Speed
-----
Primary keys are taken from the tables' sequences before a batch is written
(community.db.bulk, shared with the search index), so no row is looked up
again after its insert;
rows are streamed with PostgreSQL's COPY (one executemany on SQLite), and
the threads a batch touched are updated with one statement. On PostgreSQL a
reader process parses the big files and prepares their rows (cleaning HTML,
excerpts, slugs: each step's `prepare_*` function, community.importers.reader),
the importer's process maps ids, and a writer thread with its own
connection writes each batch while the next is prepared
(community.importers.writer); the badges, which need only the members, are
read and written by a reader and a thread of their own alongside the
comments, votes and links. Batches commit without waiting for the disk
(synchronous_commit off for that transaction: a crash of the database
server may lose the last few batches, which a rerun writes again). Nothing
else is switched: the foreign key triggers, constraints and planner
settings stay as the database has them, so every role and every server
(a laptop, a managed production database) runs the same code, and a batch
that refers to a missing row fails whole with an error naming the file and
the batch. Then the tables the run at least doubled are analyzed, so the
planner knows their new size and spread, also for the search step. The
search documents are written last: once per thread rather than once per
batch that adds an answer, and after the comments, because on
PostgreSQL each later update of a thread row that has a document would
rewrite the document's entries in the GIN index. On PostgreSQL each chunk of
documents is built and written by one statement, the text search parser
reading the posts' HTML itself, on two connections at once.

The steps (members, posts, history, activity, badges) get the run's
ImportState (site, space, maps of ids, summary; state.py) and something to
read files and hand over writes with, never the importer itself.

Streaming
---------
Files are streamed (community.importers.xmlrows) and handled a batch of rows
at a time; only dicts of ints (Stack Exchange id -> our id), the tag and
badge names stay in memory, so memory does not grow with the size of the
posts.
"""

from __future__ import annotations

from community.importers.stackexchange.importer import StackExchangeImporter
from community.importers.stackexchange.state import ImportSummary

__all__ = ["ImportSummary", "StackExchangeImporter"]
