"""Facet counts for the PostgreSQL engine, computed in memory from the matches' ordinals.

A broad query ("eettafel" with its synonyms) matches a third of a 100,000-document
directory. Counting nine facets over 30,000 rows in SQL took PostgreSQL's executor
~90 ms on this project's 2-core machines, longer than the whole search may take. So
the query returns the ordinals (`search_document.ord`) of its matches, and the counts
come from arrays that hold every document's facet values by ordinal (numpy, about a
millisecond for 30,000 matches).

The arrays cannot go stale: a document's row is never updated in place (a change
deletes it and inserts it anew, with a new ordinal), so an ordinal's facet values
never change. Ordinals the arrays do not know yet (documents written since they were
loaded, in this process or another) are read in the search's own transaction before
counting. Ordinals of deleted documents stay in the arrays but never match again;
when they outnumber the live ones, the arrays are loaded anew.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import text

SCALAR = ("kind", "category", "stadsdeel_code", "wijk_code", "buurt_code")
LISTS = ("support_functions", "target_groups", "languages", "accessibility")
COLUMNS = ("ord", *SCALAR, *LISTS)
#: Reload everything once the arrays span this many times the documents loaded.
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
        # Scalar facets: one code per ordinal (-1: none). List facets: the codes of all
        # documents in one array, each document's codes side by side (every ordinal is added
        # once), found by its first position and count.
        self.scalar = {name: np.full(0, -1, dtype=np.int32) for name in SCALAR}
        self.first = {name: np.zeros(0, dtype=np.int64) for name in LISTS}
        self.length = {name: np.zeros(0, dtype=np.int32) for name in LISTS}
        self.pair_codes = {name: np.zeros(0, dtype=np.int32) for name in LISTS}
        self.known = np.zeros(0, dtype=bool)
        self.loaded = 0

    # -- loading --------------------------------------------------------------------------

    def _grow(self, size: int) -> None:
        if size <= len(self.known):
            return
        size = max(size, int(len(self.known) * 1.5) + 1024)
        self.known = np.concatenate([self.known, np.zeros(size - len(self.known), dtype=bool)])
        for name in SCALAR:
            old = self.scalar[name]
            self.scalar[name] = np.concatenate([old, np.full(size - len(old), -1, dtype=np.int32)])
        for name in LISTS:
            extra = size - len(self.first[name])
            self.first[name] = np.concatenate([self.first[name], np.zeros(extra, dtype=np.int64)])
            self.length[name] = np.concatenate([self.length[name], np.zeros(extra, dtype=np.int32)])

    def _add(self, rows: Sequence[Any]) -> None:
        if not rows:
            return
        ords = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        self._grow(int(ords.max()) + 1)
        for i, name in enumerate(SCALAR, start=1):
            vocab = self.vocab[name]
            codes = np.fromiter(
                (-1 if r[i] is None else vocab.code(r[i]) for r in rows), dtype=np.int32, count=len(rows)
            )
            self.scalar[name][ords] = codes
        for i, name in enumerate(LISTS, start=1 + len(SCALAR)):
            vocab = self.vocab[name]
            lengths = np.fromiter((len(r[i] or ()) for r in rows), dtype=np.int32, count=len(rows))
            codes = np.array([vocab.code(v) for r in rows for v in r[i] or ()], dtype=np.int32)
            base = len(self.pair_codes[name])
            self.first[name][ords] = base + np.cumsum(lengths, dtype=np.int64) - lengths
            self.length[name][ords] = lengths
            self.pair_codes[name] = np.concatenate([self.pair_codes[name], codes])
        self.known[ords] = True
        self.loaded += len(rows)

    def _load_all(self, conn: Any) -> None:
        self._clear()
        rows = conn.execute(text(f"SELECT {', '.join(COLUMNS)} FROM search_document")).all()
        self._add(rows)

    def _load_missing(self, conn: Any, ords: Ords) -> None:
        inside = ords[ords < len(self.known)]
        missing = np.concatenate([ords[ords >= len(self.known)], inside[~self.known[inside]]])
        for start in range(0, len(missing), CHUNK):
            chunk = [int(o) for o in missing[start : start + CHUNK]]
            rows = conn.execute(
                text(f"SELECT {', '.join(COLUMNS)} FROM search_document WHERE ord = ANY(:ords)"),
                {"ords": chunk},
            ).all()
            self._add(rows)

    def prepare(self, conn: Any, ords: Ords) -> None:
        """Make sure every given ordinal is known, reading what is missing through `conn`."""
        with self._lock:
            if self.loaded == 0 or len(self.known) > RELOAD_FACTOR * max(self.loaded, 1) + 1024:
                self._load_all(conn)
            self._load_missing(conn, ords)

    # -- counting -------------------------------------------------------------------------

    def count(self, ords: Ords, facets: Iterable[str]) -> dict[str, dict[str, int]]:
        """Counts per value of each facet over the documents with these ordinals."""
        out: dict[str, dict[str, int]] = {}
        with self._lock:
            for name in facets:
                values = self.vocab[name].values
                if name in self.scalar:
                    codes = self.scalar[name][ords]
                    codes = codes[codes >= 0]
                else:
                    # The positions of the matches' codes: each match's run, laid end to end.
                    lengths = self.length[name][ords]
                    starts = self.first[name][ords] - (np.cumsum(lengths, dtype=np.int64) - lengths)
                    total = int(lengths.sum())
                    codes = self.pair_codes[name][np.repeat(starts, lengths) + np.arange(total)]
                counts = np.bincount(codes, minlength=len(values))
                found = np.flatnonzero(counts)
                names = [values[c] for c in found.tolist()]
                out[name] = dict(zip(names, counts[found].tolist(), strict=True))
        return out


def ordinals(blob: bytes | memoryview | None) -> Ords:
    """The ordinals a search returned as big-endian int4s (`string_agg(int4send(ord), '')`)."""
    if not blob:
        return np.zeros(0, dtype=np.int64)
    return np.frombuffer(bytes(blob), dtype=">i4").astype(np.int64)
