"""Measured relevance: the judgement list, the data set it judges, and the figures.

The judgement list (`judgements/queries.toml`) holds realistic queries of the three
kinds of users, each with the entries a professional wants to see in the top five.
This module loads the data those judgements were made on (the demo: hand-written
entries, the OpenStreetMap cut of Centrum and the offers without a venue, plus the
area-served offers in `fixtures/`) through the real importers and `EntryService`,
runs every query through a search callable, and computes success@5, MRR and the
zero-result rate. `tests/search/test_relevance.py` and `bench/relevance.py` use it.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from directory.search.query import SearchQuery, SearchResult

HERE = Path(__file__).resolve().parent
JUDGEMENTS_FILE = HERE / "judgements" / "queries.toml"
FIXTURES = HERE / "fixtures"
#: Offers served by area (home visits, helplines, stadsdeel-wide), as a municipal list holds them.
AREA_OFFERS = FIXTURES / "aanbod-aan-huis.csv"
#: How many hits count: a professional reads the first five.
TOP = 5


@dataclass(frozen=True)
class Judgement:
    """One query and the entries (by name, or `source:source_id`) that must be in its top five."""

    q: str
    who: str
    relevant: tuple[str, ...]
    absent: tuple[str, ...] = ()
    near: tuple[float, float] | None = None
    radius_m: float | None = None
    note: str = ""


def load_judgements(path: Path = JUDGEMENTS_FILE) -> list[Judgement]:
    """Read the judgement list."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return [_judgement(raw) for raw in data["query"]]


def _judgement(raw: dict[str, Any]) -> Judgement:
    near = raw.get("near")
    return Judgement(
        q=raw["q"],
        who=raw["who"],
        relevant=tuple(raw["relevant"]),
        absent=tuple(raw.get("absent", ())),
        near=(float(near[0]), float(near[1])) if near else None,
        radius_m=float(raw["radius_m"]) if "radius_m" in raw else None,
        note=raw.get("note", ""),
    )


# -- the data the judgements were made on ----------------------------------------------------

#: Partner lists imported through the table importer: (file, source name).
PARTNER_LISTS: tuple[tuple[Path, str], ...] = (
    (AREA_OFFERS, "test:aan-huis"),
    (FIXTURES / "gebedshuizen.csv", "test:gebedshuizen"),
)
#: What brokers did after the imports: offers a partner reported as stopped are marked closed.
CLOSED_BY_BROKER = ("Telefooncirkel voor ouderen",)


def _import_table(engine: Engine, path: Path, source: str) -> None:
    from importers.run import run_import
    from importers.table import Mapping_, TableReader
    from importers.vocabulary import Vocabulary

    with Session(engine) as session:
        reader = TableReader(path, mapping=Mapping_(source=source), vocabulary=Vocabulary.load(session))
        run_import(session, list(reader), source=source, scope=path.name)


def load_relevance_data(engine: Engine, boundaries: Path | None = None) -> None:
    """Fill an empty, migrated database with the judged data, as `wijkgram demo` does, plus the fixtures.

    With `boundaries` (the shared stadsdelen/wijken/buurten) every place gets its
    area codes, as in the demo; without them places have none.
    """
    from directory.demo import DEMO_DIR, load_demo
    from directory.models import Service
    from directory.services.entries import Actor, EntryService
    from importers.osm import import_osm_file

    if boundaries is not None and (boundaries / "amsterdam-buurten-2022.geojson").is_file():
        from geo.build import build_boundaries

        build_boundaries(engine, boundaries)
    with Session(engine) as session, session.begin():
        load_demo(session)
    with Session(engine) as session:
        import_osm_file(session, DEMO_DIR / "centrum-cut.osm.pbf", scope="demo:centrum-cut")
    _import_table(engine, DEMO_DIR / "aanbod-zonder-adres.csv", "demo:aanbod")
    for path, source in PARTNER_LISTS:
        _import_table(engine, path, source)
    with Session(engine) as session, session.begin():
        entries = EntryService(session, Actor("broker"))
        for name in CLOSED_BY_BROKER:
            for service in session.scalars(select(Service).where(Service.name == name)):
                entries.update("service", service.id, {"status": "closed"}, note="partner: gestopt")


def entry_names(engine: Engine) -> dict[str, set[str]]:
    """Every identifier a judgement may use (name, `source:source_id`) -> the entry ids it names."""
    out: dict[str, set[str]] = {}
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT id, name, source, source_id FROM location "
                "UNION ALL SELECT id, name, source, source_id FROM service"
            )
        )
        for entry_id, name, source, source_id in rows:
            out.setdefault(name, set()).add(str(entry_id))
            if source and source_id:
                out.setdefault(f"{source}:{source_id}", set()).add(str(entry_id))
    return out


# -- the figures ---------------------------------------------------------------------------


