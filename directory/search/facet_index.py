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
loaded, in this process or another) are read through the search's connection before
counting. Ordinals of deleted documents stay in the arrays but never match again;
once the arrays hold twice the documents of their last full load, they are loaded
anew. Memory follows the number of documents loaded (44 bytes each: the ordinal and
one code per facet), not the size of the ordinals.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import psycopg

from directory.search.fields import LIST_FACETS, SCALAR_FACETS

COLUMNS = ("ord", *SCALAR_FACETS, *LIST_FACETS)
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


class _Combinations:
    """The sets of values seen for one list facet, each with a code ("nl+en" is one set).

    Documents share few sets (a few dozen per facet), so counting a list facet is counting
    the matches' sets, like a scalar facet, and then adding each set's count to its values:
    a third of the time of gathering every match's values one by one.
    """

    def __init__(self) -> None:
        self.codes: dict[tuple[int, ...], int] = {}
        # One (set, value) pair per value of each set: counts per value are a bincount over
        # the pairs, weighted by the count of each pair's set.
        self._pairs: list[tuple[int, int]] = []
        self._arrays = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))

    def code(self, values: tuple[int, ...]) -> int:
        found = self.codes.get(values)
        if found is None:
            found = self.codes[values] = len(self.codes)
            self._pairs.extend((found, v) for v in values)
        return found

    def pairs(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """The set and the value of every pair, as arrays (made anew after new sets)."""
        if len(self._arrays[0]) != len(self._pairs):
            pairs = np.array(self._pairs, dtype=np.int64).reshape(-1, 2)
            self._arrays = (pairs[:, 0].copy(), pairs[:, 1].copy())
        return self._arrays


class FacetIndex:
    """Every document's facet values by ordinal; counts facets over a set of matches."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._clear()

    def _clear(self) -> None:
        self.vocab = {name: _Vocabulary() for name in (*SCALAR_FACETS, *LIST_FACETS)}
        self.sets = {name: _Combinations() for name in LIST_FACETS}
        # One slot per document loaded, in ordinal order (`ords`, sorted): memory follows the
        # documents, not the largest ordinal. Per facet one code per slot: the value's code for
        # a scalar facet (-1: none), the code of the set of values for a list facet.
        self.ords = np.zeros(0, dtype=np.int64)
        self.codes = {name: np.zeros(0, dtype=np.int32) for name in (*SCALAR_FACETS, *LIST_FACETS)}
        self.loaded = 0
        self.loaded_at_start = 0

    # -- loading --------------------------------------------------------------------------

    def _add(self, rows: Sequence[Any]) -> None:
        if not rows:
            return
        ords = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        columns: dict[str, Any] = {}
        for i, name in enumerate(SCALAR_FACETS, start=1):
            vocab = self.vocab[name]
            columns[name] = np.fromiter(
                (-1 if r[i] is None else vocab.code(r[i]) for r in rows), dtype=np.int32, count=len(rows)
            )
        for i, name in enumerate(LIST_FACETS, start=1 + len(SCALAR_FACETS)):
            vocab, sets = self.vocab[name], self.sets[name]
            columns[name] = np.fromiter(
                (sets.code(tuple(sorted({vocab.code(v) for v in r[i] or ()}))) for r in rows),
                dtype=np.int32,
                count=len(rows),
            )
        for name, column in columns.items():
            self.codes[name] = np.concatenate([self.codes[name], column])
        self.ords = np.concatenate([self.ords, ords])
        if not _sorted(self.ords):
            # New documents usually have the highest ordinals; when not, restore the order.
            order = np.argsort(self.ords, kind="stable")
            self.ords = self.ords[order]
            for name in self.codes:
                self.codes[name] = self.codes[name][order]
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

    def _load(self, conn: psycopg.Connection[Any], missing: Ords) -> None:
        for start in range(0, len(missing), CHUNK):
            chunk = [int(o) for o in missing[start : start + CHUNK]]
            rows = conn.execute(
                f"SELECT {', '.join(COLUMNS)} FROM search_document WHERE ord = ANY(%(ords)s) ORDER BY ord",
                {"ords": chunk},
            ).fetchall()
            self._add(rows)

    def _prepared_slots(self, conn: psycopg.Connection[Any], ords: Ords) -> npt.NDArray[np.int64]:
        """The slots of the given ordinals, reading those not loaded yet (call with the lock held).

        Documents rewritten since the last full load leave their old slots behind; once the
        slots number RELOAD_FACTOR times what that load found, everything is loaded anew.
        """
        if self.loaded == 0 or self.loaded > RELOAD_FACTOR * self.loaded_at_start + 1024:
            self._load_all(conn)
        slots, found = self._slots(ords)
        if not found.all():
            self._load(conn, ords[~found])
            slots, found = self._slots(ords)  # loading may have moved slots
        return slots[found]  # a document deleted before it could be read is not counted

    def prepare(self, conn: psycopg.Connection[Any], ords: Ords) -> None:
        """Make sure every given ordinal is known, reading what is missing through `conn`."""
        with self._lock:
            self._prepared_slots(conn, ords)

    # -- counting -------------------------------------------------------------------------

    def prepare_and_count(
        self, conn: psycopg.Connection[Any], ords: Ords, facets: Iterable[str]
    ) -> dict[str, dict[str, int]]:
        """Counts per value of each facet over these ordinals, reading unknown ones through `conn`."""
        facets = list(facets)
        if not facets:
            return {}
        with self._lock:
            return self._count(self._prepared_slots(conn, ords), facets)

    def count(self, ords: Ords, facets: Iterable[str]) -> dict[str, dict[str, int]]:
        """Counts per value of each facet over the documents with these ordinals (all loaded)."""
        with self._lock:
            slots, found = self._slots(ords)
            return self._count(slots[found], facets)

    def _count(self, slots: npt.NDArray[np.int64], facets: Iterable[str]) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for name in facets:
            values = self.vocab[name].values
            codes = self.codes[name][slots]
            if name in self.sets:
                sets = self.sets[name]
                pair_set, pair_value = sets.pairs()
                per_set = np.bincount(codes, minlength=len(sets.codes))
                weighted = np.bincount(pair_value, weights=per_set[pair_set], minlength=len(values))
                counts = weighted.astype(np.int64)
            else:
                counts = np.bincount(codes[codes >= 0], minlength=len(values))
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
