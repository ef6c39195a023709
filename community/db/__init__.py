"""Database helpers shared by bulk writers (the importers, the search index); nothing import-specific."""
