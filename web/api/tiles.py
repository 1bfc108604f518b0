"""Vector tiles over HTTP: the base map and the places, as Mapbox Vector Tiles, with TileJSON.

    GET /tiles/base/{z}/{x}/{y}.mvt      streets, water, green, buildings, railways, place names
    GET /tiles/entries/{z}/{x}/{y}.mvt   the map's places (clusters at zoom 13 and below)
    GET /tiles/base.json, /tiles/entries.json   TileJSON 3.0: the versioned tile URL and the layers
    GET /tiles/base-view/{z}/{x}/{y}/{w}x{h}.svg   a map's first view as one picture (geo/basemap/view.py)

Caching: every tile has a strong ETag (a hash of its bytes; `If-None-Match`
answers 304). A URL carrying the layer set's current data version (`?v=`, as the
TileJSON and `tile_url_template` give it) may be kept for a year; without it (or
with an old one) the browser must revalidate each time. An empty tile is
`204 No Content`. Nothing here logs a tile's coordinates.

A tile of 1 KB or more goes out gzipped when the client takes gzip, with
`Vary: Accept-Encoding` and an ETag of its own (the plain one with `-gz`, as nginx
does), so a cache never hands the gzipped bytes to a client that asked for the
plain ones as "not modified". A tile this process served before is answered from
its memory (`TileMemory`, gzipped bytes included) on the event loop, without a
database round trip or a worker thread; the rest from `tile_cache` or PostGIS in a
worker thread.
"""

from __future__ import annotations

import gzip
import hashlib
import re
import threading
from collections import OrderedDict
from typing import Annotated, Any

from anyio import to_thread
from litestar import Request, Response, get
from litestar.params import PathParameter, QueryParameter
from sqlalchemy import Connection, Engine

from directory.reference import cached
from directory.schemas.limits import MAX_INT
from directory.services.entry_tiles import CLUSTER_MAX_ZOOM, entries_tile
from directory.services.tiles import (
    GZIP_LEVEL,
    MAX_ZOOM,
    MVT_MEDIA_TYPE,
    Tile,
    TileAddress,
    TileMemory,
    TileNotFoundError,
    TileRenderer,
    cached_tile,
    layer_version,
    topic_of,
)
from directory.settings import get_settings
from geo.basemap.tiles import base_tile
from geo.basemap.view import MAX_ZOOM as VIEW_MAX_ZOOM
from geo.basemap.view import MIN_ZOOM as VIEW_MIN_ZOOM
from geo.basemap.view import SIZES, SVG_MEDIA_TYPE, View, view_svg
from web.accounts.current import SAME_FOR_EVERYONE
from web.basemap import OWN_TILES, base_layer, base_style

#: The renderer of each layer set.
RENDERERS: dict[str, TileRenderer] = {"base": base_tile, "entries": entries_tile}
#: A versioned tile URL never changes its answer: keep it a year.
IMMUTABLE = "public, max-age=31536000, immutable"
#: An unversioned (or outdated) URL: keep it, but ask again (a 304 when nothing changed).
REVALIDATE = "public, no-cache"
ATTRIBUTION = "© OpenStreetMap contributors"

_NUMBER = re.compile(r"[0-9]{1,8}")
_Y = re.compile(r"([0-9]{1,8})\.mvt")

