"""Make the embedded demo geocode and route offline, from the OSM cut shipped in the repository."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console
from sqlalchemy import Engine, text

from directory.demo import DEMO_DIR
from geo.build import build_addresses, build_boundaries, build_network

DEMO_OSM = DEMO_DIR / "centrum-cut.osm.pbf"


def prepare_demo_geo(
    engine: Engine, console: Console | None = None, boundaries_dir: Path | None = None
) -> dict[str, Any]:
    """Build network and address table from the demo cut unless already built (idempotent).

    With `boundaries_dir` (e.g. ../shared/data/boundaries) present and no
    boundaries imported yet, imports them too.
    """
    done: dict[str, Any] = {}
    with engine.connect() as conn:
        source = conn.execute(text("SELECT source FROM geo_network_build ORDER BY id DESC LIMIT 1")).scalar()
        addresses = conn.execute(text("SELECT count(*) FROM geo_address")).scalar_one()
        boundaries = conn.execute(text("SELECT count(*) FROM geo_boundary")).scalar_one()
    if source is None:
        summary = build_network(engine, DEMO_OSM)
        done["network"] = {"nodes": summary.nodes, "edges": summary.edges}
    else:
        done["network"] = f"kept ({source})"
    if not addresses:
        inserted, _ = build_addresses(engine, DEMO_OSM)
        done["addresses"] = inserted
    else:
        done["addresses"] = f"kept ({addresses})"
    if (
        boundaries_dir is not None
        and not boundaries
        and (boundaries_dir / "amsterdam-buurten-2022.geojson").is_file()
    ):
        result = build_boundaries(engine, boundaries_dir)
        done["boundaries"] = {
            "buurten": result.buurten,
            "wijken": result.wijken,
            "stadsdelen": result.stadsdelen,
        }
    if console is not None:
        console.print(f"demo geo: {done}")
    return done
