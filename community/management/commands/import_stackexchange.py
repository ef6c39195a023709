"""manage.py import_stackexchange DIR [--space SLUG]: import one Stack Exchange site's dump."""

from __future__ import annotations

import argparse
import json

from django.core.management.base import BaseCommand, CommandError

from community.importers.progress import Progress
from community.importers.stackexchange import StackExchangeImporter
from community.importers.stackexchange.importer import DEFAULT_BATCH_SIZE
from community.importers.xmlrows import DumpError, DumpFileError


class Command(BaseCommand):
    help = """Import a Stack Exchange data dump (the unpacked directory of one site: Posts.xml, Users.xml,
Comments.xml, Votes.xml, Tags.xml, Badges.xml, PostLinks.xml and PostHistory.xml when present) into a space,
created if missing. Users become imported members without password or email; questions become question
threads, answers answers, with tags, comments, accepted answers, duplicates, linked threads, revisions and
the members' badges. The search documents of the site's threads are written at the end of every run.

Votes: every up and down vote on an imported post is stored with its value and date; public dumps do not
say who voted, so these votes have no voter. Each post keeps its Stack Exchange score (the sum of its votes).

Safe to rerun: rows are keyed on their Stack Exchange ids, each batch commits on its own, and a rerun
after an interruption or an error resumes where the last committed batch ended. A second run adds nothing.

Prints a progress bar on stderr and one line of JSON on stdout saying what this run added:
{"questions": N, "answers": N, "comments": N, "votes": N, "members": N, "tags": N, "revisions": N,
"badges": N, "links": N, "skipped": {...}} (badges: awards; links: linked threads)."""

    def create_parser(self, prog_name: str, subcommand: str, **kwargs) -> argparse.ArgumentParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.formatter_class = argparse.RawDescriptionHelpFormatter
        return parser

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("directory", help="The unpacked dump of one site, e.g. cardano.stackexchange.com/.")
        parser.add_argument(
            "--space", dest="space", help="Slug of the space to import into (default: derived from the site name)."
        )
        parser.add_argument(
            "--site",
            help="The site's name, which keys the imported rows (default: the directory's name). "
            "Use the same one on every run of the same site.",
        )
        parser.add_argument(
            "--batch-size", type=int, default=DEFAULT_BATCH_SIZE, help="Rows per transaction (default %(default)s)."
        )

    def handle(self, *args, **options) -> None:
        # The bar is not an error: keep Django's red error style off it.
        self.stderr.style_func = None
        progress = Progress(lambda text: self.stderr.write(text, ending=""), interactive=self.stderr.isatty())
        importer = StackExchangeImporter(
            options["directory"],
            site=options["site"],
            space_slug=options["space"],
            batch_size=options["batch_size"],
            progress=progress,
        )
        try:
            summary = importer.run()
        except DumpFileError as exc:
            raise CommandError(
                f"{exc}\nBatches before this row are committed and consistent; fix the file and rerun to resume."
            ) from exc
        except DumpError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(summary.as_dict()))