#: The layers of each set and their attributes (TileJSON `vector_layers`; docs/web.md says more).
VECTOR_LAYERS: dict[str, list[dict[str, Any]]] = {
    "base": [
        {"id": "water", "fields": {"kind": "String", "name": "String"}, "minzoom": 0},
        {"id": "green", "fields": {"kind": "String", "name": "String"}, "minzoom": 0},
        {"id": "waterways", "fields": {"kind": "String", "name": "String"}, "minzoom": 0},
        {"id": "buildings", "fields": {}, "minzoom": 14},
        {"id": "railways", "fields": {"kind": "String", "tunnel": "Boolean"}, "minzoom": 11},
        {
            "id": "streets",
            "fields": {
                "name": "String",
                "class": "String: major, minor, path, service",
                "kind": "String (OSM highway value)",
                "bridge": "Boolean",
                "tunnel": "Boolean",
            },
            "minzoom": 0,
        },
        {"id": "places", "fields": {"kind": "String", "name": "String", "rank": "Number"}, "minzoom": 0},
    ],
    "entries": [
        {
            "id": "entries",
            "fields": {
                "id": "String (location id)",
                "name": "String",
                "category": "String (category code)",
                "cost_free": "Boolean",
                "cost_eur": "Number",
                "step_free": "Boolean",
                "accessible_toilet": "Boolean",
                "scootmobiel_parking": "Boolean",
                "kitchen": "Boolean",
                "room": "Boolean",
                "capacity": "Number",
                "needs_review": "Boolean (true on a place a broker is to check; absent otherwise)",
            },
            "minzoom": 0,
        },
        {"id": "clusters", "fields": {"count": "Number"}, "minzoom": 0, "maxzoom": CLUSTER_MAX_ZOOM},
    ],
}


def _address(z: str, x: str, y: str) -> TileAddress:
    """The tile of a URL's z, x and y.mvt, or a 404 naming what is wrong."""
    match = _Y.fullmatch(y)
    if not (_NUMBER.fullmatch(z) and _NUMBER.fullmatch(x) and match):
        raise TileNotFoundError("a tile URL is /tiles/{set}/{z}/{x}/{y}.mvt with whole numbers")
    return TileAddress.parse(int(z), int(x), int(match[1]))


def current_version(conn: Connection, layer: str) -> int:
    """The data version of a layer set, kept in process memory until a new one is announced."""
    return cached(conn, topic_of(layer), "version", lambda: layer_version(conn, layer))


def tile_url_template(conn: Connection, layer: str, base_url: str = "") -> str:
    """The tile URL template of a layer set with its current version, for a map's tile source."""
    return f"{base_url}/tiles/{layer}/{{z}}/{{x}}/{{y}}.mvt?v={current_version(conn, layer)}"


def versioned_base_layer(conn: Connection) -> dict[str, Any] | None:
    """A map's base layer with our own tiles' versioned URL; None when `WIJKGRAM_TILE_URL` names others."""
    setting = get_settings().web.tile_url
    if setting.strip():
        return None
    return base_layer(setting, tile_url_template(conn, "base"))


def gzip_etag(etag: str) -> str:
    """The ETag of the gzipped answer: the plain one with `-gz` inside the quotes."""
    return f'{etag[:-1]}-gz"' if etag.endswith('"') else f"{etag}-gz"


def _from_database(engine: Engine, memory: TileMemory | None, layer: str, address: TileAddress) -> Tile:
    # Taken before the database is read: an announcement in between makes the kept tile old.
    generation = memory.generation(layer) if memory is not None else None
    # Autocommit: each statement is its own transaction (no BEGIN/COMMIT round trips); the
    # version is read before the data, which is all cached_tile needs.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        tile = cached_tile(conn, layer, address, RENDERERS[layer])
    return memory.keep(layer, address, generation, tile) if memory is not None else tile


async def _tile(
    request: Request[Any, Any, Any], layer: str, z: str, x: str, y: str, v: int | None
) -> Response[Any]:
    address = _address(z, x, y)
    memory: TileMemory | None = request.app.state.get("tile_memory")
    tile = memory.get(layer, address) if memory is not None else None
    if tile is None:
        tile = await to_thread.run_sync(
            _from_database,
            request.app.state.engine,
            memory,
            layer,
            address,
            limiter=to_thread.current_default_thread_limiter(),
        )
    headers = {
        "ETag": tile.etag,
        "Vary": "Accept-Encoding",
        "Cache-Control": IMMUTABLE if v == tile.version else REVALIDATE,
        "X-Tile-Cache": "hit" if tile.cached else "miss",
    }
    body = tile.data
    if body and "gzip" in request.headers.get("accept-encoding", ""):
        zipped = tile.gzip()
        if zipped is not None:
            body = zipped
            headers["ETag"] = gzip_etag(tile.etag)
            headers["Content-Encoding"] = "gzip"
    if headers["ETag"] in request.headers.get("if-none-match", ""):
        headers.pop("Content-Encoding", None)
        return Response(b"", status_code=304, headers=headers, media_type=MVT_MEDIA_TYPE)
    if not body:
        return Response(b"", status_code=204, headers=headers, media_type=MVT_MEDIA_TYPE)
    return Response(body, media_type=MVT_MEDIA_TYPE, headers=headers)


