"""Throughput of the OSM importer, next to osmium-tool reading the same file.

    .venv/bin/python -m bench.import_osm [--tiles 4] [--no-write]

Two files: the real Centrum extract, and a city-sized file made by tiling it
(`--tiles N` gives N x N copies, each shifted by the extract's own width and
height). Ids are first made dense with `osmium renumber` (1, 2, 3, ... per
type), then copy k adds k * 100,000 to every node, way and relation id, so
copies never collide and the ids stay dense like a real city extract's
location index expects.
For each file it prints

- read: objects read per second by `importers.osm.reader.read_places`
  (pyosmium + tag map + representative points), and the time of
  `osmium tags-filter` with the same keys on the same file, in the same run,
  as the baseline for raw reading speed, with the ratio;
- write: places written per second by the full import (merge, revisions,
  provenance, outbox, search documents; reading the file included) into a
  fresh database on the test cluster, and the time of a second, unchanged
  run; with the CPU seconds both took in this process and in the database
  backend, and the machine's load average, because on a shared machine the
  wall time says more about the neighbours than about the import. The
  Centrum extract is written `--runs` times (default 5, each into a fresh
  database) and the median, min and max are printed: one import of its 348
  places takes about a third of a second, too short for one run to say much.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from directory.db import migrate
from directory.settings import get_settings
from importers.merge import ImportReport
from importers.osm import import_osm_file
from importers.osm.reader import ReadStats, read_places
from importers.osm.tags import primary_keys

ID_STEP = 100_000


_REF = re.compile(r"([nwr])(-?\d+)")


def _shift_line(line: str, offset: int, dx: float, dy: float) -> str:
    """One OPL line of a copy: ids and references renumbered, node coordinates shifted."""
    fields = line.split(" ")
    out = []
    for field in fields:
        head, rest = field[:1], field[1:]
        if field is fields[0]:
            out.append(f"{head}{int(rest) + offset}")
        elif head == "x" and rest:
            out.append(f"x{float(rest) + dx:.7f}")
        elif head == "y" and rest:
            out.append(f"y{float(rest) + dy:.7f}")
        elif head in ("N", "M") and rest:
            out.append(head + _REF.sub(lambda m: f"{m.group(1)}{int(m.group(2)) + offset}", rest))
        else:
            out.append(field)
    return " ".join(out)


def tile(source: Path, target: Path, tiles: int) -> None:
    """Write tiles x tiles shifted, renumbered copies of `source` to `target` (sorted by type and id)."""
    dense = target.with_name("renumbered.opl")
    subprocess.run(["osmium", "renumber", "-O", "-f", "opl", "-o", str(dense), str(source)], check=True)
    lines = dense.read_text(encoding="utf-8").splitlines()
    xs = [
        float(f[1:])
        for line in lines
        if line.startswith("n")
        for f in line.split(" ")
        if f[:1] == "x" and f[1:]
    ]
    ys = [
        float(f[1:])
        for line in lines
        if line.startswith("n")
        for f in line.split(" ")
        if f[:1] == "y" and f[1:]
    ]
    dx, dy = max(xs) - min(xs), max(ys) - min(ys)
    copies = [(k * ID_STEP, (k % tiles) * dx, (k // tiles) * dy) for k in range(tiles * tiles)]
    tiled = target.with_name("tiled.opl")
    with tiled.open("w", encoding="utf-8") as out:
        for kind in "nwr":  # all nodes, then all ways, then all relations: the order osmium expects
            own = [line for line in lines if line.startswith(kind)]
            for offset, shift_x, shift_y in copies:
                out.writelines(_shift_line(line, offset, shift_x, shift_y) + "\n" for line in own)
    subprocess.run(["osmium", "cat", "-O", "-o", str(target), str(tiled)], check=True)


def osmium_baseline(path: Path, out_dir: Path) -> float:
    """Seconds `osmium tags-filter` needs to select the same keys from the file."""
    start = time.perf_counter()
    subprocess.run(
        [
            "osmium",
            "tags-filter",
            "-O",
            "-o",
            str(out_dir / "filtered.osm.pbf"),
            str(path),
            *(f"nwr/{k}" for k in primary_keys()),
        ],
        check=True,
    )
    return time.perf_counter() - start


def read_only(path: Path) -> tuple[float, ReadStats]:
    """Seconds to read every place of the file (no database)."""
    stats = ReadStats()
    start = time.perf_counter()
    for _ in read_places(path, stats=stats):
        pass
    seconds = time.perf_counter() - start
    return seconds, stats


@dataclass
class Run:
    """One import: wall seconds, and the CPU seconds of this process (with its reader process)
    and of its database backend."""

    seconds: float
    client_cpu: float
    server_cpu: float | None  # None when the database runs elsewhere (its process is not ours to read)

    @property
    def cpu(self) -> float:
        """CPU seconds the import cost on this machine (client + database)."""
        return self.client_cpu + (self.server_cpu or 0.0)


def _backend_cpu(pid: int) -> float | None:
    """CPU seconds a local PostgreSQL backend has used, from /proc (None if it is not local)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _own_cpu() -> float:
    """CPU seconds of this process and of the processes it started and waited for (the reader
    process, osmium-tool counting the objects)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _timed(session: Session, pid: int, path: Path) -> tuple[Run, ImportReport]:
    client, server = _own_cpu(), _backend_cpu(pid)
    report = import_osm_file(session, path)
    after = _backend_cpu(pid)
    used = after - server if after is not None and server is not None else None
    return Run(report.seconds, _own_cpu() - client, used), report


def write(path: Path) -> tuple[Run, int, Run]:
    """(first run, places created, unchanged rerun) importing into a fresh database.

    One pooled connection serves both runs, so its backend's CPU time can be read: on a
    machine shared with other work the wall time moves with their load, the CPU time
    much less.
    """
    from tests.conftest import _start_test_cluster, create_database, drop_database

    _start_test_cluster()
    name = "wijkgram_bench_import"
    url = create_database(name)
    try:
        migrate.upgrade(url)
        engine = create_engine(url, pool_size=1, max_overflow=0)
        with Session(engine) as session:
            pid = int(session.scalar(text("SELECT pg_backend_pid()")) or 0)
            session.commit()
            first, report = _timed(session, pid, path)
            second, _ = _timed(session, pid, path)
        engine.dispose()
        return first, report.counts()["created"], second
    finally:
        drop_database(name)


def _cpu_note(run: Run, places: int) -> str:
    if run.server_cpu is None:
        return f"CPU {run.client_cpu:.1f} s here, database elsewhere"
    return (
        f"CPU {run.client_cpu:.1f} s + database {run.server_cpu:.1f} s"
        f" = {places / run.cpu:,.0f} places per CPU second"
    )


def report(label: str, path: Path, work: Path, do_write: bool, runs: int = 1) -> None:
    """Print the read and write figures for one file; the write `runs` times, each into a fresh database."""
    rates: list[float] = []
    baseline = osmium_baseline(path, work)
    seconds, stats = read_only(path)
    print(f"\n{label}: {path.name}, {stats.objects:,} objects, {stats.places:,} places")
    print(f"  read    {stats.objects / seconds:12,.0f} objects/s  ({seconds:.2f} s)")
    ratio = seconds / baseline
    print(
        f"  osmium tags-filter same keys: {baseline:.2f} s  -> wijkgram read takes {ratio:.1f}x osmium's time"
    )
    if do_write:
        for _ in range(runs):
            first, created, rerun = write(path)
            print(
                f"  write   {created / first.seconds:12,.1f} places/s"
                f"   ({created:,} places in {first.seconds:.2f} s;"
                f" {_cpu_note(first, created)})"
            )
            print(
                f"  rerun   unchanged in {rerun.seconds:.2f} s"
                f" ({created / rerun.seconds:,.0f} places/s checked; {_cpu_note(rerun, created)})"
            )
            rates.append(created / first.seconds)
        if runs > 1:
            print(
                f"  write over {runs} fresh databases: median {statistics.median(rates):,.0f} places/s"
                f" (min {min(rates):,.0f}, max {max(rates):,.0f};"
                " the first run is this process's first import)"
            )
        print(
            f"  load    {os.getloadavg()[0]:.1f}"
            f" (1-minute load average of this machine, {os.cpu_count()} cores)"
        )


def main() -> None:
    """Run the benchmark on the Centrum extract and its tiled city-sized version."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tiles", type=int, default=4, help="N for the N x N tiled file (default 4)")
    parser.add_argument("--no-write", action="store_true", help="only measure reading (no database)")
    parser.add_argument("--write-tiled", action="store_true", help="also import the tiled file (slow)")
    parser.add_argument(
        "--runs",
        type=int,
        default=5,
        help="imports of the Centrum extract, each into a fresh database (default 5): one import of"
        " 348 places lasts about a third of a second, and a single one moves with whatever else runs",
    )
    args = parser.parse_args()
    centrum = get_settings().data.shared_dir / "osm" / "amsterdam-centrum.osm.pbf"
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        report("Centrum", centrum, work, not args.no_write, max(1, args.runs))
        tiled = work / f"centrum-{args.tiles}x{args.tiles}.osm.pbf"
        start = time.perf_counter()
        tile(centrum, tiled, args.tiles)
        print(f"\n(tiled {args.tiles}x{args.tiles} in {time.perf_counter() - start:.1f} s)")
        report(f"Tiled {args.tiles}x{args.tiles}", tiled, work, args.write_tiled and not args.no_write)


if __name__ == "__main__":
    main()
