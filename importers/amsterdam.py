"""The City of Amsterdam's open data API (v1, DSO): facilities, sports providers, areas.

Lists are paged: a HAL-JSON page names the next one in `_links.next.href`,
a GeoJSON page in its `_links` list (`rel: next`). Geometry comes in
EPSG:4326 or in RD New (EPSG:28992); RD is transformed with pyproj.

- `maatschappelijkevoorzieningen/voorzieningenopdekaart`: municipal
  facilities (community centres, libraries, ...) -> places.
- `sport/aanbieder`: sports providers at a sports facility -> a place (the
  facility) with a service (the provider), with Stadspas and adapted-sports
  flags as target groups.
- `gebieden/buurten`: neighbourhood polygons -> every location gets its
  buurt, wijk and stadsdeel code. The published schema calls the wijk link
  `ligtInGebiedenWijk` (an object); the real export has `ligtInWijkId`
  (a string): both are read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import numpy as np
import shapely
from geoalchemy2.shape import to_shape
from rich.console import Console
from shapely import STRtree
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.errors import ServiceUnavailableError
from directory.models import Location
from importers.merge import ImportReport, Merger
from importers.records import PlaceRecord, Rejected
from importers.run import RunOptions, run_import
from importers.table import split_address
from importers.table_values import rd_transformer

BASE_URL = "https://api.data.amsterdam.nl/v1"
DATASETS = {
    "voorzieningen": "maatschappelijkevoorzieningen/voorzieningenopdekaart/?_format=geojson&_pageSize=1000",
    "sport": "sport/aanbieder/?_format=json&_pageSize=1000",
    "gebieden": "gebieden/buurten/?_format=geojson&_pageSize=1000",
}
Fetch = Callable[[str], dict[str, Any]]

#: Words in a facility's `categorie`/`soort` -> our category (first match wins).
FACILITY_CATEGORIES = (
    ("buurthuis", "community_centre"),
    ("buurtcentrum", "community_centre"),
    ("huis van de wijk", "community_centre"),
    ("huis van de buurt", "community_centre"),
    ("wijkcentrum", "community_centre"),
    ("dienstencentrum", "elderly_centre"),
    ("ouderen", "elderly_centre"),
    ("jongeren", "youth_centre"),
    ("jeugd", "youth_centre"),
    ("bibliotheek", "library"),
    ("speeltuin", "playground"),
    ("sport", "sports_centre"),
    ("zwem", "sports_centre"),
    ("museum", "museum"),
    ("theater", "theatre"),
    ("cultu", "arts_centre"),
    ("onderwijs", "school"),
    ("school", "school"),
)


def http_fetch(url: str) -> dict[str, Any]:
    """GET one page of the API as JSON."""
    try:
        response = httpx.get(url, timeout=60, headers={"Accept": "application/json"})
        response.raise_for_status()
    except httpx.HTTPError as exc:
        raise ServiceUnavailableError(f"the Amsterdam API is not reachable ({url}): {exc}") from exc
    data: dict[str, Any] = response.json()
    return data


def next_url(page: dict[str, Any]) -> str | None:
    """The next page's URL, from HAL `_links.next.href` or a GeoJSON `_links` list."""
    links = page.get("_links")
    if isinstance(links, dict):
        nxt = links.get("next") or {}
        href = nxt.get("href") if isinstance(nxt, dict) else None
        return str(href) if href else None
    if isinstance(links, list):
        for link in links:
            if link.get("rel") == "next" and link.get("href"):
                return str(link["href"])
    return None


def _is_rd(page: dict[str, Any]) -> bool:
    name = str(((page.get("crs") or {}).get("properties") or {}).get("name") or "")
    return name.endswith("28992")


def iter_items(url: str, fetch: Fetch) -> Iterator[tuple[dict[str, Any], dict[str, Any] | None, bool]]:
    """(properties, geometry, geometry is RD) of every item on every page, following `next` links."""
    seen: set[str] = set()
    current: str | None = url
    while current and current not in seen:
        seen.add(current)
        page = fetch(current)
        rd = _is_rd(page)
        if "features" in page:
            for feature in page["features"]:
                yield dict(feature.get("properties") or {}), feature.get("geometry"), rd
        else:
            # DSO v1 embeds items under `_embedded.<table>`; the older API lists them in `results`.
            lists = list((page.get("_embedded") or {}).values()) or [page.get("results") or []]
            for items in lists:
                for item in items:
                    geometry = item.get("geometry") or item.get("geometrie")
                    yield dict(item), geometry, rd or _looks_rd(geometry)
        current = next_url(page)


def _looks_rd(geometry: dict[str, Any] | None) -> bool:
    """HAL JSON has no crs member; RD coordinates are metres (x 7-300 km), WGS84 ones are degrees."""
    if not geometry or "coordinates" not in geometry:
        return False
    first: Any = geometry["coordinates"]
    while isinstance(first, list) and first and isinstance(first[0], list):
        first = first[0]
    return bool(first and first[0] > 1000)


def to_wgs84(geometry: dict[str, Any], rd: bool) -> BaseGeometry:
    """A Shapely geometry in EPSG:4326 (lon, lat)."""
    geom = shape(geometry)
    if not rd:
        return geom
    transformer = rd_transformer()
    return shapely.transform(geom, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])))


def facility_category(*texts: str | None) -> str:
    """Our category for a municipal facility, from its category and kind texts."""
    words = " ".join(t.lower() for t in texts if t)
    return next((code for word, code in FACILITY_CATEGORIES if word in words), "social_facility")


