"""The importer's reader process (community/importers/reader.py): same rows and errors as reading in-process."""

from __future__ import annotations

from pathlib import Path

import pytest

from community.importers.reader import ReaderError, ReaderProcess
from community.importers.stackexchange import importer as importer_module
from community.importers.stackexchange.importer import StackExchangeImporter
from community.importers.xmlrows import DumpFileError, Row, iter_rows
from rewards.stackexchange import prepare_award
from tests.community.test_import_stackexchange import USERS, answer, question, write_dump

pytestmark = pytest.mark.django_db  # the importer reads settings; no test here writes


def award(n: int, klass: int = 3) -> dict[str, object]:
    """A Badges.xml row: award n, to member n % 3 + 1."""
    return {
        "Id": n,
        "UserId": n % 3 + 1,
        "Name": f"Badge {n}",
        "Date": f"2021-05-0{n % 9 + 1}T10:00:00.000",
        "Class": klass,
        "TagBased": "False",
    }


def awards(directory: Path, rows: list[dict[str, object]], name: str = "Badges") -> Path:
    """A Badges.xml (or `name`.xml) of these rows in `directory`; its path."""
    write_dump(directory, **{name: rows})
    return directory / f"{name}.xml"


def _record_readers(monkeypatch) -> tuple[list[ReaderProcess], list[str]]:
    """Make the importer's readers record themselves when started and the files they read: (started, read)."""
    started: list[ReaderProcess] = []
    read: list[str] = []

    class RecordedReader(ReaderProcess):
        def __init__(self) -> None:
            super().__init__()
            started.append(self)

        def batches(self, path, prepare, batch_size):
            read.append(path.name)
            return super().batches(path, prepare, batch_size)

    monkeypatch.setattr(importer_module, "ReaderProcess", RecordedReader)
    return started, read


def exploding(row: Row) -> int:
    """A prepare function with a bug (not the dump's fault) on the third row."""
    if row.int("Id") == 3:
        raise KeyError("no such thing")
    return row.int("Id")


@pytest.fixture
def reader():
    process = ReaderProcess()
    yield process
    process.close()
    assert not process._process.is_alive()


def test_the_reader_prepares_the_same_rows_in_the_same_batches_as_reading_here(tmp_path, reader):
    path = awards(tmp_path, [award(n) for n in range(1, 8)])
    here = [prepare_award(row) for row in iter_rows(path)]
    batches = list(reader.batches(path, prepare_award, 3))
    assert [len(batch) for batch, _ in batches] == [3, 3, 1]
    assert [item for batch, _ in batches for item in batch] == here
    assert batches[-1][1] == path.stat().st_size  # bytes read, for the progress bar
    # The same process reads the next file.
    assert [item for batch, _ in reader.batches(path, prepare_award, 100) for item in batch] == here


def test_a_rejected_row_is_reported_with_its_file_and_line_after_the_batches_before_it(tmp_path, reader):
    path = awards(tmp_path, [award(1), award(2), award(3), award(4, klass=7), award(5)])
    received = []

    def read_all():
        for batch, _ in reader.batches(path, prepare_award, 2):
            received.append([source_id for _, source_id, _, _ in batch])

    with pytest.raises(DumpFileError) as caught:
        read_all()
    assert (caught.value.path, caught.value.line) == (path, 6)
    assert "Class=7 is not a badge class" in str(caught.value)
    assert received == [[1, 2]]  # the batch the bad row is in is not handed over, as when reading here


def test_malformed_xml_is_reported_with_its_line(tmp_path, reader):
    path = awards(tmp_path, [award(1)])
    path.write_text(path.read_text().replace("</badges>", '  <row Id="2" Name="unclosed\n</badges>'))
    with pytest.raises(DumpFileError, match=r"line \d+: malformed XML"):
        list(reader.batches(path, prepare_award, 10))


def test_a_bug_in_a_prepare_function_fails_with_its_traceback_and_the_reader_reads_on(tmp_path, reader):
    path = awards(tmp_path, [award(n) for n in range(1, 6)])
    with pytest.raises(ReaderError, match=r"(?s)reading .*Badges.xml failed.*KeyError: 'no such thing'"):
        list(reader.batches(path, exploding, 1))
    assert [item for batch, _ in reader.batches(path, prepare_award, 10) for item in batch][0][1] == 1


def test_a_file_abandoned_half_way_does_not_leak_into_the_next(tmp_path, reader):
    big = awards(tmp_path, [award(n) for n in range(1, 60)], name="Big")
    small = awards(tmp_path, [award(n) for n in range(100, 103)])
    first = reader.batches(big, prepare_award, 2)
    next(first)
    first.close()  # as when the importer's writes fail
    assert [source_id for batch, _ in reader.batches(small, prepare_award, 10) for _, source_id, _, _ in batch] == [
        100,
        101,
        102,
    ]


def test_a_prepare_function_must_be_importable_by_name(tmp_path, reader):
    path = awards(tmp_path, [award(1)])
    with pytest.raises(ValueError, match="module-level"):
        next(reader.batches(path, lambda row: row, 10))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_committed_import_reads_its_big_files_in_reader_processes(monkeypatch, tmp_path):
    """Outside a transaction the import runs readers (one beside the badges' thread) and closes them all."""
    started, read = _record_readers(monkeypatch)
    monkeypatch.setattr(importer_module, "READER_MIN_BYTES", 0)  # these files are tiny
    dump = write_dump(
        tmp_path / "tiny.stackexchange.com",
        Users=USERS,
        Posts=[question(1, AcceptedAnswerId=2), answer(2, 1)],
        Badges=[award(1), award(2)],
    )
    summary = StackExchangeImporter(dump).run()
    assert (summary.questions, summary.answers, summary.members, summary.badges) == (1, 1, 2, 1)
    assert len(started) == 2
    assert not any(reader._process.is_alive() for reader in started)
    assert sorted(read) == ["Badges.xml", "Posts.xml", "Users.xml"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_small_dump_is_read_here_without_starting_a_reader(monkeypatch, tmp_path):
    def refuse() -> None:
        raise AssertionError("no reader process for a small dump")

    monkeypatch.setattr(importer_module, "ReaderProcess", refuse)
    dump = write_dump(tmp_path / "tiny.stackexchange.com", Posts=[question(1)], Badges=[award(1)])
    assert StackExchangeImporter(dump).run().questions == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_big_file_gets_a_reader_when_the_posts_are_small(monkeypatch, tmp_path):
    _, read = _record_readers(monkeypatch)
    members = [
        {"Id": n, "DisplayName": f"Member {n}", "CreationDate": "2021-05-01T10:00:00.000"} for n in range(1, 200)
    ]
    dump = write_dump(tmp_path / "tiny.stackexchange.com", Posts=[], Users=members)
    monkeypatch.setattr(importer_module, "READER_MIN_BYTES", (dump / "Users.xml").stat().st_size)
    assert StackExchangeImporter(dump).run().members == 199
    assert read == ["Users.xml"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_where_no_reader_can_start_the_import_reads_here(monkeypatch, tmp_path, caplog):
    def daemonic() -> None:
        raise AssertionError("daemonic processes are not allowed to have children")

    monkeypatch.setattr(importer_module, "ReaderProcess", daemonic)
    monkeypatch.setattr(importer_module, "READER_MIN_BYTES", 0)
    dump = write_dump(tmp_path / "tiny.stackexchange.com", Posts=[question(1)], Badges=[award(1)])
    with caplog.at_level("WARNING"):
        assert StackExchangeImporter(dump).run().questions == 1
    assert "no reader process (daemonic processes are not allowed to have children)" in caplog.text
