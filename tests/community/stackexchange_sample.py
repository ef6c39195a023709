"""A few real threads of the cardano.stackexchange.com dump, written as a small dump of their own.

Importing the whole site takes seconds; tests about what one imported thread
looks like, or how it is edited, import just the questions they name, with
their answers and the members who wrote them, rows copied verbatim.
"""

from __future__ import annotations

import functools
from pathlib import Path

from community.models import Post, Thread
from tests.community.test_import_stackexchange import CARDANO, dump_dir, run_import, write_dump, xml_rows

SOURCE = f"stackexchange:{CARDANO}"


@functools.cache
def _rows(name: str) -> tuple[dict[str, str], ...]:
    return tuple(xml_rows(dump_dir(CARDANO) / f"{name}.xml"))


def import_cardano_questions(directory: Path, *question_ids: int, comments: bool = False) -> dict[int, Thread]:
    """Import the questions with these ids and their answers (and their comments); their threads by question id."""
    wanted = {str(n) for n in question_ids}
    posts = [row for row in _rows("Posts") if row["Id"] in wanted or row.get("ParentId") in wanted]
    post_ids = {row["Id"] for row in posts}
    remarks = [row for row in _rows("Comments") if row["PostId"] in post_ids] if comments else []
    people = {row[key] for row in posts for key in ("OwnerUserId", "LastEditorUserId") if row.get(key)}
    people |= {row["UserId"] for row in remarks if row.get("UserId")}
    users = [row for row in _rows("Users") if row["Id"] in people]
    run_import(write_dump(directory / CARDANO, Posts=posts, Users=users, **({"Comments": remarks} if comments else {})))
    threads = Thread.objects.filter(source=SOURCE, source_id__in=question_ids)
    return {thread.source_id: thread for thread in threads}


def imported_post(source_id: int) -> Post:
    return Post.objects.select_related("thread", "author__profile").get(source=SOURCE, source_id=source_id)


def original_row(source_id: int) -> dict[str, str]:
    return next(row for row in _rows("Posts") if row["Id"] == str(source_id))


def original_user(user_id: str) -> dict[str, str]:
    return next(row for row in _rows("Users") if row["Id"] == user_id)
