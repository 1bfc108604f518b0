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

import contextlib
import gc
import logging
import multiprocessing
import multiprocessing.process
import queue
import signal
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import Connection
from types import TracebackType
from typing import Generic, TypeVar, cast

T = TypeVar("T")
E = TypeVar("E")

log = logging.getLogger("wijkgram.importers")

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


class ReaderFailed(RuntimeError):
    """The reader process failed with an error that could not be sent back as it was."""


class _ProcessEnd:
    """The reader process's last message: every chunk was sent."""


class _ItemsEnd:
    """Every item was sent; what follows are extras only (work the reader finishes meanwhile)."""


#: Yielded by a `ProcessPrefetch` source after its last item: the consumer stops iterating
#: at once, and the chunks after it (extras only) are taken by `close()`.
ITEMS_END = _ItemsEnd()


class ProcessPrefetch(Generic[T, E]):
    """The items of a source in order, produced by a forked process, in chunks.

    The thread reader (`Prefetch`) shares the interpreter lock with the writer: its Python
    (reading, classifying, computing the documents' schedules and word forms) and the
    writer's run one after the other. A process reads on the other core. `chunks` runs in
    the child and yields (items, extra) pairs; `receive` gets each chunk's extra in this
    process before its items are handed out (an importer sends what it computed for the
    writer: cache entries, the read statistics). The pipe between them is the bound on how
    far the reader runs ahead.

    `iter()` forks. An exception in the reader is raised by the consumer after the items
    before it, with its own type and message (`ReaderFailed` when it cannot be pickled).
    `close()` (after the last item, on an error, on leaving a `with` block) closes the pipe,
    which stops the reader at its next send, and waits for the process: no reader outlives
    its import.
    """

    def __init__(
        self,
        chunks: Callable[[], Iterator[tuple[list[T], E] | _ItemsEnd]],
        receive: Callable[[E], None],
    ) -> None:
        self._chunks = chunks
        self._receive = receive
        self._pending: deque[T] = deque()
        self._process: multiprocessing.process.BaseProcess | None = None
        self._conn: Connection | None = None
        self._done = False
        self._items_done = False

    def start(self) -> None:
        """Fork the reader (once; `iter()` and the first `next()` call this)."""
        if self._process is not None or self._done:
            return
        context = multiprocessing.get_context("fork")  # no re-import: starts in milliseconds
        reader, writer = context.Pipe(duplex=False)
        process = context.Process(
            target=_read_chunks, args=(self._chunks, reader, writer), name="import-reader", daemon=True
        )
        process.start()
        writer.close()  # the child's end: the child alone holds it, so its exit ends the pipe
        self._process, self._conn = process, reader

    def __iter__(self) -> Iterator[T]:
        self.start()
        return self

    def __next__(self) -> T:
        self.start()
        while not self._pending:
            if self._done or self._items_done or self._conn is None:
                raise StopIteration
            try:
                message = self._conn.recv()
            except EOFError:
                code = self._exit_code()
                self.close()
                raise ReaderFailed(f"the reader process ended unexpectedly (exit code {code})") from None
            if isinstance(message, _ProcessEnd):
                self.close()
                raise StopIteration
            if isinstance(message, _ItemsEnd):
                self._items_done = True
                raise StopIteration
            if isinstance(message, _Failed):
                self.close()
                raise message.error
            items, extra = message
            self._receive(extra)
            self._pending.extend(items)
        return self._pending.popleft()

    def _exit_code(self) -> int | None:
        if self._process is None:
            return None
        self._process.join(5)
        return self._process.exitcode

    def close(self) -> None:
        """Stop the reader (it ends at its next send, its source closed) and wait for it.

        After the last item (`ITEMS_END`), the reader's remaining extras are received first
        (waiting for it to finish them); an error there is logged, the items stand.
        """
        if self._items_done and not self._done and self._conn is not None:
            self._done = True
            self._drain(self._conn)
        self._done = True
        self._pending.clear()
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        process = self._process
        if process is not None:
            process.join(5)
            if process.is_alive():  # stuck outside a send: SIGTERM still closes its source
                process.terminate()
                process.join(5)
            if process.is_alive():
                process.kill()
                process.join()
            process.close()
            self._process = None

    def _drain(self, conn: Connection) -> None:
        try:
            while not isinstance(message := conn.recv(), _ProcessEnd):
                if isinstance(message, _Failed):
                    log.warning("the import's reader failed after its last item: %s", message.error)
                    return
                self._receive(message[1])
        except EOFError:
            log.warning("the import's reader ended after its last item without finishing")

    def __del__(self) -> None:
        if not self._done:
            self._items_done = False  # collected unclosed: nobody waits for the extras
            self.close()

    def __enter__(self) -> ProcessPrefetch[T, E]:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()


def _stop_on_sigterm(_signum: int, _frame: object) -> None:
    raise SystemExit(1)  # unwinds the reader: its `finally` blocks close files and tools


def _read_chunks(
    chunks: Callable[[], Iterator[tuple[object, object]]], reader: Connection, writer: Connection
) -> None:
    """The reader process: every chunk into the pipe, then the end or the error."""
    reader.close()  # this process never reads: the writer's close alone must end the pipe
    # The writer's objects, inherited: a collection walking them would write to every page
    # they are on, and each write copies that page for this process.
    gc.freeze()
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C goes to the writer, which closes us
    source = chunks()
    try:
        for chunk in source:
            writer.send(chunk)
        writer.send(_ProcessEnd())
    except (BrokenPipeError, ConnectionResetError, SystemExit):
        pass  # the writer stopped: nobody to tell
    except BaseException as exc:
        try:
            writer.send(_Failed(exc))
        except (BrokenPipeError, ConnectionResetError):
            pass
        except Exception:  # the error itself cannot be pickled: its text can
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                writer.send(_Failed(ReaderFailed(f"{type(exc).__name__}: {exc}")))
    finally:
        close = getattr(source, "close", None)
        if close is not None:
            close()
        writer.close()
