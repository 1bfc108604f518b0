"""Reading a source ahead in a thread or a process: same items in order, errors where they happened."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest

from directory.clock import today_amsterdam
from directory.search.compounds import forms, word_parts
from directory.search.documents import CacheSeeder, clear_seeded_caches, seed_caches
from directory.search.schedule import _opening_schedule, schedule
from importers.prefetch import ProcessPrefetch, ReaderFailed, prefetch
from importers.records import PlaceRecord


def test_items_come_in_order_from_another_thread() -> None:
    """Every item, in order, read by a thread that is not the consumer's."""
    threads: set[str] = set()

    def numbers() -> Iterator[int]:
        for n in range(5000):
            threads.add(threading.current_thread().name)
            yield n

    assert list(prefetch(numbers(), ahead=10)) == list(range(5000))
    assert threads == {"import-reader"}


def test_reading_starts_at_iter_so_the_writer_can_prepare_meanwhile() -> None:
    """Nothing is read when the reader is made; `iter()` starts it, before the first item is asked for."""
    started = threading.Event()

    def numbers() -> Iterator[int]:
        started.set()
        yield from range(3)

    items = prefetch(numbers())
    assert not started.wait(0.05)  # made, not yet iterated: an import's timer has not started
    records = iter(items)
    assert started.wait(5)  # reading while the consumer does its own one-time work
    assert list(records) == [0, 1, 2]


def test_a_reader_closed_before_its_first_item_stops() -> None:
    """An import whose preparation fails closes the reader it started, which then stops."""
    closed = threading.Event()

    def endless() -> Iterator[int]:
        try:
            while True:
                yield 0
        finally:
            closed.set()

    items = prefetch(endless(), ahead=2)
    iter(items)
    items.close()
    assert closed.wait(5)
    assert list(items) == []


def test_an_error_while_reading_is_raised_after_the_items_before_it() -> None:
    """A malformed source fails the import at the item where reading failed, not silently."""

    def broken() -> Iterator[int]:
        yield 1
        yield 2
        raise ValueError("unreadable block")

    got: list[int] = []
    with pytest.raises(ValueError, match="unreadable block"):
        for item in prefetch(broken()):
            got.append(item)
    assert got == [1, 2]


def test_a_consumer_that_stops_early_stops_and_closes_the_reader() -> None:
    """When writing fails, the reader does not run on: its generator is closed (its clean-up runs)."""
    closed = threading.Event()
    produced: list[int] = []

    def endless() -> Iterator[int]:
        n = 0
        try:
            while True:
                produced.append(n)
                yield n
                n += 1
        finally:
            closed.set()

    items = prefetch(endless(), ahead=5)
    with pytest.raises(RuntimeError):
        for item in items:
            if item == 3:
                raise RuntimeError("the database refused a batch")
    items.close()  # as the garbage collector would, at once
    assert closed.wait(5)
    assert len(produced) < 20  # bounded: it never ran far ahead


def _chunked(n: int, size: int = 7) -> Iterator[tuple[list[int], int]]:
    numbers = list(range(n))
    for start in range(0, n, size):
        yield numbers[start : start + size], os.getpid()


def test_a_reader_process_sends_every_item_in_order_with_its_extras() -> None:
    """Items come in order from another process; each chunk's extra reaches `receive` first."""
    pids: list[int] = []
    items = ProcessPrefetch(partial(_chunked, 1000), pids.append)
    assert list(items) == list(range(1000))
    assert len(pids) == 143
    assert set(pids) != {os.getpid()} and len(set(pids)) == 1  # one reader, not this process


def test_an_error_in_the_reader_process_is_raised_here_after_the_items_before_it() -> None:
    """A malformed file fails the import with the reader's own error (type and message)."""

    def broken() -> Iterator[tuple[list[int], None]]:
        yield [1, 2], None
        raise ValueError("unreadable block")

    got: list[int] = []
    with pytest.raises(ValueError, match="unreadable block"):
        for item in ProcessPrefetch(broken, lambda _: None):
            got.append(item)
    assert got == [1, 2]


