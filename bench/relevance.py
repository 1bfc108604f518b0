"""Relevance benchmark: the judgement list's figures on both engines, beside the latency of its queries.

Run: .venv/bin/python -m bench.relevance [--rounds 5]

Loads the judged data (tests/search/relevance.py: the demo, the OpenStreetMap cut
of Centrum, the partner lists in tests/search/fixtures/) into a fresh database and
a fresh Meilisearch, runs every query of tests/search/judgements/queries.toml
through the search service the API uses, and prints per engine success@5, MRR,
the zero-result rate and p50 / p95 of those queries (`--rounds` times each, the
engines taking turns). The figures go to bench/results/relevance.json; with
`--table` the failing queries are listed. See docs/search.md, "Measured relevance".
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlalchemy import create_engine

from bench.servers import MEILI_BIN, meilisearch
from directory.db import migrate
from directory.search.query import SearchQuery, SearchResult
from directory.search.service import SearchService, search_service
from directory.search.sync import sync
from directory.settings import REPO_ROOT, SearchSettings, get_settings
from tests.conftest import _start_test_cluster, create_database, drop_database
from tests.search.relevance import Figures, entry_names, evaluate, load_judgements, load_relevance_data

NAME = "wijkgram_bench_relevance"
RESULTS = REPO_ROOT / "bench" / "results" / "relevance.json"


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of the values lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def main() -> None:
    """Load the judged data, run the judgement list on both engines, print figures and latency."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="times each query is run per engine (1-50)")
    parser.add_argument("--table", action="store_true", help="also list the queries that fail")
    args = parser.parse_args()
    rounds = max(1, min(50, args.rounds))
    console = Console(width=130)
    if not MEILI_BIN.is_file():
        raise SystemExit(f"Meilisearch binary missing at {MEILI_BIN}: run scripts/setup.sh --test")
    _start_test_cluster()
    url = create_database(NAME)
    try:
        migrate.upgrade(url)
        engine = create_engine(url)
        start = time.perf_counter()
        load_relevance_data(engine, get_settings().data.shared_dir / "boundaries")
        with (
            tempfile.TemporaryDirectory(prefix="wijkgram-bench-meili-") as meili_dir,
            meilisearch(Path(meili_dir)) as server,
        ):
            settings = SearchSettings(
                meili_url=server.url, meili_key=server.key, index_name="relevance", timeout_s=5
            )
            sync(engine, settings)
            console.print(f"judged data loaded and indexed in {time.perf_counter() - start:.1f} s")
            services = {
                "postgresql": search_service(engine, replace(settings, meili_url="")),
                "meilisearch": search_service(engine, settings),
            }
            judgements = load_judgements()
            names = entry_names(engine)
            runs: dict[str, list[Figures]] = {name: [] for name in services}
            for round_no in range(rounds):
                order = list(services) if round_no % 2 == 0 else list(reversed(services))
                for name in order:
                    service = services[name]

                    def search(query: SearchQuery, service: SearchService = service) -> SearchResult:
                        return service.search(query, interpret=True)  # as the API asks by default

                    runs[name].append(evaluate(name, search, judgements, names))
            report = _report(console, runs, args.table)
            RESULTS.parent.mkdir(parents=True, exist_ok=True)
            RESULTS.write_text(json.dumps(report, indent=2), encoding="utf-8")
            console.print(f"written to {RESULTS.relative_to(REPO_ROOT)}")
            for service in services.values():
                service.close()
            engine.dispose()
    finally:
        drop_database(NAME)


def _report(console: Console, runs: dict[str, list[Figures]], with_table: bool) -> dict[str, object]:
    """Print the figures and latencies per engine; return them for the results file."""
    table = Table(title="judgement list: relevance and latency per engine (through SearchService)")
    for column in ("engine", "queries", "success@5", "MRR", "zero-result rate", "zero with relevant"):
        table.add_column(column, justify="right")
    for column in ("p50 ms", "p95 ms", "max ms"):
        table.add_column(column, justify="right")
    report: dict[str, object] = {}
    for name, figures_runs in runs.items():
        figures = figures_runs[-1]  # the figures do not change between rounds; the timings do
        times = [o.ms for run in figures_runs for o in run.outcomes]
        p50, p95 = statistics.median(times), percentile(times, 0.95)
        table.add_row(
            name,
            str(len(figures.outcomes)),
            f"{figures.success_at_5:.3f}",
            f"{figures.mrr:.3f}",
            f"{figures.zero_rate:.3f}",
            str(len(figures.zero_with_relevant)),
            f"{p50:.1f}",
            f"{p95:.1f}",
            f"{max(times):.1f}",
        )
        report[name] = {
            "success_at_5": figures.success_at_5,
            "mrr": figures.mrr,
            "zero_result_rate": figures.zero_rate,
            "zero_with_relevant": [o.judgement.q for o in figures.zero_with_relevant],
            "failing": [o.judgement.q for o in figures.judged if not o.success],
            "p50_ms": p50,
            "p95_ms": p95,
            "samples": len(times),
        }
        if with_table:
            console.print(figures.table())
    console.print(table)
    return report


if __name__ == "__main__":
    main()