_Z = Annotated[str, PathParameter(description=f"zoom level, 0..{MAX_ZOOM}")]
_X = Annotated[str, PathParameter(description="tile column, 0..2^z-1")]
_YMVT = Annotated[str, PathParameter(description="tile row followed by .mvt, e.g. 1346.mvt")]
_V = Annotated[
    int | None,
    QueryParameter(
        ge=1,
        le=MAX_INT,
        description="the layer set's data version (from the TileJSON); the answer may then be kept",
    ),
]

_TILE_DOC = (
    "Mapbox Vector Tile; 204 when the tile is empty, 304 when `If-None-Match` holds its ETag, "
    "404 for a tile that does not exist."
)


@get(
    "/tiles/base/{z:str}/{x:str}/{y:str}",
    summary="Base map vector tile (streets, water, green, buildings, railways, place names)",
    description=_TILE_DOC,
    tags=["tiles"],
    opt=SAME_FOR_EVERYONE,
    media_type=MVT_MEDIA_TYPE,
)
async def base_tile_handler(
    request: Request[Any, Any, Any], z: _Z, x: _X, y: _YMVT, v: _V = None
) -> Response[Any]:
    """One base map tile from the imported OpenStreetMap layers."""
    return await _tile(request, "base", z, x, y, v)


@get(
    "/tiles/entries/{z:str}/{x:str}/{y:str}",
    summary="Places vector tile (active locations; clusters at zoom 13 and below)",
    description=_TILE_DOC,
    tags=["tiles"],
    opt=SAME_FOR_EVERYONE,
    media_type=MVT_MEDIA_TYPE,
)
async def entries_tile_handler(
    request: Request[Any, Any, Any], z: _Z, x: _X, y: _YMVT, v: _V = None
) -> Response[Any]:
    """One tile of the active places, with what the map styles and its popups show."""
    return await _tile(request, "entries", z, x, y, v)


def _tilejson(request: Request[Any, Any, Any], layer: str) -> dict[str, Any]:
    engine: Engine = request.app.state.engine
    with engine.connect() as conn:
        template = tile_url_template(conn, layer, str(request.base_url).rstrip("/"))
    return {
        "tilejson": "3.0.0",
        "name": f"wijkgram {layer}",
        "tiles": [template],
        "minzoom": 0,
        "maxzoom": MAX_ZOOM,
        "attribution": ATTRIBUTION,
        "vector_layers": VECTOR_LAYERS[layer],
    }


