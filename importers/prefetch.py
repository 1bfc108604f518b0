"""Read a source ahead in a thread while the import writes: reading overlaps the database's work.

An import alternates between Python work (reading and classifying the source, building
rows) and waiting for PostgreSQL to take a batch. Python runs one thread at a time, but a
thread waiting for the database lets another run: with the reader in its own thread, the
file is read while the batch before is written, and on a machine with a core for each the
wall time drops by most of the reading time.

The thread starts when the import starts iterating (`iter()`), not at the first item: the
writer can do its own one-time work (loading what it matches against, compiling its
statements) while the first items are being read.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from types import TracebackType
from typing import Generic, TypeVar, cast

T = TypeVar("T")

#: Items the reader may be ahead of the writer (a few batches; bounded, so memory is too).
AHEAD = 1000

_END = object()


class _Failed:
    """The reader's exception, handed to the consumer to raise in its own thread."""

    def __init__(self, error: BaseException) -> None:
        self.error = error


class Prefetch(Generic[T]):
    """The items of a source in order, produced by a background thread up to `ahead` in advance.

    `iter()` starts the thread. An exception in the reader is raised by the consumer at the
    point it occurred. `close()` (also on leaving a `with` block, and after the last item or
    an error) stops the reader and waits for it; a consumer that stops early must call it,
    as it would close a generator.
    """

    def __init__(self, items: Iterable[T], *, ahead: int = AHEAD) -> None:
        self._items = items
        self._buffer: queue.Queue[object] = queue.Queue(maxsize=ahead)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._done = False

    def start(self) -> None:
        """Start reading (once; `iter()` and the first `next()` call this)."""
        if self._thread is None and not self._stop.is_set():
            self._thread = threading.Thread(
                target=_read, args=(self._items, self._buffer, self._stop), name="import-reader", daemon=True
            )
            self._thread.start()

    def __iter__(self) -> Iterator[T]:
        self.start()
        return self

    def __next__(self) -> T:
        if self._done:
            raise StopIteration
        self.start()
        item = self._buffer.get()
        if item is _END:
            self.close()
            raise StopIteration
        if isinstance(item, _Failed):
            self.close()
            raise item.error
        return cast(T, item)

    def close(self) -> None:
        """Stop the reader (its source is closed in its own thread) and wait for it."""
        self._done = True
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def __del__(self) -> None:
        # A consumer that dropped it unclosed: the reader stops at its next item (the thread
        # holds no reference to this object, so it can be collected while the thread runs).
        self._stop.set()

    def __enter__(self) -> Prefetch[T]:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()


def _put(buffer: queue.Queue[object], stop: threading.Event, item: object) -> bool:
    while not stop.is_set():
        try:
            buffer.put(item, timeout=0.1)
            return True
        except queue.Full:
            continue
    return False


def _read(items: Iterable[object], buffer: queue.Queue[object], stop: threading.Event) -> None:
    """The reader thread: every item into the buffer, then the end or the error."""
    source = iter(items)
    try:
        for item in source:
            if not _put(buffer, stop, item):
                return
        _put(buffer, stop, _END)
    except BaseException as exc:  # handed to the consumer, who raises it
        _put(buffer, stop, _Failed(exc))
    finally:
        close = getattr(source, "close", None)
        if close is not None:
            close()  # a generator's own clean-up (files, processes) runs in its thread


def prefetch(items: Iterable[T], *, ahead: int = AHEAD) -> Prefetch[T]:
    """`items` read ahead by a background thread (see `Prefetch`); reading starts at `iter()`."""
    return Prefetch(items, ahead=ahead)
