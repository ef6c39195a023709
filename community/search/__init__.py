"""Full-text search over threads.

One API for two databases:

- PostgreSQL keeps a weighted `tsvector` per thread (title A, tags B, opening
  post and top answers C) in `community_thread.search_document`, with a GIN
  index, and reads queries with `websearch_to_tsquery`, both in the text
  search configuration RAPPORT_SEARCH_LANGUAGE names.
- SQLite (the embedded default) keeps the same three texts in an FTS5 table,
  `community_thread_fts`, whose rowid is the thread's id; its tokenizer stems
  (Porter) for english only.

Neither structure is part of Django's model state: the migration creates the
one that belongs to the database it runs on (see 0004_thread_search), and
Django never selects the search document when it loads a thread.

Modules:
    query      what a member typed, parsed once, written out for each backend
    highlight  <mark>ed titles and snippets, escaped
    documents  the text of a thread that gets indexed, capped
    backends   the SQL each database needs: writing documents, matching
    index      keeping the index current (services call search_index_thread)
    matching   filters, and the candidates similar_threads ranks
    selectors  search_threads: one page of results for the search page
    forms      the search page's form, written out without the form renderer
    render     the markup of a page of results
"""