@get(
    "/tiles/base.json",
    summary="TileJSON of the base map tiles",
    sync_to_thread=True,
    tags=["tiles"],
    opt=SAME_FOR_EVERYONE,
)
def base_tilejson(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
    """The base map's tile URL (with its data version), layers and attribution."""
    return Response(_tilejson(request, "base"), headers={"Cache-Control": REVALIDATE})


@get(
    "/tiles/entries.json",
    summary="TileJSON of the places tiles",
    sync_to_thread=True,
    tags=["tiles"],
    opt=SAME_FOR_EVERYONE,
)
def entries_tilejson(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
    """The places' tile URL (with its data version), layers and their attributes."""
    return Response(_tilejson(request, "entries"), headers={"Cache-Control": REVALIDATE})


_SIZE = re.compile(r"([0-9]{3,4})x([0-9]{3,4})\.svg")
#: Drawn first views kept per process: (base version, view) -> (SVG, gzipped SVG, ETag). A map
#: page asks for one view per frame size class, so a few dozen cover every page of a data version.
_VIEWS: OrderedDict[tuple[int, View], tuple[bytes, bytes, str]] = OrderedDict()
_VIEWS_KEPT = 48
_VIEWS_LOCK = threading.Lock()


def _view(z: str, x: str, y: str, size: str) -> View:
    """The view of a URL's zoom, centre and size, or a 404 naming what is wrong."""
    match = _SIZE.fullmatch(size)
    if not (_NUMBER.fullmatch(z) and _NUMBER.fullmatch(x) and _NUMBER.fullmatch(y) and match):
        raise TileNotFoundError("a view URL is /tiles/base-view/{z}/{x}/{y}/{width}x{height}.svg")
    view = View(int(z), int(x), int(y), int(match[1]), int(match[2]))
    if not VIEW_MIN_ZOOM <= view.zoom <= VIEW_MAX_ZOOM:
        raise TileNotFoundError(f"a view's zoom is {VIEW_MIN_ZOOM}..{VIEW_MAX_ZOOM}")
    if (view.width, view.height) not in SIZES:
        raise TileNotFoundError("a view's size is one of geo.basemap.view.SIZES")
    if not (view.x < 256 << view.zoom and view.y < 256 << view.zoom):
        raise TileNotFoundError("a view's centre lies outside the world at its zoom")
    return view


@get(
    "/tiles/base-view/{z:str}/{x:str}/{y:str}/{size:str}",
    summary="A map's first view as one SVG picture of the base map",
    description=(
        "The base map of a view (Leaflet zoom z, centre x/y in that zoom's world pixels, "
        "a size of geo.basemap.view.SIZES) drawn with the base tiles' data and style; "
        "map pages show it while their vector map starts. 304 with a matching ETag."
    ),
    sync_to_thread=True,
    tags=["tiles"],
    opt=SAME_FOR_EVERYONE,
    media_type=SVG_MEDIA_TYPE,
)
def base_view_handler(
    request: Request[Any, Any, Any],
    z: _Z,
    x: Annotated[str, PathParameter(description="the view's centre, world pixel column at zoom z")],
    y: Annotated[str, PathParameter(description="the view's centre, world pixel row at zoom z")],
    size: Annotated[str, PathParameter(description="width x height and .svg, e.g. 960x600.svg")],
    v: _V = None,
) -> Response[Any]:
    """The base map of one view as SVG, drawn once per base map version and kept in memory."""
    view = _view(z, x, y, size)
    engine: Engine = request.app.state.engine
    # Not in autocommit: the drawing reads each layer in a savepoint (a missing base map is no error).
    with engine.connect() as conn:
        version = current_version(conn, "base")
        with _VIEWS_LOCK:
            kept = _VIEWS.get((version, view))
            if kept is not None:
                _VIEWS.move_to_end((version, view))
        if kept is None:
            svg = view_svg(conn, view, base_style(OWN_TILES))
            zipped = gzip.compress(svg, compresslevel=GZIP_LEVEL, mtime=0)
            kept = (svg, zipped, f'"{hashlib.sha256(svg).hexdigest()[:32]}"')
            with _VIEWS_LOCK:
                _VIEWS[(version, view)] = kept
                while len(_VIEWS) > _VIEWS_KEPT:
                    _VIEWS.popitem(last=False)
    svg, zipped, etag = kept
    headers = {
        "ETag": etag,
        "Vary": "Accept-Encoding",
        "Cache-Control": IMMUTABLE if v == version else REVALIDATE,
        # The map frame is an opaque origin: this lets it time the picture's paint (bench/map_paint.py).
        "Timing-Allow-Origin": "*",
    }
    body = svg
    # Gzipped here, as the tiles are, so the gzipped answer has an ETag of its own.
    if "gzip" in request.headers.get("accept-encoding", ""):
        body, headers["ETag"], headers["Content-Encoding"] = zipped, gzip_etag(etag), "gzip"
    if headers["ETag"] in request.headers.get("if-none-match", ""):
        headers.pop("Content-Encoding", None)
        return Response(b"", status_code=304, headers=headers, media_type=SVG_MEDIA_TYPE)
    return Response(body, media_type=SVG_MEDIA_TYPE, headers=headers)


TILE_HANDLERS = [base_tile_handler, entries_tile_handler, base_tilejson, entries_tilejson, base_view_handler]
