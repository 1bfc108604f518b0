"""Read a source ahead in a thread while the import writes: reading overlaps the database's work.

An import alternates between Python work (reading and classifying the source, building
rows) and waiting for PostgreSQL to take a batch. Python runs one thread at a time, but a
thread waiting for the database lets another run: with the reader in its own thread, the
file is read while the batch before is written, and on a machine with a core for each the
wall time drops by most of the reading time.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Generator, Iterable
from typing import TypeVar, cast

T = TypeVar("T")

#: Items the reader may be ahead of the writer (a few batches; bounded, so memory is too).
AHEAD = 1000

_END = object()


class _Failed:
    """The reader's exception, handed to the consumer to raise in its own thread."""

    def __init__(self, error: BaseException) -> None:
        self.error = error


def prefetch(items: Iterable[T], *, ahead: int = AHEAD) -> Generator[T, None, None]:
    """The items of `items` in order, produced by a background thread up to `ahead` in advance.

    An exception in the reader is raised by the consumer at the point it occurred. When the
    consumer stops early (an error while writing, or it breaks off), the reader stops too.
    """
    buffer: queue.Queue[object] = queue.Queue(maxsize=ahead)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                buffer.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def read() -> None:
        source = iter(items)
        try:
            for item in source:
                if not put(item):
                    return
            put(_END)
        except BaseException as exc:  # handed to the consumer, who raises it
            put(_Failed(exc))
        finally:
            close = getattr(source, "close", None)
            if close is not None:
                close()  # a generator's own clean-up (files, processes) runs in its thread

    reader = threading.Thread(target=read, name="import-reader", daemon=True)
    reader.start()
    try:
        while True:
            item = buffer.get()
            if item is _END:
                return
            if isinstance(item, _Failed):
                raise item.error
            yield cast(T, item)
    finally:
        stop.set()
        reader.join()
