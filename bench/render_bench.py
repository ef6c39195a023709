"""Measure Markdown rendering: typical posts per second, against a trivial function in the same run.

    .venv/bin/python bench/render_bench.py
    .venv/bin/python bench/render_bench.py --posts 5000 --repeat 5

Renders --posts copies (default 1,000) of a typical post (a mention, a tag,
inline code, a bare URL, a link and a fenced code block), each with its own
number so nothing is cached, --repeat times (default 3), and prints the best
and median time per round, posts per second, and the ratio to rendering the
same number of one-word posts, which on a shared machine drifts less than
absolute times. It needs no database: mentions and tags resolve to fixed URLs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402  (the path and settings come first)

django.setup()

from community.rendering import render_markdown  # noqa: E402

TYPICAL_POST = """Thanks @bob, that fixed it on #django {n}.

The trick was `CSRF_TRUSTED_ORIGINS`; see https://docs.djangoproject.com/en/5.2/ref/settings/ and
the [release notes](/docs/releases/).

```python
CSRF_TRUSTED_ORIGINS = ["https://example.com"]
```
"""


def _render_all(posts: list[str]) -> float:
    started = time.perf_counter()
    for post in posts:
        render_markdown(post, mention_url=lambda name: f"/members/{name}/", tag_url=lambda tag: f"/tags/{tag}/")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    typical = [TYPICAL_POST.format(n=n) for n in range(args.posts)]
    trivial = [f"word{n}" for n in range(args.posts)]
    _render_all(typical[:10])  # warm up
    rounds = [(_render_all(typical), _render_all(trivial)) for _ in range(args.repeat)]
    times = [t for t, _ in rounds]
    best, median = min(times), statistics.median(times)
    ratio = statistics.median(t / b for t, b in rounds)
    print(
        f"{args.posts:,} typical posts: best {best:.2f}s, median {median:.2f}s "
        f"({args.posts / median:,.0f} posts/s), {ratio:.1f}x one-word posts"
    )


if __name__ == "__main__":
    main()
