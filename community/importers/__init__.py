"""Importers that bring another community's content into Rapport as imported rows (source + source_id)."""
