"""Scale the demo data to N entries for load and search benchmarks.

Each generated location is a copy of a demo location with a numbered name,
moved to a random point in Amsterdam (seeded, so runs are comparable); each
gets one service copied from a demo service. Rows are bulk-inserted (no
revisions: this is benchmark data, not history) and queued in the search
outbox so the index catches up with `wijkgram index rebuild`.
"""

from __future__ import annotations

import json
import random
import time
import uuid
from typing import Any

from sqlalchemy import Engine, insert, text

from directory.demo import DEMO_DIR
from directory.models import Location, Service, service_at_location

#: Amsterdam, roughly: west of Sloterdijk to east of IJburg, Noord to Zuidoost.
AMSTERDAM_BBOX = (4.75, 52.29, 5.02, 52.42)
SKIP = {"key", "organization", "locations", "lat", "lon"}


def scale(engine: Engine, total: int, *, seed: int = 7, batch: int = 5_000) -> dict[str, float]:
    """Add locations and services until there are `total` entries of each kind from this generator."""
    rng = random.Random(seed)
    demo = json.loads((DEMO_DIR / "entries.json").read_text(encoding="utf-8"))
    locations = [{k: v for k, v in loc.items() if k not in SKIP} for loc in demo["locations"]]
    services = [
        {k: v for k, v in svc.items() if k not in SKIP | {"service_area"}} for svc in demo["services"]
    ]
    start = time.perf_counter()
    min_lon, min_lat, max_lon, max_lat = AMSTERDAM_BBOX
    made = 0
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM location WHERE source = 'bench'"))
        conn.execute(text("DELETE FROM service WHERE source = 'bench'"))
    while made < total:
        n = min(batch, total - made)
        loc_rows: list[dict[str, Any]] = []
        svc_rows: list[dict[str, Any]] = []
        links: list[dict[str, Any]] = []
        for i in range(made, made + n):
            loc_id, svc_id = uuid.uuid4(), uuid.uuid4()
            base = locations[i % len(locations)]
            lon, lat = rng.uniform(min_lon, max_lon), rng.uniform(min_lat, max_lat)
            loc_rows.append(
                {
                    **base,
                    "id": loc_id,
                    "version": 1,
                    "status": "active",
                    "name": f"{base['name']} {i}",
                    "languages": base.get("languages", ["nl"]),
                    "field_provenance": {},
                    "source": "bench",
                    "source_id": str(i),
                    "geom": f"SRID=4326;POINT({lon:.6f} {lat:.6f})",
                }
            )
            sbase = services[i % len(services)]
            svc_rows.append(
                {
                    **sbase,
                    "id": svc_id,
                    "version": 1,
                    "status": "active",
                    "name": f"{sbase['name']} {i}",
                    "field_provenance": {},
                    "languages": sbase.get("languages", ["nl"]),
                    "support_functions": sbase.get("support_functions", []),
                    "target_groups": sbase.get("target_groups", []),
                    "communities": sbase.get("communities", []),
                    "meetings": sbase.get("meetings", []),
                    "source": "bench",
                    "source_id": str(i),
                }
            )
            links.append({"service_id": svc_id, "location_id": loc_id})
        with engine.begin() as conn:
            conn.execute(insert(Location), _uniform(loc_rows))
            conn.execute(insert(Service), _uniform(svc_rows))
            conn.execute(insert(service_at_location), links)
        made += n
        print(f"  scaled {made:>7}/{total} locations and services", flush=True)
    return {"entries": made * 2, "seconds": round(time.perf_counter() - start, 1)}


def _uniform(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every row with the same keys (missing ones None), as a bulk insert needs."""
    keys = {key for row in rows for key in row}
    return [{key: row.get(key) for key in keys} for row in rows]