def test_an_error_that_cannot_travel_still_says_what_it_was() -> None:
    """An exception that cannot be pickled arrives as ReaderFailed with its type and text."""

    class Local(Exception):  # a local class cannot be pickled
        pass

    def broken() -> Iterator[tuple[list[int], None]]:
        raise Local("osmium said no")
        yield [], None

    with pytest.raises(ReaderFailed, match="Local: osmium said no"):
        list(ProcessPrefetch(broken, lambda _: None))


def test_a_reader_process_that_dies_fails_the_import() -> None:
    """A reader killed from outside (out of memory) is an error, not a short import."""

    def dying() -> Iterator[tuple[list[int], None]]:
        yield [1], None
        os.kill(os.getpid(), signal.SIGKILL)
        yield [2], None

    with pytest.raises(ReaderFailed, match="exit code -9"):
        list(ProcessPrefetch(dying, lambda _: None))


def test_a_failing_writer_stops_the_reader_process_and_its_tools(tmp_path: Path) -> None:
    """When writing fails, no reader runs on: the process ends, its clean-up ends its tools."""
    pid_file = tmp_path / "reader.pid"
    tool_file = tmp_path / "tool.pid"

    def endless() -> Iterator[tuple[list[int], None]]:
        pid_file.write_text(str(os.getpid()))
        tool = subprocess.Popen(["sleep", "60"])  # like osmium fileinfo counting the file
        tool_file.write_text(str(tool.pid))
        try:
            while True:
                yield [0] * 100, None
        finally:
            tool.kill()
            tool.wait()

    items = ProcessPrefetch(endless, lambda _: None)
    with pytest.raises(RuntimeError, match="the database refused a batch"):
        for n, _item in enumerate(items):
            if n == 500:
                raise RuntimeError("the database refused a batch")
    items.close()  # as `run_import` does
    reader, tool = int(pid_file.read_text()), int(tool_file.read_text())
    assert not _alive(reader)
    deadline = time.monotonic() + 5
    while _alive(tool) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not _alive(tool)


def test_a_reader_process_closed_before_its_first_item_ends() -> None:
    """An import whose preparation fails closes the reader it forked: nothing is left running."""
    pid_file = Path(f"/tmp/wijkgram-reader-{os.getpid()}.pid")

    def slow() -> Iterator[tuple[list[int], None]]:
        pid_file.write_text(str(os.getpid()))
        time.sleep(60)  # not at a send: closing must still end it
        yield [1], None

    items = ProcessPrefetch(slow, lambda _: None)
    iter(items)
    deadline = time.monotonic() + 5
    while not pid_file.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    reader = int(pid_file.read_text())
    pid_file.unlink()
    start = time.monotonic()
    items.close()
    assert not _alive(reader)
    assert time.monotonic() - start < 8
    assert list(items) == []


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie not yet reaped by its parent counts as ended
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"


def test_the_osm_reader_sends_schedules_and_word_forms_with_the_records(tmp_path: Path) -> None:
    """What new places' documents need is computed by the reader and found by the writer."""
    record = PlaceRecord(
        source="osm",
        source_id="n1",
        name="Buurtkeukenwerkplaats",
        lat=52.37,
        lon=4.89,
        category="community_centre",
        location={"opening_hours": "Mo-We 10:00-13:30; Th 19:00-21:15", "street": "Dam"},
    )
    today = today_amsterdam()
    seeder = CacheSeeder(today)
    seeder.add(record.location["opening_hours"], [record.name, "Dam"])
    seeder.add(record.location["opening_hours"], [record.name])  # each once per import
    seeds = seeder.take()
    assert list(seeds.schedules) == [("Mo-We 10:00-13:30; Th 19:00-21:15", today)]
    assert "buurtkeukenwerkplaats" in seeds.forms
    assert seeder.take().forms == {}
    _opening_schedule.cache_clear()
    forms.cache_clear()
    try:
        seed_caches(seeds)
        schedule("Mo-We 10:00-13:30; Th 19:00-21:15", None, today)
        parts = word_parts([record.name])
        assert _opening_schedule.cache_info().misses == 0  # taken from the seeds
        assert forms.cache_info().misses == 0
        assert parts == list(seeds.forms["buurtkeukenwerkplaats"])
    finally:
        clear_seeded_caches()
    word_parts([record.name])
    assert forms.cache_info().misses == 1  # forgotten after the import