def read_voorzieningen(url: str, fetch: Fetch) -> Iterator[PlaceRecord | Rejected]:
    """Records for `voorzieningenOpDeKaart` (schema: id, naam, domein, categorie, soort, straat, ...)."""
    for number, (props, geometry, rd) in enumerate(iter_items(url, fetch), start=1):
        source_id, name = str(props.get("id") or ""), str(props.get("naam") or "").strip()
        if not source_id or not name or not geometry:
            yield Rejected(source_id or f"item {number}", "id, naam and geometry are required", number, name)
            continue
        point = to_wgs84(geometry, rd).representative_point()
        yield PlaceRecord(
            source="amsterdam:voorzieningen",
            source_id=source_id,
            name=name,
            lat=point.y,
            lon=point.x,
            category=facility_category(props.get("categorie"), props.get("soort"), name),
            location={
                "street": props.get("straat"),
                "house_number": (str(props.get("huisnummer") or "") or None),
                "postcode": props.get("postcode"),
                "city": "Amsterdam",
                "description": " / ".join(
                    str(props[k]) for k in ("domein", "categorie", "soort") if props.get(k)
                )
                or None,
            },
            raw={"properties": props},
            line=number,
        )


def read_sport(url: str, fetch: Fetch) -> Iterator[PlaceRecord | Rejected]:
    """Records for `sport/aanbieder`: the facility as place, the provider as service."""
    for number, (props, geometry, rd) in enumerate(iter_items(url, fetch), start=1):
        source_id = str(props.get("id") or "")
        provider = str(props.get("naamAanbieder") or "").strip()
        facility = str(props.get("naamSportfaciliteit") or "").strip() or provider
        if not source_id or not provider or not geometry:
            yield Rejected(
                source_id or f"item {number}", "id, naamAanbieder and geometry are required", number
            )
            continue
        point = to_wgs84(geometry, rd).representative_point()
        street, house_number = split_address(str(props.get("adres") or ""))
        groups: list[str] = []
        if props.get("aangepastSporten"):
            groups.append("physical_disability")
        if props.get("stadspasJeugd"):
            groups += ["youth", "low_income"]
        if props.get("stadspas55"):
            groups += ["older_people", "low_income"]
        sports = ", ".join(props.get("typeSport") or [])
        notes = [f"Sport: {sports}" if sports else ""]
        if props.get("stadspasJeugd") or props.get("stadspas55"):
            notes.append("Korting met de Stadspas.")
        if props.get("aangepastSporten"):
            notes.append("Aangepast sporten mogelijk.")
        yield PlaceRecord(
            source="amsterdam:sport",
            source_id=source_id,
            name=facility,
            lat=point.y,
            lon=point.x,
            category="sports_centre",
            location={
                "street": street or None,
                "house_number": house_number,
                "postcode": props.get("postcode"),
                "city": props.get("plaats"),
            },
            service={
                "name": provider,
                "category": "sports_club",
                "website": props.get("website"),
                "target_groups": list(dict.fromkeys(groups)),
                "support_functions": ["activity"],
                "description": " ".join(n for n in notes if n) or None,
            },
            raw={"properties": props},
            line=number,
        )


def wijk_and_stadsdeel(buurt_code: str) -> tuple[str, str]:
    """Amsterdam area codes nest: buurt AA01 lies in wijk AA in stadsdeel A."""
    wijk = re.sub(r"\d+$", "", buurt_code)
    return wijk, buurt_code[:1]


def assign_gebieden(session: Session, url: str, fetch: Fetch) -> ImportReport:
    """Give every location the codes of the buurt it lies in (only locations that change are written)."""
    polygons: list[BaseGeometry] = []
    areas: list[dict[str, Any]] = []
    for props, geometry, rd in iter_items(url, fetch):
        if not geometry or not props.get("code"):
            continue
        wijk_link = props.get("ligtInWijkId") or (props.get("ligtInGebiedenWijk") or {}).get("identificatie")
        polygons.append(to_wgs84(geometry, rd))
        areas.append({"code": props["code"], "naam": props.get("naam"), "wijk_id": wijk_link})
    tree = STRtree(polygons)
    merger = Merger(session, "amsterdam:gebieden", "gebieden/buurten")
    for location in session.scalars(select(Location).order_by(Location.id)):
        point: Point = to_shape(location.geom)
        hits = list(tree.query(point, predicate="within"))
        if not hits:
            continue
        area = areas[int(hits[0])]
        wijk, stadsdeel = wijk_and_stadsdeel(area["code"])
        merger.enrich(
            "location",
            location,
            {"buurt_code": area["code"], "wijk_code": wijk, "stadsdeel_code": stadsdeel},
            area["code"],
        )
    report = merger.finish(flag_missing=False)
    report.objects_read = len(polygons)
    return report


def import_amsterdam(
    session: Session,
    dataset: str,
    *,
    base_url: str = BASE_URL,
    fetch: Fetch = http_fetch,
    options: RunOptions | None = None,
    console: Console | None = None,
) -> ImportReport:
    """Import one dataset ('voorzieningen', 'sport' or 'gebieden') from the API at `base_url`."""
    url = f"{base_url.rstrip('/')}/{DATASETS[dataset]}"
    if dataset == "gebieden":
        report = assign_gebieden(session, url, fetch)
        if options is not None and options.dry_run:
            session.rollback()
            report.dry_run = True
        else:
            session.commit()
        return report
    reader = read_voorzieningen if dataset == "voorzieningen" else read_sport
    items = list(reader(url, fetch))
    return run_import(
        session,
        items,
        source=f"amsterdam:{dataset}",
        scope=DATASETS[dataset].split("/?")[0],
        options=options,
        total=len(items),
        console=console,
    )
