"""Facet counts for the PostgreSQL engine, computed in memory from the matches' ordinals.

A broad query ("eettafel" with its synonyms) matches a third of a 100,000-document
directory. Counting nine facets over 30,000 rows in SQL took PostgreSQL's executor
~90 ms on this project's 2-core machines, longer than the whole search may take. So
the query returns the ordinals (`search_document.ord`) of its matches, and the counts
come from arrays that hold every document's facet values (numpy: 3-4 ms for 30,000
matches and all nine facets).

The arrays cannot go stale: a document's row is never updated in place (a change
deletes it and inserts it anew, with a new ordinal), so an ordinal's facet values
never change. Ordinals the arrays do not know yet (documents written since they were
loaded, in this process or another) are read in the search's own transaction before
counting. Ordinals of deleted documents stay in the arrays but never match again;
once the arrays hold twice the documents of their last full load, they are loaded
anew. Memory follows the number of documents loaded (about 60 bytes each plus their
list values), not the size of the ordinals.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import psycopg

SCALAR = ("kind", "category", "stadsdeel_code", "wijk_code", "buurt_code")
LISTS = ("support_functions", "target_groups", "languages", "accessibility")
COLUMNS = ("ord", *SCALAR, *LISTS)
#: Reload everything once the slots number this many times what the last full load found.
RELOAD_FACTOR = 2
#: Missing ordinals are read in chunks of this many.
CHUNK = 10_000

Ords = npt.NDArray[np.int64]


@dataclass
class _Vocabulary:
    """The values seen for one facet, each with a small integer code."""

    codes: dict[str, int] = field(default_factory=dict)
    values: list[str] = field(default_factory=list)

    def code(self, value: str) -> int:
        found = self.codes.get(value)
        if found is None:
            found = self.codes[value] = len(self.values)
            self.values.append(value)
        return found


class FacetIndex:
    """Every document's facet values by ordinal; counts facets over a set of matches."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._clear()

    def _clear(self) -> None:
        self.vocab = {name: _Vocabulary() for name in (*SCALAR, *LISTS)}
        # One slot per document loaded, in ordinal order (`ords`, sorted): memory follows the
        # documents, not the largest ordinal. Scalar facets: one code per slot (-1: none).
        # List facets: the codes of all documents in one array, each document's codes side by
        # side, found by the slot's first position and count.
        self.ords = np.zeros(0, dtype=np.int64)
        self.scalar = {name: np.zeros(0, dtype=np.int32) for name in SCALAR}
        self.first = {name: np.zeros(0, dtype=np.int64) for name in LISTS}
        self.length = {name: np.zeros(0, dtype=np.int32) for name in LISTS}
        self.pair_codes = {name: np.zeros(0, dtype=np.int32) for name in LISTS}
        self.loaded = 0
        self.loaded_at_start = 0

    # -- loading --------------------------------------------------------------------------

    def _add(self, rows: Sequence[Any]) -> None:
        if not rows:
            return
        ords = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        columns: dict[str, Any] = {}
        for i, name in enumerate(SCALAR, start=1):
            vocab = self.vocab[name]
            columns[name] = np.fromiter(
                (-1 if r[i] is None else vocab.code(r[i]) for r in rows), dtype=np.int32, count=len(rows)
            )
        for i, name in enumerate(LISTS, start=1 + len(SCALAR)):
            vocab = self.vocab[name]
            lengths = np.fromiter((len(r[i] or ()) for r in rows), dtype=np.int32, count=len(rows))
            codes = np.array([vocab.code(v) for r in rows for v in r[i] or ()], dtype=np.int32)
            base = len(self.pair_codes[name])
            self.first[name] = np.concatenate(
                [self.first[name], base + np.cumsum(lengths, dtype=np.int64) - lengths]
            )
            self.length[name] = np.concatenate([self.length[name], lengths])
            self.pair_codes[name] = np.concatenate([self.pair_codes[name], codes])
        for name in SCALAR:
            self.scalar[name] = np.concatenate([self.scalar[name], columns[name]])
        self.ords = np.concatenate([self.ords, ords])
        if not _sorted(self.ords):
            # New documents usually have the highest ordinals; when not, restore the order.
            order = np.argsort(self.ords, kind="stable")
            self.ords = self.ords[order]
            for name in SCALAR:
                self.scalar[name] = self.scalar[name][order]
            for name in LISTS:
                self.first[name] = self.first[name][order]
                self.length[name] = self.length[name][order]
        self.loaded += len(rows)

    def _slots(self, ords: Ords) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
        """The slot of each ordinal, and whether it is loaded at all."""
        slots = np.searchsorted(self.ords, ords)
        inside = slots < len(self.ords)
        found = np.zeros(len(ords), dtype=bool)
        found[inside] = self.ords[slots[inside]] == ords[inside]
        return slots, found

    def _load_all(self, conn: psycopg.Connection[Any]) -> None:
        self._clear()
        rows = conn.execute(f"SELECT {', '.join(COLUMNS)} FROM search_document ORDER BY ord").fetchall()
        self._add(rows)
        self.loaded_at_start = self.loaded

    def _load_missing(self, conn: psycopg.Connection[Any], ords: Ords) -> None:
        missing = ords[~self._slots(ords)[1]]
        for start in range(0, len(missing), CHUNK):
            chunk = [int(o) for o in missing[start : start + CHUNK]]
            rows = conn.execute(
                f"SELECT {', '.join(COLUMNS)} FROM search_document WHERE ord = ANY(%(ords)s) ORDER BY ord",
                {"ords": chunk},
            ).fetchall()
            self._add(rows)

    def prepare(self, conn: psycopg.Connection[Any], ords: Ords) -> None:
        """Make sure every given ordinal is known, reading what is missing through `conn`.

        Documents rewritten since the last full load leave their old slots behind; once the
        slots number RELOAD_FACTOR times what that load found, everything is loaded anew.
        """
        with self._lock:
            if self.loaded == 0 or self.loaded > RELOAD_FACTOR * self.loaded_at_start + 1024:
                self._load_all(conn)
            if len(ords):
                self._load_missing(conn, ords)

    # -- counting -------------------------------------------------------------------------

    def count(self, ords: Ords, facets: Iterable[str]) -> dict[str, dict[str, int]]:
        """Counts per value of each facet over the documents with these ordinals (all loaded)."""
        out: dict[str, dict[str, int]] = {}
        with self._lock:
            slots, found = self._slots(ords)
            slots = slots[found]
            for name in facets:
                values = self.vocab[name].values
                if name in self.scalar:
                    codes = self.scalar[name][slots]
                    codes = codes[codes >= 0]
                else:
                    # The positions of the matches' codes: each match's run, laid end to end.
                    lengths = self.length[name][slots]
                    starts = self.first[name][slots] - (np.cumsum(lengths, dtype=np.int64) - lengths)
                    total = int(lengths.sum())
                    codes = self.pair_codes[name][np.repeat(starts, lengths) + np.arange(total)]
                counts = np.bincount(codes, minlength=len(values))
                found_values = np.flatnonzero(counts)
                names = [values[c] for c in found_values.tolist()]
                out[name] = dict(zip(names, counts[found_values].tolist(), strict=True))
        return out


def _sorted(values: Ords) -> bool:
    return bool(np.all(values[1:] >= values[:-1]))


def ordinals(blob: bytes | memoryview | None) -> Ords:
    """The ordinals a search returned as big-endian int4s (`string_agg(int4send(ord), '')`)."""
    if not blob:
        return np.zeros(0, dtype=np.int64)
    return np.frombuffer(bytes(blob), dtype=">i4").astype(np.int64)