@dataclass
class Outcome:
    """What one query found: the rank of its first relevant hit, the total, the top names."""

    judgement: Judgement
    rank: int | None
    total: int
    top: list[str]
    found_relevant: int = 0
    absent_found: list[str] = field(default_factory=list)
    ms: float = 0.0

    @property
    def judged(self) -> bool:
        """True when the query has entries that must be found."""
        return bool(self.judgement.relevant)

    @property
    def success(self) -> bool:
        """A relevant entry is among the first five hits."""
        return self.rank is not None and self.rank <= TOP


@dataclass
class Figures:
    """success@5, MRR, zero-result rate and the failures, over every query of the list."""

    engine: str
    outcomes: list[Outcome]

    @property
    def judged(self) -> list[Outcome]:
        """The queries that have relevant entries."""
        return [o for o in self.outcomes if o.judged]

    @property
    def success_at_5(self) -> float:
        """Share of judged queries with a relevant entry in the top five."""
        judged = self.judged
        return sum(o.success for o in judged) / len(judged) if judged else 1.0

    @property
    def mrr(self) -> float:
        """Mean reciprocal rank of the first relevant hit (0 when none in the page read)."""
        judged = self.judged
        return sum(1 / o.rank for o in judged if o.rank) / len(judged) if judged else 1.0

    @property
    def zero_rate(self) -> float:
        """Share of all queries that found nothing."""
        return sum(o.total == 0 for o in self.outcomes) / len(self.outcomes) if self.outcomes else 0.0

    @property
    def zero_with_relevant(self) -> list[Outcome]:
        """Queries that found nothing although the directory holds what they ask for."""
        return [o for o in self.judged if o.total == 0]

    @property
    def absent_found(self) -> list[Outcome]:
        """Queries that found an entry that must never show (closed)."""
        return [o for o in self.outcomes if o.absent_found]

    def summary(self) -> str:
        """One line with the figures."""
        return (
            f"{self.engine}: success@5 {self.success_at_5:.3f}, MRR {self.mrr:.3f}, "
            f"zero-result rate {self.zero_rate:.3f} ({len(self.zero_with_relevant)} with a relevant entry), "
            f"{len(self.judged)} judged queries of {len(self.outcomes)}"
        )

    def table(self, only_failures: bool = True) -> str:
        """A per-query table (the failures by default), to read when the figures drop."""
        lines = [f"{'who':3} {'query':38} {'rank':>4} {'total':>5}  top hits"]
        for o in self.outcomes:
            failed = (o.judged and not o.success) or o.absent_found
            if only_failures and not failed:
                continue
            where = f" @{o.judgement.near}" if o.judgement.near else ""
            lines.append(
                f"{o.judgement.who:3} {(o.judgement.q + where)[:38]:38} {o.rank or '-':>4} {o.total:>5}  "
                + " | ".join(o.top[:TOP])
                + (f"  (want: {', '.join(o.judgement.relevant[:3])})" if o.judged and not o.success else "")
                + (f"  CLOSED FOUND: {', '.join(o.absent_found)}" if o.absent_found else "")
            )
        return "\n".join(lines)


#: A search as the API runs it: a query in, the engine's result out.
Search = Callable[["SearchQuery"], "SearchResult"]


def query_of(judgement: Judgement, page_size: int = 10) -> SearchQuery:
    """The search a judgement describes (text, and a radius around a client's address)."""
    from directory.search.query import Near, SearchQuery

    near = Near(*judgement.near, judgement.radius_m) if judgement.near else None
    return SearchQuery(q=judgement.q, near=near, page_size=page_size, facets=())


def evaluate(
    engine_name: str,
    search: Search,
    judgements: Sequence[Judgement],
    names: dict[str, set[str]],
) -> Figures:
    """Run every judged query and compute the figures."""
    import time

    outcomes: list[Outcome] = []
    for judgement in judgements:
        wanted = set().union(*(names[n] for n in judgement.relevant)) if judgement.relevant else set()
        unwanted = {n: names.get(n, set()) for n in judgement.absent}
        start = time.perf_counter()
        result = search(query_of(judgement))
        ms = (time.perf_counter() - start) * 1000
        hits = result.hits
        rank = next((i for i, hit in enumerate(hits, 1) if hit.get("entry_id") in wanted), None)
        outcomes.append(
            Outcome(
                judgement=judgement,
                rank=rank,
                total=result.total,
                top=[str(hit.get("name")) for hit in hits],
                found_relevant=len({h.get("entry_id") for h in hits[:TOP]} & wanted),
                absent_found=[
                    n for n, ids in unwanted.items() if any(h.get("entry_id") in ids for h in hits)
                ],
                ms=ms,
            )
        )
    return Figures(engine_name, outcomes)


def unknown_names(judgements: Sequence[Judgement], names: dict[str, set[str]]) -> list[str]:
    """Identifiers in the judgement list that name no entry of the data (a typo in the list)."""
    return sorted({n for j in judgements for n in (*j.relevant, *j.absent) if n not in names})
