"""Make the embedded demo geocode and route offline, from the OSM cut shipped in the repository."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console
from sqlalchemy import Engine, text

from directory.demo import DEMO_DIR
from directory.errors import SetupError
from geo.basemap.load import basemap_source, import_basemap
from geo.boundaries import BUURTEN_FILE
from geo.build import build_addresses, build_boundaries, build_network

DEMO_OSM = DEMO_DIR / "centrum-cut.osm.pbf"
#: The base map layers (water, buildings, green, railways, places and streets) of the same area.
DEMO_BASEMAP = DEMO_DIR / "centrum-basemap.osm.pbf"
#: Amsterdam's buurten, wijken and stadsdelen, simplified (geo/build_areas.py --demo).
DEMO_BOUNDARIES = Path(__file__).parent / "data" / "boundaries"


def _demo_basemap(engine: Engine) -> Any:
    """Load the demo base map unless one is loaded; without osm2pgsql say how to get it."""
    source = basemap_source(engine)
    if source is not None:
        return f"kept ({source})"
    try:
        summary = import_basemap(engine, DEMO_BASEMAP)
    except SetupError as exc:
        return f"skipped: {exc.message}"
    return summary.rows


def boundaries_folder(boundaries_dir: Path | None) -> Path:
    """The shared folder when it holds the city's buurten, else the shipped simplified copy."""
    if boundaries_dir is not None and (boundaries_dir / BUURTEN_FILE).is_file():
        return boundaries_dir
    return DEMO_BOUNDARIES


def prepare_demo_geo(
    engine: Engine, console: Console | None = None, boundaries_dir: Path | None = None
) -> dict[str, Any]:
    """Build network, address table and base map from the demo cuts unless already built (idempotent).

    With no boundaries imported yet, imports them too: from `boundaries_dir`
    (e.g. ../shared/data/boundaries) when it holds the city's export, else from the
    simplified copy shipped in geo/data/boundaries, so outlines and area filters work
    in a clone without ../shared.
    """
    done: dict[str, Any] = {}
    done["basemap"] = _demo_basemap(engine)
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
    if not boundaries:
        result = build_boundaries(engine, boundaries_folder(boundaries_dir))
        done["boundaries"] = {
            "buurten": result.buurten,
            "wijken": result.wijken,
            "stadsdelen": result.stadsdelen,
        }
    if console is not None:
        console.print(f"demo geo: {done}")
    return done
