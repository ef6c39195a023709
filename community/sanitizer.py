"""Kept for importers: the one allowlist lives in community.rendering."""

from __future__ import annotations

from community.rendering import html_to_text, sanitize_html

__all__ = ["html_to_text", "sanitize_html"]
