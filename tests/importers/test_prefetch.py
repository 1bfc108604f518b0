"""Reading a source ahead in a thread: same items in the same order, errors where they happened."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from directory.clock import today_amsterdam
from directory.search.compounds import forms
from directory.search.schedule import _opening_schedule, schedule
from importers.osm import _warming
from importers.prefetch import prefetch
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


def test_the_osm_reader_thread_computes_schedules_and_word_forms_ahead() -> None:
    """What a new place's document needs is cached while reading, so writing finds it there."""
    record = PlaceRecord(
        source="osm",
        source_id="n1",
        name="Buurtkeukenwerkplaats",
        lat=52.37,
        lon=4.89,
        category="community_centre",
        location={"opening_hours": "Mo-We 10:00-13:30; Th 19:00-21:15", "street": "Dam"},
    )
    _opening_schedule.cache_clear()
    forms.cache_clear()
    assert list(_warming(iter([record]))) == [record]
    assert _opening_schedule.cache_info().currsize == 1
    assert forms.cache_info().currsize > 0
    hits = _opening_schedule.cache_info().hits
    schedule("Mo-We 10:00-13:30; Th 19:00-21:15", None, today_amsterdam())
    assert _opening_schedule.cache_info().hits == hits + 1
