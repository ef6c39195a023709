"""Trend mining in plain Python: tokenising, scoring, burst detection.

Functions here take and return plain values (strings, numbers, lists and
dicts), never models or querysets, and import nothing from Django's ORM, so
they are unit-tested without a database and run the same in a task, a
command or a notebook. The tasks and services of `insights` read the posts,
call this package, and store what it returns.
"""

from __future__ import annotations
